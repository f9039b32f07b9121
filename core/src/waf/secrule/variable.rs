//! A rule's targets: `ARGS|!ARGS:foo|&TX:score|REQUEST_HEADERS:/^x-/|XML:/*`.
//!
//! Each target names a variable (a collection such as `ARGS`, or a single value such as
//! `REQUEST_LINE`), optionally one member of it (`:name`, matched case-insensitively, or
//! `:/regex/`), and is either counted (`&`: the number of members is the value) or excluded
//! (`!`: the members it names are taken out of the rule's other targets on that collection).

use std::fmt;

use regex::bytes::{Regex, RegexBuilder};

/// A variable the engine knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variable {
    Args,
    ArgsGet,
    ArgsPost,
    ArgsNames,
    ArgsGetNames,
    ArgsPostNames,
    ArgsCombinedSize,
    RequestHeaders,
    RequestHeadersNames,
    RequestCookies,
    RequestCookiesNames,
    RequestLine,
    RequestMethod,
    RequestProtocol,
    RequestUri,
    RequestUriRaw,
    RequestFilename,
    RequestBasename,
    QueryString,
    RequestBody,
    RequestBodyLength,
    ReqbodyProcessor,
    ReqbodyError,
    ReqbodyErrorMsg,
    Files,
    FilesNames,
    FilesSizes,
    FilesCombinedSize,
    MultipartPartHeaders,
    MultipartStrictError,
    MultipartUnmatchedBoundary,
    Xml,
    Tx,
    Env,
    MatchedVar,
    MatchedVarName,
    MatchedVars,
    MatchedVarsNames,
    RemoteAddr,
    RemotePort,
    ServerName,
    UniqueId,
    FullRequest,
    FullRequestLength,
    ResponseStatus,
    ResponseProtocol,
    ResponseHeaders,
    ResponseHeadersNames,
    ResponseBody,
    ResponseContentType,
    ResponseContentLength,
    /// Persistent collections (`IP`, `GLOBAL`, `SESSION`, `USER`, `RESOURCE`): bext keeps no
    /// state across requests in the rule engine, so they are always empty.
    Persistent,
}

/// The names as rules write them (upper case), with the variable each is.
const NAMES: &[(&str, Variable)] = &[
    ("ARGS", Variable::Args),
    ("ARGS_GET", Variable::ArgsGet),
    ("ARGS_POST", Variable::ArgsPost),
    ("ARGS_NAMES", Variable::ArgsNames),
    ("ARGS_GET_NAMES", Variable::ArgsGetNames),
    ("ARGS_POST_NAMES", Variable::ArgsPostNames),
    ("ARGS_COMBINED_SIZE", Variable::ArgsCombinedSize),
    ("REQUEST_HEADERS", Variable::RequestHeaders),
    ("REQUEST_HEADERS_NAMES", Variable::RequestHeadersNames),
    ("REQUEST_COOKIES", Variable::RequestCookies),
    ("REQUEST_COOKIES_NAMES", Variable::RequestCookiesNames),
    ("REQUEST_LINE", Variable::RequestLine),
    ("REQUEST_METHOD", Variable::RequestMethod),
    ("REQUEST_PROTOCOL", Variable::RequestProtocol),
    ("REQUEST_URI", Variable::RequestUri),
    ("REQUEST_URI_RAW", Variable::RequestUriRaw),
    ("REQUEST_FILENAME", Variable::RequestFilename),
    ("REQUEST_BASENAME", Variable::RequestBasename),
    ("QUERY_STRING", Variable::QueryString),
    ("REQUEST_BODY", Variable::RequestBody),
    ("REQUEST_BODY_LENGTH", Variable::RequestBodyLength),
    ("REQBODY_PROCESSOR", Variable::ReqbodyProcessor),
    ("REQBODY_ERROR", Variable::ReqbodyError),
    ("REQBODY_PROCESSOR_ERROR", Variable::ReqbodyError),
    ("REQBODY_ERROR_MSG", Variable::ReqbodyErrorMsg),
    ("FILES", Variable::Files),
    ("FILES_NAMES", Variable::FilesNames),
    ("FILES_SIZES", Variable::FilesSizes),
    ("FILES_COMBINED_SIZE", Variable::FilesCombinedSize),
    ("MULTIPART_PART_HEADERS", Variable::MultipartPartHeaders),
    ("MULTIPART_STRICT_ERROR", Variable::MultipartStrictError),
    (
        "MULTIPART_UNMATCHED_BOUNDARY",
        Variable::MultipartUnmatchedBoundary,
    ),
    ("XML", Variable::Xml),
    ("TX", Variable::Tx),
    ("ENV", Variable::Env),
    ("MATCHED_VAR", Variable::MatchedVar),
    ("MATCHED_VAR_NAME", Variable::MatchedVarName),
    ("MATCHED_VARS", Variable::MatchedVars),
    ("MATCHED_VARS_NAMES", Variable::MatchedVarsNames),
    ("REMOTE_ADDR", Variable::RemoteAddr),
    ("REMOTE_PORT", Variable::RemotePort),
    ("SERVER_NAME", Variable::ServerName),
    ("UNIQUE_ID", Variable::UniqueId),
    ("FULL_REQUEST", Variable::FullRequest),
    ("FULL_REQUEST_LENGTH", Variable::FullRequestLength),
    ("RESPONSE_STATUS", Variable::ResponseStatus),
    ("RESPONSE_PROTOCOL", Variable::ResponseProtocol),
    ("RESPONSE_HEADERS", Variable::ResponseHeaders),
    ("RESPONSE_HEADERS_NAMES", Variable::ResponseHeadersNames),
    ("RESPONSE_BODY", Variable::ResponseBody),
    ("RESPONSE_CONTENT_TYPE", Variable::ResponseContentType),
    ("RESPONSE_CONTENT_LENGTH", Variable::ResponseContentLength),
    ("IP", Variable::Persistent),
    ("GLOBAL", Variable::Persistent),
    ("SESSION", Variable::Persistent),
    ("USER", Variable::Persistent),
    ("RESOURCE", Variable::Persistent),
];

