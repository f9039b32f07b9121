//! The utility registry: a candidate's base (`bg-red-500/50`) to declarations.
//!
//! Static utilities are a table (`statics.rs`); functional ones are split by family, each a
//! table of roots with the properties they set and the theme namespaces they read, plus the
//! few rules that differ (`color.rs`, `spacing.rs`, `typography.rs`, `effects.rs`,
//! `layout.rs`). A family answers `None` for a value it does not know, and the candidate is
//! then dropped silently, as Tailwind drops unknown classes.

mod background;
pub mod color;
mod effects;
mod filters;
mod keywords;
mod layout;
mod masks;
pub mod properties;
mod spacing;
mod statics;
mod typography;

use crate::candidate::Value;
use crate::css::Node;
use crate::theme::Theme;

/// What one utility produces: its declarations (possibly nested rules, `&`-relative) and the
/// `@property` registrations it needs.
#[derive(Default, Debug)]
pub struct Out {
    pub nodes: Vec<Node>,
    pub properties: Vec<&'static str>,
}

impl Out {
    pub fn decls(pairs: &[(&str, &str)]) -> Out {
        Out {
            nodes: pairs.iter().map(|(p, v)| Node::decl(*p, *v)).collect(),
            properties: Vec::new(),
        }
    }

    pub fn same(properties: &[&str], value: &str) -> Out {
        Out {
            nodes: properties.iter().map(|p| Node::decl(*p, value)).collect(),
            properties: Vec::new(),
        }
    }

    /// Adds a sort-only `--tw-sort` hint (stripped before printing).
    pub fn with_sort(mut self, property: &str) -> Out {
        self.nodes.insert(0, Node::decl("--tw-sort", property));
        self
    }

    pub fn with(mut self, properties: &[&'static str]) -> Out {
        self.properties.extend_from_slice(properties);
        self
    }
}

/// The request one functional utility answers.
pub struct Request<'a> {
    pub root: &'a str,
    pub value: &'a Value,
    pub modifier: Option<&'a Value>,
    pub negative: bool,
    pub theme: &'a Theme,
}

/// The base utility for `text` (root and value not yet split).
pub fn compile(text: &str, modifier: Option<&Value>, negative: bool, theme: &Theme) -> Option<Out> {
    if text == "@container"
        && !negative
        && let Some(Value::Named(name)) = modifier
    {
        return Some(Out::decls(&[
            ("container-type", "inline-size"),
            ("container-name", name),
        ]));
    }
    let out = compile_split(text, modifier, negative, theme);
    if out.is_some() {
        return out;
    }
    // `w-1/2`: what looked like a modifier is a fraction.
    match modifier {
        Some(Value::Named(m)) => compile_split(&format!("{text}/{m}"), None, negative, theme),
        _ => None,
    }
}

fn compile_split(
    text: &str,
    modifier: Option<&Value>,
    negative: bool,
    theme: &Theme,
) -> Option<Out> {
    if modifier.is_none()
        && !negative
        && let Some(out) = statics::lookup(text, theme)
    {
        return Some(out);
    }
    for (root, value) in crate::candidate::Base::splits(text) {
        let Some(value) = value else { continue };
        let request = Request {
            root,
            value: &value,
            modifier,
            negative,
            theme,
        };
        if let Some((_, property)) = keywords::ARBITRARY.iter().find(|(r, _)| *r == root)
            && let Some(value) = arbitrary(&value)
            && modifier.is_none()
            && !negative
        {
            return Some(Out::same(&[property], value));
        }
        // Longer roots first: `inset-shadow-sm` is not `inset` with `shadow-sm`.
        let out = filters::compile(&request)
            .or_else(|| masks::compile(&request))
            .or_else(|| spacing::compile(&request))
            .or_else(|| background::compile(&request))
            .or_else(|| color::compile(&request))
            .or_else(|| typography::compile(&request))
            .or_else(|| effects::compile(&request))
            .or_else(|| layout::compile(&request));
        if out.is_some() {
            return out;
        }
    }
    None
}

/// `calc(x * -1)` for negative candidates.
pub fn negate(value: &str, negative: bool) -> String {
    if negative {
        format!("calc({value} * -1)")
    } else {
        value.to_string()
    }
}

/// A bare number Tailwind accepts as a value (`4`, `0.5`, `2.5`): digits with an optional
/// fraction.
pub fn is_number(text: &str) -> bool {
    let mut parts = text.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

pub fn is_integer(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `1/2`, `2/3`: a fraction of positive integers.
pub fn is_fraction(text: &str) -> bool {
    text.split_once('/')
        .is_some_and(|(a, b)| is_integer(a) && is_integer(b) && b != "0")
}

/// The value of a named key in a theme namespace, as a utility refers to it.
pub fn theme_value(request: &Request, namespaces: &[&str]) -> Option<String> {
    let name = request.value.named()?;
    let entry = request.theme.lookup(name, namespaces)?;
    Some(request.theme.reference(entry))
}

/// The value of an arbitrary `[…]`/`(…)` value.
pub fn arbitrary(value: &Value) -> Option<&str> {
    match value {
        Value::Arbitrary { value, .. } => Some(value),
        Value::Named(_) => None,
    }
}

pub fn hint(value: &Value) -> Option<&str> {
    match value {
        Value::Arbitrary { hint, .. } => hint.as_deref(),
        Value::Named(_) => None,
    }
}
