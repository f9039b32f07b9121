//! Which `[[site]]` answers a request, from its `Host`.
//!
//! Order: an exact host name, then the longest matching `*.suffix` wildcard, then the default
//! site. A wildcard needs at least one label in place of the `*`: `*.example.com` matches
//! `a.example.com` and `a.b.example.com`, never `example.com` itself.
//!
//! # Design
//!
//! [`SiteTable::select`] runs once per request, so it does no heap allocation: the host is
//! lowercased into a stack buffer of [`HOST_BYTES_MAX`] bytes (a longer host cannot be a DNS
//! name and falls to the default site) and looked up in two hash maps, one for exact names and
//! one for wildcard suffixes (stored without the `*.`). The longest wildcard is found by
//! trying the suffix after each dot from left to right, so the first hit is the longest, and
//! the cost is one lookup per label, whatever the number of sites.
//!
//! Host names in the table were normalised by the config parser (lowercase, no trailing dot);
//! the request side gets the same treatment here: `:port` stripped (`[v6]:port` kept as
//! `[v6]`), one trailing dot ignored, ASCII case folded. Anything malformed simply matches no
//! name and gets the default site: the answer to a bad `Host` is decided elsewhere (400).

use rustc_hash::FxHashMap as HashMap;

use crate::config::SiteConfig;

pub use crate::limits::HOST_BYTES_MAX;

/// Host name to site index, built once from the config and shared by every request.
#[derive(Clone, Debug)]
pub struct SiteTable {
    exact: HashMap<Box<[u8]>, usize>,
    /// `*.example.com` is stored as `example.com`.
    wildcard: HashMap<Box<[u8]>, usize>,
    default: usize,
}

impl SiteTable {
    /// Builds the table. `sites` must not be empty (a validated [`crate::config::Config`]
    /// never is). The default is the first site with `default` set, else the first site; a
    /// host listed twice belongs to its first site (the config parser refuses both cases).
    pub fn new(sites: &[SiteConfig]) -> SiteTable {
        assert!(!sites.is_empty(), "a site table needs at least one site");
        let mut exact = HashMap::default();
        let mut wildcard = HashMap::default();
        for (index, site) in sites.iter().enumerate() {
            for host in &site.hosts {
                let (map, name) = match host.strip_prefix("*.") {
                    Some(suffix) => (&mut wildcard, suffix),
                    None => (&mut exact, host.as_str()),
                };
                let key: Box<[u8]> = name.to_ascii_lowercase().into_bytes().into_boxed_slice();
                map.entry(key).or_insert(index);
            }
        }
        let default = sites.iter().position(|site| site.default).unwrap_or(0);
        SiteTable {
            exact,
            wildcard,
            default,
        }
    }

    /// The index (into the config's `sites`) of the site that answers `host`, the raw value of
    /// the request's `Host` header (or the `:authority`), or `None` when the request had none.
    pub fn select(&self, host: Option<&[u8]>) -> usize {
        if self.exact.is_empty() && self.wildcard.is_empty() {
            return self.default;
        }
        let mut buffer = [0u8; HOST_BYTES_MAX];
        let Some(name) = host.and_then(|host| host_name(host, &mut buffer)) else {
            return self.default;
        };
        if let Some(&site) = self.exact.get(name) {
            return site;
        }
        if !self.wildcard.is_empty() {
            // Left to right, so the first suffix found is the longest. A dot at 0 would leave
            // no label for the `*` to stand for.
            for (at, &byte) in name.iter().enumerate().skip(1) {
                if byte == b'.'
                    && let Some(&site) = self.wildcard.get(&name[at + 1..])
                {
                    return site;
                }
            }
        }
        self.default
    }

    /// The site that answers requests no host name matches.
    pub fn default_site(&self) -> usize {
        self.default
    }
}

/// The comparable name in a `Host` value, lowercased into `buffer`: without `:port`, without
/// one trailing dot. `None` when nothing is left or the name does not fit.
fn host_name<'b>(host: &[u8], buffer: &'b mut [u8; HOST_BYTES_MAX]) -> Option<&'b [u8]> {
    let host = host.trim_ascii();
    let name = if host.starts_with(b"[") {
        // `[v6]` or `[v6]:port`: the brackets are part of the name, the port is not.
        let close = host.iter().position(|&b| b == b']')?;
        &host[..=close]
    } else {
        // Names have no colon, so everything from the first one on is the port.
        let end = host.iter().position(|&b| b == b':').unwrap_or(host.len());
        &host[..end]
    };
    let name = name.strip_suffix(b".").unwrap_or(name);
    if name.is_empty() || name.len() > HOST_BYTES_MAX {
        return None;
    }
    let out = &mut buffer[..name.len()];
    out.copy_from_slice(name);
    out.make_ascii_lowercase();
    Some(out)
}
