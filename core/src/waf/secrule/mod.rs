//! A SecRule engine: the ModSecurity rule language, enough of it to run the OWASP Core
//! Rule Set v4 as ModSecurity and Coraza run it.
//!
//! - [`parse`]: rule files into directives (line continuations, quoting);
//! - [`variable`], [`action`], [`operator`], [`transform`], [`expand`]: the parts of a rule;
//! - [`rule`]: directives into a [`RuleSet`], phase by phase, with markers, chains, phase
//!   defaults and the load-time exclusions applied;
//! - [`body`]: query strings, cookies and request bodies (urlencoded, multipart, JSON,
//!   XML) into the engine's collections;
//! - [`fold`]: the rules whose outcome is the same for every request (CRS's setup and its
//!   paranoia-level skips) worked out once when the set loads;
//! - [`prefilter`]: the `@rx` patterns of rules that search the same values, as one regex
//!   set per group, so a rule whose pattern cannot match is answered without its regex;
//! - [`engine`]: one transaction through a rule set, request and response phases, to a
//!   [`Verdict`];
//! - [`memo`]: transactions' outcomes kept per shard, so a request that repeats byte for
//!   byte takes the outcome rather than running the rules again.
//!
//! Sans-I/O like the rest of `core`: data files named by `@pmFromFile` are read by the
//! caller's closure, the request is handed in as bytes, and the verdict says what to do.
//! Matching is `regex` over bytes (every CRS v4 `@rx` compiles there), `aho-corasick` for
//! phrase lists and a pure-Rust libinjection for `@detectSQLi`/`@detectXSS`.

pub mod action;
pub mod body;
pub mod engine;
pub mod expand;
pub mod fold;
pub mod memo;
pub mod operator;
pub mod parse;
pub mod prefilter;
pub mod rule;
pub mod settings;
pub mod transform;
pub mod variable;

pub use engine::{Interruption, Match, Request, ResponseHead, Transaction, Verdict};
pub use memo::{Exchange, Memo, MemoCounts};
pub use rule::{Builder, RuleError, RuleSet};
