//! Subscriber tokens: which topics a client may subscribe to, until when, signed with the
//! `[realtime] secret` (HMAC-SHA-256).
//!
//! The form is `v1.PAYLOAD.SIGNATURE`, both parts base64url without padding; the payload is
//! JSON `{"topics": ["chat.42", "news.*"], "exp": 1767225600}` (a topic ending in `.*`
//! allows every topic under that prefix; `exp` in Unix seconds). The signature covers
//! `v1.PAYLOAD`, so the version cannot be swapped, and is checked in constant time before
//! the payload is read at all. A server makes tokens with [`sign`] (`bext realtime token`
//! prints one); an application server that shares the secret can make them itself: it is
//! the same scheme as a JWT with HS256, without the header.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::topic_valid;
use crate::limits::{REALTIME_TOKEN_BYTES_MAX, REALTIME_TOPICS_PER_SUBSCRIPTION_MAX};

const PREFIX: &str = "v1.";

/// What a token lets its holder do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// Topics, or prefixes ending in `.*`.
    pub topics: Vec<String>,
    /// Expiry, Unix seconds.
    pub exp: u64,
}

impl Claims {
    /// Whether the claims allow subscribing to `topic`.
    pub fn allows(&self, topic: &str) -> bool {
        self.topics
            .iter()
            .any(|allowed| match allowed.strip_suffix('*') {
                Some(prefix) => prefix.ends_with('.') && topic.starts_with(prefix),
                None => allowed == topic,
            })
    }
}

/// Why a token was refused (the 403's reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    BadSignature,
    Expired,
}

impl TokenError {
    pub fn reason(self) -> &'static str {
        match self {
            TokenError::Malformed => "malformed token",
            TokenError::BadSignature => "token signature does not verify",
            TokenError::Expired => "token expired",
        }
    }
}

/// A token for `claims`, signed with `secret`.
pub fn sign(secret: &[u8], claims: &Claims) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signed = format!("{PREFIX}{payload}");
    let tag = mac(secret, signed.as_bytes()).finalize().into_bytes();
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// The claims of `token` if `secret` signed it and it has not expired at `now_s`.
pub fn verify(secret: &[u8], token: &str, now_s: u64) -> Result<Claims, TokenError> {
    if token.len() > REALTIME_TOKEN_BYTES_MAX || !token.starts_with(PREFIX) {
        return Err(TokenError::Malformed);
    }
    let (signed, tag) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| TokenError::Malformed)?;
    mac(secret, signed.as_bytes())
        .verify_slice(&tag)
        .map_err(|_| TokenError::BadSignature)?;
    let payload = URL_SAFE_NO_PAD
        .decode(&signed[PREFIX.len()..])
        .map_err(|_| TokenError::Malformed)?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
    let well_formed = claims.topics.len() <= REALTIME_TOPICS_PER_SUBSCRIPTION_MAX
        && claims.topics.iter().all(|t| {
            let name = t.strip_suffix(".*").unwrap_or(t);
            topic_valid(name)
        });
    if !well_formed {
        return Err(TokenError::Malformed);
    }
    if claims.exp <= now_s {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

fn mac(secret: &[u8], data: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length (a long one is hashed first): this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    };
    mac.update(data);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn claims(topics: &[&str], exp: u64) -> Claims {
        Claims {
            topics: topics.iter().map(|t| t.to_string()).collect(),
            exp,
        }
    }

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let token = sign(SECRET, &claims(&["chat.42", "news.*"], 1000));
        let got = verify(SECRET, &token, 999).expect("valid");
        assert!(got.allows("chat.42"));
        assert!(got.allows("news.sport"));
        assert!(!got.allows("chat.43"));
        assert!(!got.allows("news"), "a prefix allows what is under it only");
        assert_eq!(verify(SECRET, &token, 1000), Err(TokenError::Expired));
    }

    #[test]
    fn tampering_and_other_secrets_are_refused() {
        let token = sign(SECRET, &claims(&["a"], 1000));
        assert_eq!(
            verify(b"another secret, as long as the first", &token, 0),
            Err(TokenError::BadSignature)
        );
        // A payload swapped for one that allows more, the signature kept.
        let (_, tag) = token.rsplit_once('.').expect("three parts");
        let wider = sign(SECRET, &claims(&["a", "b"], 1000));
        let (signed, _) = wider.rsplit_once('.').expect("three parts");
        assert_eq!(
            verify(SECRET, &format!("{signed}.{tag}"), 0),
            Err(TokenError::BadSignature)
        );
        for bad in ["", "v2.e30.AAAA", "v1.!!.??"] {
            assert_eq!(
                verify(SECRET, bad, 0),
                Err(TokenError::Malformed),
                "{bad:?}"
            );
        }
        // Too short to be signed: whatever part is read as the signature does not verify.
        for bad in ["v1.", "v1..", "v1.e30"] {
            assert_eq!(
                verify(SECRET, bad, 0),
                Err(TokenError::BadSignature),
                "{bad:?}"
            );
        }
        // Signed, but naming an invalid topic.
        let odd = sign(SECRET, &claims(&["no spaces"], 1000));
        assert_eq!(verify(SECRET, &odd, 0), Err(TokenError::Malformed));
    }
}