impl Variable {
    /// The variable named `name` (case-insensitive), if the engine knows it.
    pub fn from_name(name: &str) -> Option<Variable> {
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v)
    }

    /// Every variable a rule can name.
    pub fn all() -> impl Iterator<Item = Variable> {
        NAMES.iter().map(|&(_, variable)| variable)
    }

    /// The variable's bit in a [`reads`] mask.
    pub fn bit(self) -> u64 {
        1 << (self as u8)
    }

    /// The name as rules write it.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|&&(_, v)| v == self)
            .map_or("?", |&(n, _)| n)
    }
}

// Every variable has a bit of its own below [`READS_COUNT`].
const _: () = assert!((Variable::Persistent as u8) < 63);

/// In a [`reads`] mask: a counting target (`&ARGS`), which has a value (the count) even
/// when its collection is empty.
pub const READS_COUNT: u64 = 1 << 63;

/// What `targets` read, a bit per variable ([`Variable::bit`]) and [`READS_COUNT`] for a
/// count: a link none of whose bits is among the variables that have members selects
/// nothing, so the engine passes it by without selecting (see the engine's `present`).
/// `!` targets only take values away and are left out.
pub fn reads(targets: &[Target]) -> u64 {
    targets.iter().filter(|t| !t.exclude).fold(0, |mask, t| {
        mask | if t.count {
            READS_COUNT
        } else {
            t.variable.bit()
        }
    })
}

/// Which members of a collection a target takes.
#[derive(Debug, Clone)]
pub enum Selector {
    All,
    /// One member by name, lower case (names compare case-insensitively).
    Key(String),
    /// Members whose name matches.
    Regex(Regex),
}

impl Selector {
    /// Whether a member named `name` is selected.
    pub fn selects(&self, name: &[u8]) -> bool {
        match self {
            Selector::All => true,
            Selector::Key(key) => name.eq_ignore_ascii_case(key.as_bytes()),
            Selector::Regex(regex) => regex.is_match(name),
        }
    }
}

/// One target of a rule.
#[derive(Debug, Clone)]
pub struct Target {
    pub variable: Variable,
    pub selector: Selector,
    /// `&`: the number of selected members is the value.
    pub count: bool,
    /// `!`: removes the selected members from the rule's other targets on this variable.
    pub exclude: bool,
}

