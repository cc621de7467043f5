//! The text of mails: upstream's address check, the `From_Email` address, HTML escaping
//! and the plain-text part.

/// Upstream's `validateEmail` (lib/emailValidator): what `Mailer.send` accepts as `to`.
pub fn valid_address(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let special = |c: char| "<>()[]\\.,;:@\"".contains(c) || c.is_whitespace();
    let local_ok = if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        true
    } else {
        !local.is_empty()
            && local
                .split('.')
                .all(|p| !p.is_empty() && !p.chars().any(special))
    };
    let ipv4 = domain.starts_with('[')
        && domain.ends_with(']')
        && domain[1..domain.len() - 1]
            .split('.')
            .filter(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()))
            .count()
            == 4;
    let labels: Vec<&str> = domain.split('.').collect();
    let host = labels.len() >= 2
        && labels[..labels.len() - 1]
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
    local_ok && (ipv4 || host)
}

/// The first address in `From_Email` (upstream takes the regex match, else the whole value).
pub fn from_address(setting: &str) -> String {
    static RE: std::sync::OnceLock<fancy_regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        fancy_regex::Regex::new(r"(?i)\b[A-Z0-9._%+-]+@(?:[A-Z0-9-]+\.)+[A-Z]{2,4}\b").unwrap()
    });
    match re.find(setting) {
        Ok(Some(m)) => m.as_str().to_string(),
        _ => setting.trim().to_string(),
    }
}

/// The text part upstream derives from the HTML (`stripHtml`): tags removed, entities of
/// our own escaping decoded.
pub fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' if in_tag => {
                in_tag = false;
                let t = tag.trim_start_matches('/').to_ascii_lowercase();
                if t.starts_with("br")
                    || t.starts_with("p")
                    || t.starts_with("div")
                    || t.starts_with("h1")
                {
                    out.push('\n');
                }
            }
            _ if in_tag => tag.push(c),
            _ => out.push(c),
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let lines: Vec<&str> = out
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_as_upstream_validates_them() {
        assert!(valid_address("visitor@notadomain.com"));
        assert!(valid_address("a.b+c@x-y.example.org"));
        assert!(valid_address("x@[127.0.0.1]"));
        for bad in [
            "",
            "test",
            "a@b",
            "a@b.c",
            "a b@c.com",
            "@c.com",
            "a..b@c.com",
            "a@c.com1",
        ] {
            assert!(!valid_address(bad), "{bad}");
        }
    }

    #[test]
    fn from_email_takes_the_address() {
        assert_eq!(
            from_address("Rocket.Chat <no-reply@rocket.chat>"),
            "no-reply@rocket.chat"
        );
        assert_eq!(from_address("plain"), "plain");
    }

    #[test]
    fn html_to_text() {
        assert_eq!(
            strip_html("<h1>New</h1><p><strong>A:</strong> b &amp; c</p>"),
            "New\nA: b & c"
        );
    }
}
