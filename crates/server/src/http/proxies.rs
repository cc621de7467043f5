//! Which address a request comes from. The socket's peer, unless the operator named the
//! proxies in front of us (`TRUSTED_PROXIES`): then the right-most hop of
//! `X-Forwarded-For` that is not one of them (what a trusted proxy saw; anything left of it
//! was written by the client and proves nothing). Upstream believes `X-Real-IP` and the
//! left-most `X-Forwarded-For` from anyone, which lets a client pick its own address and
//! so escape every per-address limit.

use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

/// One `addr/prefix` network (a bare address is a /32 or /128).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or CIDR network"))?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| format!("{s:?}: the prefix must be 0 to {max}"))?,
            None => max,
        };
        Ok(Cidr { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |a: IpAddr| -> (u128, u32) {
            match a.to_canonical() {
                IpAddr::V4(v) => (u32::from(v) as u128, 32),
                IpAddr::V6(v) => (u128::from(v), 128),
            }
        };
        let ((net, w1), (ip, w2)) = (bits(self.addr), bits(ip));
        if w1 != w2 {
            return false;
        }
        let shift = w1 - self.prefix as u32;
        shift >= w1 || (net >> shift) == (ip >> shift)
    }
}

/// The proxies whose `X-Forwarded-For` we believe (none by default).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// A comma-separated list of addresses and CIDR networks.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .filter(|s| !s.trim().is_empty())
            .map(Cidr::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client's address for limits and records.
    pub fn client_ip(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
        let Some(peer) = peer.map(|p| p.ip().to_canonical()) else {
            return String::new();
        };
        if !self.trusts(peer) {
            return peer.to_string();
        }
        // Every hop the proxies appended, right to left; the first we do not trust is the
        // client. A hop that is not an address ends the walk (nothing left of it counts).
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = None;
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) if self.trusts(ip) => client = Some(ip.to_canonical()),
                Ok(ip) => return ip.to_canonical().to_string(),
                Err(_) => break,
            }
        }
        if client.is_none()
            && let Some(real) = headers
                .get("x-real-ip")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            return real.to_canonical().to_string();
        }
        client.unwrap_or(peer).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn networks() {
        let c = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(c.contains("10.1.2.3".parse().unwrap()));
        assert!(!c.contains("11.0.0.1".parse().unwrap()));
        assert!(c.contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(Cidr::parse("::1").unwrap().contains("::1".parse().unwrap()));
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("nonsense").is_err());
    }

    #[test]
    fn right_most_untrusted_hop() {
        let peer: SocketAddr = "10.0.0.5:1234".parse().unwrap();
        let none = TrustedProxies::default();
        assert_eq!(none.client_ip(&headers("1.2.3.4"), Some(peer)), "10.0.0.5");
        let t = TrustedProxies::parse("10.0.0.0/8, 192.168.0.1").unwrap();
        assert_eq!(
            t.client_ip(&headers("6.6.6.6, 1.2.3.4, 192.168.0.1"), Some(peer)),
            "1.2.3.4"
        );
        assert_eq!(
            t.client_ip(&headers("garbage, 10.0.0.9"), Some(peer)),
            "10.0.0.9"
        );
        assert_eq!(t.client_ip(&HeaderMap::new(), Some(peer)), "10.0.0.5");
        let outside: SocketAddr = "8.8.8.8:1".parse().unwrap();
        assert_eq!(t.client_ip(&headers("1.2.3.4"), Some(outside)), "8.8.8.8");
    }
}
