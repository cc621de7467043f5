//! A port of the parts of `tldts` 6.1.86 (bundled in the message parser) that the
//! parser uses: hostname extraction, hostname validation, IP detection and the
//! Public Suffix List lookup (ICANN and private sections), with the same snapshot.

use std::collections::HashMap;
use std::sync::LazyLock;

/// One trie node: flag (0 = none, 1 = ICANN, 2 = private) and children by label.
struct TrieNode {
    flag: u8,
    children: HashMap<Box<str>, usize>,
}

struct Trie {
    nodes: Vec<TrieNode>,
}

impl Trie {
    fn new() -> Self {
        Trie {
            nodes: vec![TrieNode {
                flag: 0,
                children: HashMap::new(),
            }],
        }
    }

    fn insert(&mut self, path: &str, flag: u8) {
        let mut cur = 0;
        for label in path.split('.') {
            cur = match self.nodes[cur].children.get(label) {
                Some(&n) => n,
                None => {
                    let n = self.nodes.len();
                    self.nodes.push(TrieNode {
                        flag: 0,
                        children: HashMap::new(),
                    });
                    self.nodes[cur].children.insert(label.into(), n);
                    n
                }
            };
        }
        self.nodes[cur].flag = flag;
    }
}

struct Psl {
    exceptions: Trie,
    rules: Trie,
}

static PSL: LazyLock<Psl> = LazyLock::new(|| {
    let mut exceptions = Trie::new();
    let mut rules = Trie::new();
    for line in include_str!("psl.txt").lines() {
        let Some((kind, path)) = line.split_once(' ') else {
            continue;
        };
        let bytes = kind.as_bytes();
        if bytes.len() != 2 {
            continue;
        }
        let flag = bytes[1] - b'0';
        match bytes[0] {
            b'E' => exceptions.insert(path, flag),
            _ => rules.insert(path, flag),
        }
    }
    Psl { exceptions, rules }
});

struct Match {
    index: isize,
    is_icann: bool,
    is_private: bool,
}

/// tldts `lookupInTrie`.
fn lookup(labels: &[&str], trie: &Trie, mask: u8) -> Option<Match> {
    let mut result = None;
    let mut node = Some(0usize);
    let mut index = labels.len() as isize - 1;
    while let Some(n) = node {
        let tn = &trie.nodes[n];
        if tn.flag & mask != 0 {
            result = Some(Match {
                index: index + 1,
                is_icann: tn.flag == 1,
                is_private: tn.flag == 2,
            });
        }
        if index == -1 {
            break;
        }
        let label = labels[index as usize];
        node = tn
            .children
            .get(label)
            .or_else(|| tn.children.get("*"))
            .copied();
        index -= 1;
    }
    result
}

/// Result of [`parse`] (the fields the message parser reads).
#[derive(Debug, Default, Clone)]
pub(crate) struct ParseResult {
    pub is_icann: bool,
    pub is_ip: bool,
    pub is_private: bool,
    pub domain: Option<String>,
}

fn is_valid_ascii(c: u16) -> bool {
    (97..=122).contains(&c) || (48..=57).contains(&c) || c > 127
}

/// tldts `isValidHostname` over UTF-16 units.
fn is_valid_hostname(h: &[u16]) -> bool {
    if h.len() > 255 || h.is_empty() {
        return false;
    }
    if !is_valid_ascii(h[0]) && h[0] != 46 && h[0] != 95 {
        return false;
    }
    let mut last_dot: isize = -1;
    let mut last_char: i32 = -1;
    for (i, &c) in h.iter().enumerate() {
        if c == 46 {
            if i as isize - last_dot > 64 || last_char == 46 || last_char == 45 || last_char == 95 {
                return false;
            }
            last_dot = i as isize;
        } else if !(is_valid_ascii(c) || c == 45 || c == 95) {
            return false;
        }
        last_char = c as i32;
    }
    (h.len() as isize - last_dot - 1) <= 63 && last_char != 45
}

fn at(u: &[u16], i: usize) -> i32 {
    u.get(i).map_or(-1, |&c| c as i32)
}

fn lower_utf16(u: &[u16]) -> Vec<u16> {
    let s = String::from_utf16_lossy(u);
    s.to_lowercase().encode_utf16().collect()
}

