//! Choosing a precompressed variant (`app.js.br`, `app.js.gz`) from `Accept-Encoding`.
//!
//! bext never compresses on the fly; it serves a sibling file the site built ahead of time
//! (nginx `gzip_static` / `brotli_static`, Caddy `precompressed`). The runtime learns once per
//! cache entry which siblings exist and asks here per request which one to send.
//!
//! Rules (RFC 9110 §12.5.3), with the decisions where the RFC leaves room:
//!
//! - Codings and the `q` parameter name are case-insensitive; `x-gzip` is `gzip`. A `q` that is
//!   not a valid qvalue (`q=2`, `q=abc`) drops that one element, not the header.
//! - A coding not listed takes the `*` weight when `*` is present, else it is not acceptable.
//!   When a coding is listed twice, the first listing counts.
//! - `identity` not listed (and no `*`) is acceptable with the lowest weight, so any listed
//!   compression beats it; listed with a weight above a compression's (`gzip;q=0.5,
//!   identity`), it wins.
//! - Brotli beats gzip at equal weight: smaller for the same content, and every browser that
//!   sends `br` decodes it.
//! - No header, or an empty one, means identity. (The RFC would allow any coding when the
//!   header is absent, but clients that send none are often tools that cannot decode.)
//! - Never 406: when identity is refused (`identity;q=0`) and no acceptable variant exists,
//!   the identity file is sent anyway, as nginx and Caddy do; a 406 helps no one.
//!
//! Per request, so no allocation: one pass over the header bytes.

use crate::field::trim_ows as trim;

/// A content coding bext can serve from a precompressed sibling file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// The file itself.
    Identity,
    /// The `.br` sibling.
    Brotli,
    /// The `.gz` sibling.
    Gzip,
}

impl Encoding {
    /// What to append to the file's name to find this variant.
    pub fn suffix(self) -> &'static str {
        match self {
            Encoding::Identity => "",
            Encoding::Brotli => ".br",
            Encoding::Gzip => ".gz",
        }
    }

    /// The `Content-Encoding` value, or `None` when no such header is sent: RFC 9110 reserves
    /// `identity` for `Accept-Encoding`, so it never appears in `Content-Encoding`.
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
        }
    }

    /// What [`super::etag`] appends inside the quotes, so each variant has its own validator.
    pub fn etag_suffix(self) -> &'static str {
        match self {
            Encoding::Identity => "",
            Encoding::Brotli => "-br",
            Encoding::Gzip => "-gz",
        }
    }
}

/// Weights in thousandths, so `q=0.001` is 1 and `q=1` is 1000.
type Weight = u16;
// tidy: not a limit: the q-value scale of RFC 9110 (q=1 is 1000 thousandths).
const WEIGHT_MAX: Weight = 1000;

/// Picks which variant to send. `have_br`/`have_gz` say which siblings exist.
pub fn choose_encoding(accept_encoding: Option<&[u8]>, have_br: bool, have_gz: bool) -> Encoding {
    let Some(header) = accept_encoding else {
        return Encoding::Identity;
    };
    let weights = Weights::parse(header);
    let star = weights.star;
    let brotli = if have_br {
        weights.brotli.or(star).unwrap_or(0)
    } else {
        0
    };
    let gzip = if have_gz {
        weights.gzip.or(star).unwrap_or(0)
    } else {
        0
    };
    // Unlisted identity: acceptable, below every listed compression (weight 1 ties the lowest
    // nonzero qvalue, and ties go to the compression).
    let identity = weights.identity.or(star).unwrap_or(1);

    let (best, best_weight) = if gzip > brotli {
        (Encoding::Gzip, gzip)
    } else {
        (Encoding::Brotli, brotli)
    };
    if best_weight > 0 && best_weight >= identity {
        best
    } else {
        Encoding::Identity
    }
}

/// The weight each coding of interest was given, `None` when not listed.
#[derive(Default)]
struct Weights {
    brotli: Option<Weight>,
    gzip: Option<Weight>,
    identity: Option<Weight>,
    star: Option<Weight>,
}

impl Weights {
    fn parse(header: &[u8]) -> Weights {
        let mut weights = Weights::default();
        for element in header.split(|&b| b == b',') {
            let mut parts = element.split(|&b| b == b';');
            let coding = trim(parts.next().unwrap_or_default());
            let Some(weight) = element_weight(parts) else {
                continue;
            };
            let slot = if coding.eq_ignore_ascii_case(b"br") {
                &mut weights.brotli
            } else if coding.eq_ignore_ascii_case(b"gzip") || coding.eq_ignore_ascii_case(b"x-gzip")
            {
                &mut weights.gzip
            } else if coding.eq_ignore_ascii_case(b"identity") {
                &mut weights.identity
            } else if coding == b"*" {
                &mut weights.star
            } else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(weight);
            }
        }
        weights
    }
}

/// The `q` among an element's parameters (1000 when absent), or `None` when it is malformed.
fn element_weight<'a>(parameters: impl Iterator<Item = &'a [u8]>) -> Option<Weight> {
    for parameter in parameters {
        let parameter = trim(parameter);
        let Some(equals) = parameter.iter().position(|&b| b == b'=') else {
            continue;
        };
        let (name, value) = (trim(&parameter[..equals]), trim(&parameter[equals + 1..]));
        if name.eq_ignore_ascii_case(b"q") {
            return parse_qvalue(value);
        }
    }
    Some(WEIGHT_MAX)
}

/// RFC 9110 `qvalue`: `0[.ddd]` or `1[.000]`, at most three decimals.
fn parse_qvalue(value: &[u8]) -> Option<Weight> {
    let (whole, fraction) = match value.iter().position(|&b| b == b'.') {
        Some(dot) => (&value[..dot], &value[dot + 1..]),
        None => (value, &b""[..]),
    };
    if fraction.len() > 3 || !fraction.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut thousandths: Weight = 0;
    for place in 0..3 {
        let digit = fraction.get(place).map_or(0, |&d| Weight::from(d - b'0'));
        thousandths = thousandths * 10 + digit;
    }
    match whole {
        b"0" => Some(thousandths),
        b"1" if thousandths == 0 => Some(WEIGHT_MAX),
        _ => None,
    }
}
