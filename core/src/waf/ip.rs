//! Allow and deny lists of address prefixes, decided by the longest matching prefix.
//!
//! One hash map per prefix length that the lists use, tried from the longest down: a lookup
//! costs one masked hash probe per distinct length (a handful in practice), whatever the
//! number of prefixes. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`, what a dual-stack
//! listener reports for an IPv4 client) are matched as the IPv4 address they carry.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An address prefix: `10.0.0.0/8`, `2001:db8::/32`, or one address (`/32` or `/128` implied).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Prefix {
    /// The address with the bits past `len` cleared.
    addr: IpAddr,
    len: u8,
}

/// Why a prefix did not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrefixError {
    /// Not an IPv4 or IPv6 address.
    Address,
    /// The length is not a number within the address's bits.
    Length { bits: u8 },
    /// Bits set past the length (`10.0.0.1/8`): almost always a typo for another prefix.
    HostBits { masked: String },
}

impl fmt::Display for PrefixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrefixError::Address => write!(f, "not an IPv4 or IPv6 address"),
            PrefixError::Length { bits } => write!(f, "the prefix length must be 0..={bits}"),
            PrefixError::HostBits { masked } => {
                write!(f, "has bits set past its length (the prefix is {masked})")
            }
        }
    }
}

impl Prefix {
    /// Parses `ADDR` or `ADDR/LEN`.
    pub fn parse(text: &str) -> Result<Prefix, PrefixError> {
        let (addr, len) = match text.split_once('/') {
            Some((addr, len)) => (addr, Some(len)),
            None => (text, None),
        };
        let addr: IpAddr = addr.trim().parse().map_err(|_| PrefixError::Address)?;
        let bits = bits_of(addr);
        let len = match len {
            None => bits,
            Some(len) => match len.trim().parse::<u8>() {
                Ok(n) if n <= bits => n,
                _ => return Err(PrefixError::Length { bits }),
            },
        };
        let prefix = Prefix {
            addr: mask(addr, len),
            len,
        };
        if prefix.addr != addr {
            return Err(PrefixError::HostBits {
                masked: prefix.to_string(),
            });
        }
        Ok(prefix)
    }

    /// The prefix's address, its bits past [`Prefix::bits`] cleared.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// How many leading bits of [`Prefix::addr`] the prefix fixes.
    pub fn bits(&self) -> u8 {
        self.len
    }

    /// Whether `ip` is within this prefix.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = unmapped(ip);
        ip.is_ipv4() == self.addr.is_ipv4() && mask(ip, self.len) == self.addr
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// What the lists say about an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Deny,
    /// No prefix matches: the request goes on.
    Unlisted,
}

/// The allow and deny lists, ready for lookups.
#[derive(Clone, Debug, Default)]
pub struct IpRules {
    /// (length, masked address → allow?), longest first.
    v4: Vec<(u8, HashMap<u32, bool>)>,
    v6: Vec<(u8, HashMap<u128, bool>)>,
}

impl IpRules {
    /// The rules for these lists. A prefix in both is the caller's error to report first
    /// (see [`IpRules::conflict`]); here the later `deny` wins.
    pub fn new(allow: &[Prefix], deny: &[Prefix]) -> IpRules {
        let mut rules = IpRules::default();
        for (list, allowed) in [(allow, true), (deny, false)] {
            for prefix in list {
                rules.insert(*prefix, allowed);
            }
        }
        rules.v4.sort_by_key(|(len, _)| std::cmp::Reverse(*len));
        rules.v6.sort_by_key(|(len, _)| std::cmp::Reverse(*len));
        rules
    }

    /// Where in `deny` the first prefix listed in `allow` too stands, if any.
    pub fn conflict(allow: &[Prefix], deny: &[Prefix]) -> Option<usize> {
        deny.iter().position(|p| allow.contains(p))
    }

    /// No prefixes at all: every address is unlisted.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    fn insert(&mut self, prefix: Prefix, allowed: bool) {
        match prefix.addr {
            IpAddr::V4(a) => insert_into(&mut self.v4, prefix.len, u32::from(a), allowed),
            IpAddr::V6(a) => insert_into(&mut self.v6, prefix.len, u128::from(a), allowed),
        }
    }

    /// The verdict of the longest prefix that contains `ip`.
    pub fn decide(&self, ip: IpAddr) -> Verdict {
        let found = match unmapped(ip) {
            IpAddr::V4(a) => {
                let bits = u32::from(a);
                self.v4
                    .iter()
                    .find_map(|(len, map)| map.get(&(bits & mask_u32(*len))).copied())
            }
            IpAddr::V6(a) => {
                let bits = u128::from(a);
                self.v6
                    .iter()
                    .find_map(|(len, map)| map.get(&(bits & mask_u128(*len))).copied())
            }
        };
        match found {
            Some(true) => Verdict::Allow,
            Some(false) => Verdict::Deny,
            None => Verdict::Unlisted,
        }
    }
}

