//! What the server writes into QUIC packets so that it can trust them when they come back,
//! with no state kept: connection IDs that name their shard, stateless reset tokens, and
//! Retry tokens.
//!
//! One set of keys per process, made from the OS's randomness at first use and shared
//! read-only by every shard: a CID minted by one shard is read by every other (to forward a
//! datagram to its owner), and a Retry token issued by one is checked by whichever receives
//! the client's next Initial.
//!
//! A connection ID is `CID_BYTES` long: the owner shard (two bytes, big-endian), ten random
//! bytes, then the first eight bytes of an HMAC-SHA256 over the twelve before. A client can
//! neither aim a CID at a shard of its choosing nor make one up that passes: a datagram whose
//! CID does not verify is treated as naming no shard. h2o's QUIC load balancing does the
//! same with an encrypted CID; an HMAC tag is enough here because the shard index is not a
//! secret, only its authenticity matters.

use std::net::SocketAddr;
use std::sync::OnceLock;

use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

/// Length of the connection IDs bext chooses: QUIC's maximum, so the random part stays
/// large after the shard index and the tag.
// tidy: not a limit: the format of what bext writes into packets.
pub(crate) const CID_BYTES: usize = 20;
/// Bytes of the shard index at the start of a CID.
// tidy: not a limit: the format of what bext writes into packets.
const SHARD_BYTES: usize = 2;
/// Bytes of random data after the shard index.
// tidy: not a limit: the format of what bext writes into packets.
const NONCE_BYTES: usize = 10;
/// Bytes of the HMAC tag that ends a CID.
// tidy: not a limit: the format of what bext writes into packets.
const CID_TAG_BYTES: usize = CID_BYTES - SHARD_BYTES - NONCE_BYTES;
/// Bytes of the HMAC tag that ends a Retry token.
// tidy: not a limit: the format of what bext writes into packets.
const TOKEN_TAG_BYTES: usize = 16;
/// Longest connection ID QUIC v1 allows (RFC 9000 §17.2).
// tidy: not a limit: the format of what bext writes into packets.
const QUIC_CID_BYTES_MAX: usize = 20;

struct Keys {
    cid: hmac::Key,
    reset: hmac::Key,
    retry: hmac::Key,
    random: SystemRandom,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let random = SystemRandom::new();
        let key = |random: &SystemRandom| {
            // ring's generate fails only when the OS has no randomness at all, and then no
            // TLS handshake works either: a process that cannot make keys cannot serve.
            hmac::Key::generate(hmac::HMAC_SHA256, random)
                .unwrap_or_else(|_| panic!("the OS gave no random bytes for QUIC's keys"))
        };
        Keys {
            cid: key(&random),
            reset: key(&random),
            retry: key(&random),
            random,
        }
    })
}

/// Random bytes from the OS (for CIDs and stateless resets).
pub(crate) fn fill_random(out: &mut [u8]) {
    if keys().random.fill(out).is_err() {
        // As above: no randomness, no keys, no service; never a predictable CID.
        panic!("the OS gave no random bytes for a QUIC connection ID");
    }
}

/// A new connection ID owned by `shard`.
pub(crate) fn mint_cid(shard: usize) -> [u8; CID_BYTES] {
    let mut cid = [0u8; CID_BYTES];
    let index = u16::try_from(shard).unwrap_or(u16::MAX);
    cid[..SHARD_BYTES].copy_from_slice(&index.to_be_bytes());
    fill_random(&mut cid[SHARD_BYTES..SHARD_BYTES + NONCE_BYTES]);
    let tag = hmac::sign(&keys().cid, &cid[..SHARD_BYTES + NONCE_BYTES]);
    cid[SHARD_BYTES + NONCE_BYTES..].copy_from_slice(&tag.as_ref()[..CID_TAG_BYTES]);
    cid
}

/// The shard that minted `cid`, if bext minted it.
pub(crate) fn cid_owner(cid: &[u8]) -> Option<usize> {
    if cid.len() != CID_BYTES {
        return None;
    }
    let (body, tag) = cid.split_at(SHARD_BYTES + NONCE_BYTES);
    let expected = hmac::sign(&keys().cid, body);
    // Constant time is not needed for a public routing decision, but costs nothing.
    if !constant_time_eq(&expected.as_ref()[..CID_TAG_BYTES], tag) {
        return None;
    }
    Some(usize::from(u16::from_be_bytes([body[0], body[1]])))
}

