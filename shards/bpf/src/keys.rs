//! The maps' keys, as the C programs lay them out: pure functions, tested here.

use std::net::IpAddr;

use aya::maps::lpm_trie::Key;
use bext_core::waf::Prefix;
use bext_core::waf::ip::unmapped;

/// `prefixes4`/`prefixes6`'s value for a prefix from `allow` (`LIST_ALLOW` in the C).
pub(crate) const LIST_ALLOW: u8 = 0;
/// ... and from `deny` (`LIST_DENY`).
pub(crate) const LIST_DENY: u8 = 1;

/// A prefix's key in its family's trie: the length, then the address in network order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum PrefixKey {
    V4 { bits: u32, addr: [u8; 4] },
    V6 { bits: u32, addr: [u8; 16] },
}

pub(crate) fn prefix_key(prefix: &Prefix) -> PrefixKey {
    let bits = u32::from(prefix.bits());
    match prefix.addr() {
        IpAddr::V4(a) => PrefixKey::V4 {
            bits,
            addr: a.octets(),
        },
        IpAddr::V6(a) => PrefixKey::V6 {
            bits,
            addr: a.octets(),
        },
    }
}

/// An IPv4 key as aya hands it to the kernel.
pub(crate) fn trie_key4(bits: u32, addr: [u8; 4]) -> Key<[u8; 4]> {
    Key::new(bits, addr)
}

/// An IPv6 key as aya hands it to the kernel.
pub(crate) fn trie_key6(bits: u32, addr: [u8; 16]) -> Key<[u8; 16]> {
    Key::new(bits, addr)
}

/// A client's key in `bans4`/`bans6`: its address in network order (an IPv4-mapped IPv6
/// address is the IPv4 client it is, as the packets carry it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientKey {
    V4([u8; 4]),
    V6([u8; 16]),
}

pub(crate) fn client_key(ip: IpAddr) -> ClientKey {
    match unmapped(ip) {
        IpAddr::V4(a) => ClientKey::V4(a.octets()),
        IpAddr::V6(a) => ClientKey::V6(a.octets()),
    }
}

/// A port's key in `ports`: the two bytes as the TCP or UDP header carries them, read as
/// the C program's `__u16` (so on this host's byte order).
pub(crate) fn port_key(port: u16) -> u16 {
    u16::from_ne_bytes(port.to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_become_length_and_network_order_bytes() {
        let cases: &[(&str, u32, &[u8])] = &[
            ("10.0.0.0/8", 8, &[10, 0, 0, 0]),
            ("192.0.2.7", 32, &[192, 0, 2, 7]),
            ("0.0.0.0/0", 0, &[0, 0, 0, 0]),
            (
                "2001:db8::/32",
                32,
                &[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            ),
        ];
        for &(text, bits, bytes) in cases {
            let prefix = Prefix::parse(text).unwrap();
            let (got_bits, got_bytes): (u32, Vec<u8>) = match prefix_key(&prefix) {
                PrefixKey::V4 { bits, addr } => {
                    let key = trie_key4(bits, addr);
                    (key.prefix_len(), key.data().to_vec())
                }
                PrefixKey::V6 { bits, addr } => {
                    let key = trie_key6(bits, addr);
                    (key.prefix_len(), key.data().to_vec())
                }
            };
            assert_eq!((got_bits, got_bytes.as_slice()), (bits, bytes), "{text}");
        }
    }

    #[test]
    fn mapped_clients_are_banned_as_the_ipv4_address_on_the_wire() {
        let mapped: IpAddr = "::ffff:198.51.100.9".parse().unwrap();
        assert_eq!(client_key(mapped), ClientKey::V4([198, 51, 100, 9]));
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert!(matches!(client_key(v6), ClientKey::V6(b) if b[0] == 0x20 && b[15] == 1));
    }

    #[test]
    fn ports_are_keyed_as_the_header_bytes() {
        // 8080 = 0x1f90: the header carries 0x1f then 0x90.
        assert_eq!(port_key(8080).to_ne_bytes(), [0x1f, 0x90]);
    }
}