/// A target list that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError(pub String);

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a `|`-separated target list. A `|` inside a `/regex/` selector is part of it.
pub fn targets(text: &str) -> Result<Vec<Target>, TargetError> {
    split_targets(text).into_iter().map(target).collect()
}

/// Splits on `|` outside `:/.../` selectors and quotes.
fn split_targets(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut in_regex = false;
    let mut in_quote = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_regex => i += 1,
            b'/' if in_regex => in_regex = false,
            // `:/…/` is a regex, except XML's XPath (`XML:/*`, `XML://@*`).
            b'/' if !in_quote && i > 0 && bytes[i - 1] == b':' => {
                let name = text[start..i - 1].trim().trim_start_matches(['!', '&']);
                in_regex = !name.eq_ignore_ascii_case("XML");
            }
            b'\'' if !in_regex => in_quote = !in_quote,
            b'|' if !in_regex && !in_quote => {
                parts.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(text[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

fn target(text: &str) -> Result<Target, TargetError> {
    let (exclude, text) = match text.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (count, text) = match text.strip_prefix('&') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (name, member) = match text.split_once(':') {
        Some((name, member)) => (name, Some(member)),
        None => (text, None),
    };
    let variable = Variable::from_name(name)
        .ok_or_else(|| TargetError(format!("unknown variable `{name}`")))?;
    let selector = match member {
        None => Selector::All,
        Some(member) => selector(variable, member)?,
    };
    Ok(Target {
        variable,
        selector,
        count,
        exclude,
    })
}

fn selector(variable: Variable, member: &str) -> Result<Selector, TargetError> {
    let member = member
        .strip_prefix('\'')
        .and_then(|m| m.strip_suffix('\''))
        .unwrap_or(member);
    if variable == Variable::Xml {
        // XPath: `/*` is every text node, `//@*` every attribute value; nothing else.
        return match member {
            "/*" => Ok(Selector::Key("/*".into())),
            "//@*" => Ok(Selector::Key("//@*".into())),
            other => Err(TargetError(format!(
                "XPath `{other}` is not supported (XML:/* and XML://@* are)"
            ))),
        };
    }
    if let Some(pattern) = member
        .strip_prefix('/')
        .and_then(|m| m.strip_suffix('/'))
        .filter(|p| !p.is_empty())
    {
        let regex = RegexBuilder::new(pattern)
            .case_insensitive(true)
            .build()
            .map_err(|e| TargetError(format!("selector /{pattern}/ does not compile: {e}")))?;
        return Ok(Selector::Regex(regex));
    }
    Ok(Selector::Key(member.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        targets(text)
            .unwrap()
            .iter()
            .map(|t| {
                let selector = match &t.selector {
                    Selector::All => String::new(),
                    Selector::Key(k) => format!(":{k}"),
                    Selector::Regex(r) => format!(":/{}/", r.as_str()),
                };
                format!(
                    "{}{}{}{selector}",
                    if t.exclude { "!" } else { "" },
                    if t.count { "&" } else { "" },
                    t.variable.name()
                )
            })
            .collect()
    }

    #[test]
    fn target_lists() {
        assert_eq!(
            names("REQUEST_COOKIES|!REQUEST_COOKIES:/__utm/|ARGS_NAMES|ARGS|XML:/*"),
            [
                "REQUEST_COOKIES",
                "!REQUEST_COOKIES:/__utm/",
                "ARGS_NAMES",
                "ARGS",
                "XML:/*"
            ]
        );
        assert_eq!(names("&TX:crs_setup_version"), ["&TX:crs_setup_version"]);
        assert_eq!(
            names("REQUEST_HEADERS:/^(?:a|b)$/|REQUEST_HEADERS:User-Agent"),
            ["REQUEST_HEADERS:/^(?:a|b)$/", "REQUEST_HEADERS:user-agent"]
        );
        assert_eq!(
            names("!REQUEST_COOKIES:'/^_ga$/'"),
            ["!REQUEST_COOKIES:/^_ga$/"]
        );
        assert_eq!(names("ARGS|XML:/*|XML://@*|ARGS_NAMES").len(), 4);
    }

    #[test]
    fn unknown_variables_are_errors() {
        assert!(targets("ARGS|NOPE").is_err());
        assert!(targets("XML:/a/b").is_err());
    }
}