/// Adds a masked address to the map of its prefix length, making that map if it is the
/// first of its length.
fn insert_into<K: std::hash::Hash + Eq>(
    tables: &mut Vec<(u8, HashMap<K, bool>)>,
    len: u8,
    key: K,
    allowed: bool,
) {
    match tables.iter_mut().find(|(l, _)| *l == len) {
        Some((_, map)) => {
            map.insert(key, allowed);
        }
        None => tables.push((len, HashMap::from([(key, allowed)]))),
    }
}

/// `ip`, or the IPv4 address an IPv4-mapped IPv6 address carries.
pub fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

fn bits_of(addr: IpAddr) -> u8 {
    if addr.is_ipv4() { 32 } else { 128 }
}

fn mask(addr: IpAddr, len: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask_u32(len))),
        IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask_u128(len))),
    }
}

fn mask_u32(len: u8) -> u32 {
    u32::MAX
        .checked_shl(32 - u32::from(len.min(32)))
        .unwrap_or(0)
}

fn mask_u128(len: u8) -> u128 {
    u128::MAX
        .checked_shl(128 - u32::from(len.min(128)))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefixes(list: &[&str]) -> Vec<Prefix> {
        list.iter().map(|p| Prefix::parse(p).unwrap()).collect()
    }

    #[test]
    fn prefixes_parse_and_refuse_with_a_reason() {
        let cases: [(&str, Result<&str, PrefixError>); 10] = [
            ("10.0.0.0/8", Ok("10.0.0.0/8")),
            ("192.0.2.7", Ok("192.0.2.7/32")),
            ("0.0.0.0/0", Ok("0.0.0.0/0")),
            ("2001:db8::/32", Ok("2001:db8::/32")),
            ("::1", Ok("::1/128")),
            (
                "10.0.0.1/8",
                Err(PrefixError::HostBits {
                    masked: "10.0.0.0/8".into(),
                }),
            ),
            ("10.0.0.0/33", Err(PrefixError::Length { bits: 32 })),
            ("2001:db8::/129", Err(PrefixError::Length { bits: 128 })),
            ("10.0.0.0/x", Err(PrefixError::Length { bits: 32 })),
            ("example.com", Err(PrefixError::Address)),
        ];
        for (text, want) in cases {
            let got = Prefix::parse(text).map(|p| p.to_string());
            assert_eq!(got, want.map(String::from), "{text}");
        }
    }

    #[test]
    fn the_longest_matching_prefix_decides() {
        let rules = IpRules::new(
            &prefixes(&["10.1.0.0/16", "10.1.2.3", "2001:db8:1::/48"]),
            &prefixes(&["10.0.0.0/8", "10.1.2.0/24", "2001:db8::/32", "192.0.2.0/24"]),
        );
        let cases = [
            ("10.9.9.9", Verdict::Deny),
            ("10.1.9.9", Verdict::Allow),
            ("10.1.2.9", Verdict::Deny),
            ("10.1.2.3", Verdict::Allow),
            ("192.0.2.200", Verdict::Deny),
            ("192.0.3.1", Verdict::Unlisted),
            // An IPv4 client on a dual-stack listener.
            ("::ffff:10.9.9.9", Verdict::Deny),
            ("::ffff:10.1.2.3", Verdict::Allow),
            ("2001:db8:2::1", Verdict::Deny),
            ("2001:db8:1::1", Verdict::Allow),
            ("2001:db9::1", Verdict::Unlisted),
        ];
        for (ip, want) in cases {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(rules.decide(ip), want, "{ip}");
        }
    }

    #[test]
    fn everything_but_an_allowed_range_is_denied_with_zero_length_prefixes() {
        let rules = IpRules::new(
            &prefixes(&["127.0.0.0/8"]),
            &prefixes(&["0.0.0.0/0", "::/0"]),
        );
        assert_eq!(rules.decide("127.0.0.1".parse().unwrap()), Verdict::Allow);
        assert_eq!(rules.decide("8.8.8.8".parse().unwrap()), Verdict::Deny);
        assert_eq!(rules.decide("2001:db8::1".parse().unwrap()), Verdict::Deny);
        assert!(IpRules::new(&[], &[]).is_empty());
    }

    #[test]
    fn a_prefix_in_both_lists_is_found() {
        let allow = prefixes(&["10.0.0.0/8", "192.0.2.1"]);
        let deny = prefixes(&["192.0.2.1/32"]);
        assert_eq!(
            IpRules::conflict(&allow, &deny).map(|i| deny[i].to_string()),
            Some("192.0.2.1/32".to_string())
        );
        assert_eq!(IpRules::conflict(&allow, &prefixes(&["10.0.0.0/9"])), None);
    }

    #[test]
    fn contains_matches_the_same_family_only() {
        let p = Prefix::parse("10.0.0.0/8").unwrap();
        assert!(p.contains("10.255.0.1".parse().unwrap()));
        assert!(p.contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(!p.contains("11.0.0.1".parse().unwrap()));
        assert!(
            !Prefix::parse("::/0")
                .unwrap()
                .contains("10.0.0.1".parse().unwrap())
        );
    }
}