/// The stateless reset token of `cid` (RFC 9000 §10.3): derived from it, so any shard of
/// this process can tell a peer that its connection is gone without having kept any state
/// for it.
pub(crate) fn reset_token(cid: &[u8]) -> u128 {
    let tag = hmac::sign(&keys().reset, cid);
    let mut token = [0u8; 16];
    token.copy_from_slice(&tag.as_ref()[..16]);
    u128::from_be_bytes(token)
}

/// A Retry token for a client at `peer` whose first Initial was sent to `odcid`, issued at
/// `now_ms` (Unix milliseconds): `now_ms`, the odcid's length and bytes, then a tag over
/// those and the peer's address.
pub(crate) fn retry_token(peer: SocketAddr, odcid: &[u8], now_ms: u64) -> Vec<u8> {
    let mut token = Vec::with_capacity(8 + 1 + odcid.len() + TOKEN_TAG_BYTES);
    token.extend_from_slice(&now_ms.to_be_bytes());
    // `odcid` comes from a parsed header: at most 20 bytes.
    token.push(u8::try_from(odcid.len()).unwrap_or(u8::MAX));
    token.extend_from_slice(odcid);
    let tag = token_tag(&token, peer);
    token.extend_from_slice(&tag[..TOKEN_TAG_BYTES]);
    token
}

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TokenError {
    Malformed,
    /// Not ours, or issued to another address.
    Forged,
    Expired,
}

/// The original destination CID a valid Retry token carries.
pub(crate) fn check_retry_token(
    token: &[u8],
    peer: SocketAddr,
    now_ms: u64,
    lifetime_ms: u64,
) -> Result<Vec<u8>, TokenError> {
    let Some((&len, rest)) = token.get(8..).and_then(<[u8]>::split_first) else {
        return Err(TokenError::Malformed);
    };
    let len = usize::from(len);
    if len > QUIC_CID_BYTES_MAX || rest.len() != len + TOKEN_TAG_BYTES {
        return Err(TokenError::Malformed);
    }
    let signed = &token[..9 + len];
    let tag = token_tag(signed, peer);
    if !constant_time_eq(&tag[..TOKEN_TAG_BYTES], &rest[len..]) {
        return Err(TokenError::Forged);
    }
    let mut issued = [0u8; 8];
    issued.copy_from_slice(&token[..8]);
    let issued = u64::from_be_bytes(issued);
    if now_ms < issued || now_ms - issued > lifetime_ms {
        return Err(TokenError::Expired);
    }
    Ok(rest[..len].to_vec())
}

fn token_tag(signed: &[u8], peer: SocketAddr) -> [u8; 32] {
    let mut context = hmac::Context::with_key(&keys().retry);
    context.update(signed);
    match peer {
        SocketAddr::V4(v4) => context.update(&v4.ip().octets()),
        SocketAddr::V6(v6) => context.update(&v6.ip().octets()),
    }
    context.update(&peer.port().to_be_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(context.sign().as_ref());
    out
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cid_names_its_shard_and_a_changed_one_names_none() {
        for shard in [0, 1, 7, 300] {
            let cid = mint_cid(shard);
            assert_eq!(cid_owner(&cid), Some(shard));
            for i in 0..CID_BYTES {
                let mut bent = cid;
                bent[i] ^= 1;
                assert_eq!(cid_owner(&bent), None, "byte {i} changed");
            }
        }
        assert_ne!(mint_cid(0), mint_cid(0));
        assert_eq!(cid_owner(&[0u8; 8]), None);
        assert_eq!(cid_owner(&[0u8; CID_BYTES]), None);
    }

    #[test]
    fn a_retry_token_is_bound_to_its_address_and_ages_out() {
        let peer: SocketAddr = "192.0.2.1:4433".parse().expect("address");
        let other: SocketAddr = "192.0.2.1:4434".parse().expect("address");
        let odcid = [9u8; 8];
        let token = retry_token(peer, &odcid, 1_000);
        assert_eq!(
            check_retry_token(&token, peer, 1_500, 10_000),
            Ok(odcid.to_vec())
        );
        assert_eq!(
            check_retry_token(&token, other, 1_500, 10_000),
            Err(TokenError::Forged)
        );
        assert_eq!(
            check_retry_token(&token, peer, 20_000, 10_000),
            Err(TokenError::Expired)
        );
        let mut bent = token.clone();
        bent[3] ^= 1;
        assert_eq!(
            check_retry_token(&bent, peer, 1_500, 10_000),
            Err(TokenError::Forged)
        );
        for cut in [0, 5, 9, token.len() - 1] {
            assert_eq!(
                check_retry_token(&token[..cut], peer, 1_500, 10_000),
                Err(TokenError::Malformed),
                "cut at {cut}"
            );
        }
    }
}