/// tldts `extractHostname`.
fn extract_hostname(url: &[u16], url_is_valid_hostname: bool) -> Option<Vec<u16>> {
    let mut start = 0usize;
    let mut end = url.len();
    let mut has_upper = false;
    if !url_is_valid_hostname {
        let data: Vec<u16> = "data:".encode_utf16().collect();
        if url.starts_with(&data) {
            return None;
        }
        while start < url.len() && url[start] <= 32 {
            start += 1;
        }
        while end > start + 1 && url[end - 1] <= 32 {
            end -= 1;
        }
        if at(url, start) == 47 && at(url, start + 1) == 47 {
            start += 2;
        } else {
            // indexOf(":/", start)
            let idx =
                (start..url.len().saturating_sub(1)).find(|&i| url[i] == 58 && url[i + 1] == 47);
            if let Some(idx) = idx {
                let size = idx - start;
                let c0 = at(url, start);
                let c1 = at(url, start + 1);
                let c2 = at(url, start + 2);
                let c3 = at(url, start + 3);
                let c4 = at(url, start + 4);
                let known =
                    (size == 5 && c0 == 104 && c1 == 116 && c2 == 116 && c3 == 112 && c4 == 115)
                        || (size == 4 && c0 == 104 && c1 == 116 && c2 == 116 && c3 == 112)
                        || (size == 3 && c0 == 119 && c1 == 115 && c2 == 115)
                        || (size == 2 && c0 == 119 && c1 == 115);
                if !known {
                    for &ch in &url[start..idx] {
                        let l = 32 | ch as i32;
                        if !((97..=122).contains(&l)
                            || (48..=57).contains(&l)
                            || l == 46
                            || l == 45
                            || l == 43)
                        {
                            return None;
                        }
                    }
                }
                start = idx + 2;
                while at(url, start) == 47 {
                    start += 1;
                }
            }
        }
        let mut ident: isize = -1;
        let mut closing: isize = -1;
        let mut port: isize = -1;
        let mut i = start;
        while i < end {
            let c = url[i];
            if c == 35 || c == 47 || c == 63 {
                end = i;
                break;
            } else if c == 64 {
                ident = i as isize;
            } else if c == 93 {
                closing = i as isize;
            } else if c == 58 {
                port = i as isize;
            } else if (65..=90).contains(&c) {
                has_upper = true;
            }
            i += 1;
        }
        if ident != -1 && ident > start as isize && ident < end as isize {
            start = ident as usize + 1;
        }
        if at(url, start) == 91 {
            if closing != -1 {
                let c = closing as usize;
                if c < start + 1 {
                    // JS slice with end < start yields ""
                    return Some(Vec::new());
                }
                return Some(lower_utf16(&url[start + 1..c]));
            }
            return None;
        }
        if port != -1 && port > start as isize && port < end as isize {
            end = port as usize;
        }
    }
    while end > start + 1 && at(url, end - 1) == 46 {
        end -= 1;
    }
    let host: &[u16] = if start < end { &url[start..end] } else { &[] };
    Some(if has_upper {
        lower_utf16(host)
    } else {
        host.to_vec()
    })
}

fn is_probably_ipv6(h: &[u16]) -> bool {
    if h.len() < 3 {
        return false;
    }
    let mut s = if h[0] == 91 { 1 } else { 0 };
    let mut e = h.len();
    if h[e - 1] == 93 {
        e -= 1;
    }
    if e as isize - s as isize > 39 {
        return false;
    }
    let mut has_colon = false;
    while s < e {
        let c = h[s];
        if c == 58 {
            has_colon = true;
        } else if !((48..=57).contains(&c) || (97..=102).contains(&c) || (65..=90).contains(&c)) {
            return false;
        }
        s += 1;
    }
    has_colon
}

fn is_probably_ipv4(h: &[u16]) -> bool {
    if h.len() < 7 || h.len() > 15 {
        return false;
    }
    let mut dots = 0;
    for &c in h {
        if c == 46 {
            dots += 1;
        } else if !(48..=57).contains(&c) {
            return false;
        }
    }
    dots == 3 && h[0] != 46 && h[h.len() - 1] != 46
}

/// tldts `parse(url, { detectIp, allowPrivateDomains: true, validHosts })`, reduced to the
/// fields the parser reads.
pub(crate) fn parse(url: &str, detect_ip: bool, valid_hosts: Option<&[String]>) -> ParseResult {
    let mut r = ParseResult::default();
    let u: Vec<u16> = url.encode_utf16().collect();
    let valid = is_valid_hostname(&u);
    let Some(hostname) = extract_hostname(&u, valid) else {
        return r;
    };
    if detect_ip && (is_probably_ipv6(&hostname) || is_probably_ipv4(&hostname)) {
        r.is_ip = true;
        return r;
    }
    if !is_valid_hostname(&hostname) {
        return r;
    }
    let host = String::from_utf16_lossy(&hostname);
    // getPublicSuffix (allowPrivateDomains: true, so no fast path)
    let labels: Vec<&str> = host.split('.').collect();
    let psl = &*PSL;
    let suffix: String;
    if let Some(m) = lookup(&labels, &psl.exceptions, 3) {
        r.is_icann = m.is_icann;
        r.is_private = m.is_private;
        suffix = labels[(m.index + 1) as usize..].join(".");
    } else if let Some(m) = lookup(&labels, &psl.rules, 3) {
        r.is_icann = m.is_icann;
        r.is_private = m.is_private;
        suffix = labels[m.index.max(0) as usize..].join(".");
    } else {
        suffix = labels.last().copied().unwrap_or("").to_string();
    }
    r.domain = get_domain(&suffix, &host, valid_hosts);
    r
}

fn get_domain(suffix: &str, hostname: &str, valid_hosts: Option<&[String]>) -> Option<String> {
    if let Some(vh) = valid_hosts {
        for h in vh {
            if hostname.ends_with(h.as_str())
                && (hostname.len() == h.len()
                    || hostname.as_bytes().get(hostname.len() - h.len() - 1) == Some(&b'.'))
            {
                return Some(h.clone());
            }
        }
    }
    let hu: Vec<u16> = hostname.encode_utf16().collect();
    let su: Vec<u16> = suffix.encode_utf16().collect();
    let mut n = 0;
    if hostname.starts_with('.') {
        while n < hu.len() && hu[n] == 46 {
            n += 1;
        }
    }
    if su.len() as isize == hu.len() as isize - n as isize {
        return None;
    }
    // getDomainFromSuffix
    let pos = hu.len() as isize - su.len() as isize - 2;
    let last_dot = if pos < 0 {
        // String.prototype.lastIndexOf clamps a negative fromIndex to 0
        (hu.first() == Some(&46)).then_some(0)
    } else {
        (0..=pos as usize).rev().find(|&i| hu[i] == 46)
    };
    Some(match last_dot {
        None => hostname.to_string(),
        Some(i) => String::from_utf16_lossy(&hu[i + 1..]),
    })
}
