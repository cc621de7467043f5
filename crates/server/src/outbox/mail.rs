//! E-mail: what upstream's Mailer checks before accepting a mail, and delivery over SMTP
//! with the server's `SMTP_*` settings.

use super::worker::Attempt;
use crate::domain::Livechat;
use crate::domain::mail::header_text;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::Value;
use std::time::Duration;

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

fn mailbox(v: &Value) -> Result<Mailbox, String> {
    let address: Address = v["address"]
        .as_str()
        .unwrap_or("")
        .parse()
        .map_err(|e| format!("bad address {}: {e}", v["address"]))?;
    // Items queued by an older version may hold unsafe names: made safe here too.
    let name = v["name"]
        .as_str()
        .map(header_text)
        .filter(|n| !n.is_empty());
    Ok(Mailbox::new(name, address))
}

fn build(payload: &Value) -> Result<Message, String> {
    let to = mailbox(&serde_json::json!({"address": payload["to"]}))?;
    let mut b = Message::builder()
        .from(mailbox(&payload["from"])?)
        .to(to)
        .subject(header_text(payload["subject"].as_str().unwrap_or("")));
    if payload["replyTo"].is_object() {
        b = b.reply_to(mailbox(&payload["replyTo"])?);
    }
    b.multipart(MultiPart::alternative_plain_html(
        payload["text"].as_str().unwrap_or("").to_string(),
        payload["html"].as_str().unwrap_or("").to_string(),
    ))
    .map_err(|e| e.to_string())
}

/// One SMTP attempt with the settings as they are now.
pub async fn deliver(lc: &Livechat, payload: &Value) -> Attempt {
    let message = match build(payload) {
        Ok(m) => m,
        Err(e) => return Attempt::Permanent(e),
    };
    let s = &lc.settings;
    let host = s.str("SMTP_Host").trim().to_string();
    if host.is_empty() {
        return Attempt::Transient("SMTP_Host is not set".into());
    }
    let smtps = s.str("SMTP_Protocol") == "smtps";
    let port = s
        .str("SMTP_Port")
        .trim()
        .parse::<u16>()
        .unwrap_or(if smtps { 465 } else { 25 });
    let tls = if smtps || !s.bool("SMTP_IgnoreTLS") {
        match TlsParameters::new(host.clone()) {
            Ok(p) if smtps => Tls::Wrapper(p),
            Ok(p) => Tls::Opportunistic(p),
            Err(e) => return Attempt::Permanent(format!("TLS: {e}")),
        }
    } else {
        Tls::None
    };
    let mut t = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(30)));
    let user = s.str("SMTP_Username");
    if !user.is_empty() {
        t = t.credentials(Credentials::new(user, s.str("SMTP_Password")));
    }
    match t.build().send(message).await {
        Ok(_) => Attempt::Sent,
        Err(e) if e.is_permanent() => Attempt::Permanent(e.to_string()),
        Err(e) => Attempt::Transient(e.to_string()),
    }
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
