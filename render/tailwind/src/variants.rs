//! Variants (`hover:`, `md:`, `group-focus:`, `data-[state=open]:`, custom ones).
//!
//! Every variant is a template: a small CSS tree with one `@slot` where the utility's
//! declarations go (`hover` is `@media (hover: hover) { &:hover { @slot } }`). Applying
//! variants right to left nests templates, and `emit::flatten` then resolves `&` and hoists
//! at-rules, which gives the same shapes Tailwind's nesting does. Compound variants
//! (`group-*`, `peer-*`, `has-*`, `in-*`, `not-*`) rewrite the selectors of their inner
//! variant's template.
//!
//! Sorting: each variant gets an [`Order`] — the position of its family in Tailwind's
//! registration order, then a value within the family (breakpoints by size) — and a
//! candidate's variants become a bit set over the orders used, compared as a number.

use crate::candidate::{Value, parse_value, split_top_level};
use crate::css::Node;
use crate::theme::Theme;

/// Where a variant sorts: family position, then family-specific keys.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Order(pub u32, pub Vec<Part>);

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    Number(i64),
    Text(String),
    Inner(Order),
}

pub struct Resolved {
    pub template: Vec<Node>,
    pub order: Order,
}

/// A variant defined with `@custom-variant`, as a template.
#[derive(Clone, Debug)]
pub struct Custom {
    pub name: String,
    pub template: Vec<Node>,
}

/// Built-in families in Tailwind's registration order. Static selector variants carry their
/// selector; the rest are handled by name in [`resolve`].
#[rustfmt::skip]
const FAMILIES: &[(&str, Kind)] = &[
    ("*", Kind::Selector(":is(& > *)")),
    ("**", Kind::Selector(":is(& *)")),
    ("not", Kind::Compound),
    ("group", Kind::Compound),
    ("peer", Kind::Compound),
    ("first-letter", Kind::Selector("&::first-letter")),
    ("first-line", Kind::Selector("&::first-line")),
    ("marker", Kind::Selector("& *::marker, &::marker, & *::-webkit-details-marker, &::-webkit-details-marker")),
    ("selection", Kind::Selector("& *::selection, &::selection")),
    ("file", Kind::Selector("&::file-selector-button")),
    ("placeholder", Kind::Selector("&::placeholder")),
    ("backdrop", Kind::Selector("&::backdrop")),
    ("details-content", Kind::Selector("&::details-content")),
    ("before", Kind::Content("&::before")),
    ("after", Kind::Content("&::after")),
    ("first", Kind::Selector("&:first-child")),
    ("last", Kind::Selector("&:last-child")),
    ("only", Kind::Selector("&:only-child")),
    ("odd", Kind::Selector("&:nth-child(odd)")),
    ("even", Kind::Selector("&:nth-child(even)")),
    ("first-of-type", Kind::Selector("&:first-of-type")),
    ("last-of-type", Kind::Selector("&:last-of-type")),
    ("only-of-type", Kind::Selector("&:only-of-type")),
    ("visited", Kind::Selector("&:visited")),
    ("target", Kind::Selector("&:target")),
    ("open", Kind::Selector("&:is([open], :popover-open, :open)")),
    ("default", Kind::Selector("&:default")),
    ("checked", Kind::Selector("&:checked")),
    ("indeterminate", Kind::Selector("&:indeterminate")),
    ("placeholder-shown", Kind::Selector("&:placeholder-shown")),
    ("autofill", Kind::Selector("&:autofill")),
    ("optional", Kind::Selector("&:optional")),
    ("required", Kind::Selector("&:required")),
    ("valid", Kind::Selector("&:valid")),
    ("invalid", Kind::Selector("&:invalid")),
    ("user-valid", Kind::Selector("&:user-valid")),
    ("user-invalid", Kind::Selector("&:user-invalid")),
    ("in-range", Kind::Selector("&:in-range")),
    ("out-of-range", Kind::Selector("&:out-of-range")),
    ("read-only", Kind::Selector("&:read-only")),
    ("empty", Kind::Selector("&:empty")),
    ("focus-within", Kind::Selector("&:focus-within")),
    ("hover", Kind::Hover),
    ("focus", Kind::Selector("&:focus")),
    ("focus-visible", Kind::Selector("&:focus-visible")),
    ("active", Kind::Selector("&:active")),
    ("enabled", Kind::Selector("&:enabled")),
    ("disabled", Kind::Selector("&:disabled")),
    ("inert", Kind::Selector("&:is([inert], [inert] *)")),
    ("in", Kind::Compound),
    ("has", Kind::Compound),
    ("aria", Kind::Functional),
    ("data", Kind::Functional),
    ("nth", Kind::Functional),
    ("nth-last", Kind::Functional),
    ("nth-of-type", Kind::Functional),
    ("nth-last-of-type", Kind::Functional),
    ("supports", Kind::Functional),
    ("motion-safe", Kind::Media("(prefers-reduced-motion: no-preference)")),
    ("motion-reduce", Kind::Media("(prefers-reduced-motion: reduce)")),
    ("contrast-more", Kind::Media("(prefers-contrast: more)")),
    ("contrast-less", Kind::Media("(prefers-contrast: less)")),
    ("max", Kind::Functional),
    ("min", Kind::Functional),
    ("@max", Kind::Functional),
    ("@", Kind::Functional),
    ("@min", Kind::Functional),
    ("portrait", Kind::Media("(orientation: portrait)")),
    ("landscape", Kind::Media("(orientation: landscape)")),
    ("ltr", Kind::Selector("&:where(:dir(ltr), [dir=\"ltr\"], [dir=\"ltr\"] *)")),
    ("rtl", Kind::Selector("&:where(:dir(rtl), [dir=\"rtl\"], [dir=\"rtl\"] *)")),
    ("dark", Kind::Media("(prefers-color-scheme: dark)")),
    ("starting", Kind::AtRule("starting-style", "")),
    ("print", Kind::Media("print")),
    ("forced-colors", Kind::Media("(forced-colors: active)")),
    ("inverted-colors", Kind::Media("(inverted-colors: inverted)")),
    ("pointer-none", Kind::Media("(pointer: none)")),
    ("pointer-coarse", Kind::Media("(pointer: coarse)")),
    ("pointer-fine", Kind::Media("(pointer: fine)")),
    ("any-pointer-none", Kind::Media("(any-pointer: none)")),
    ("any-pointer-coarse", Kind::Media("(any-pointer: coarse)")),
    ("any-pointer-fine", Kind::Media("(any-pointer: fine)")),
    ("noscript", Kind::Media("(scripting: none)")),
];

#[derive(Clone, Copy)]
enum Kind {
    Selector(&'static str),
    Content(&'static str),
    Media(&'static str),
    AtRule(&'static str, &'static str),
    Hover,
    Compound,
    Functional,
}

fn family_index(name: &str) -> Option<u32> {
    FAMILIES
        .iter()
        .position(|(n, _)| *n == name)
        .map(|i| i as u32)
}

/// Arbitrary variants sort after every registered one, custom variants after built-ins.
const CUSTOM_ORDER_BASE: u32 = 1_000;
const ARBITRARY_ORDER: u32 = 2_000;

pub fn slot() -> Node {
    Node::AtRule {
        name: "slot".to_string(),
        params: String::new(),
        nodes: None,
        at: 0,
    }
}

/// A selector variant; a list (`& *::marker, &::marker`) is one rule a selector, as
/// Tailwind prints it.
fn selector(template: &str) -> Vec<Node> {
    split_top_level(template, b',')
        .into_iter()
        .map(|s| Node::rule(s.trim(), vec![slot()]))
        .collect()
}

/// At-rule variants wrap a `&` rule so that flattening hoists them above the utility's rule.
fn at_rule(name: &str, params: &str) -> Vec<Node> {
    vec![Node::at_rule(name, params, selector("&"))]
}

fn media(query: &str) -> Vec<Node> {
    at_rule("media", query)
}

/// The template and sort order for one variant, or `None` if it is unknown (the candidate
/// is then dropped).
pub fn resolve(variant: &str, theme: &Theme, custom: &[Custom]) -> Option<Resolved> {
    if let Some((i, found)) = custom
        .iter()
        .enumerate()
        .rev()
        .find(|(_, c)| c.name == variant)
    {
        let order = match family_index(variant) {
            Some(index) => Order(index, Vec::new()),
            None => Order(CUSTOM_ORDER_BASE + i as u32, Vec::new()),
        };
        return Some(Resolved {
            template: found.template.clone(),
            order,
        });
    }
    if let Some(inner) = variant.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        return arbitrary(inner);
    }
    if let Some(value) = theme.get(&format!("--breakpoint-{variant}")) {
        return Some(Resolved {
            template: media(&format!("(width >= {})", value.value)),
            order: Order(family_index("min")?, breakpoint_parts(&value.value, 1)),
        });
    }
    if let Some((index, (_, kind))) = FAMILIES
        .iter()
        .enumerate()
        .find(|(_, (n, _))| *n == variant)
    {
        let order = Order(index as u32, Vec::new());
        let template = match kind {
            Kind::Selector(s) => selector(s),
            Kind::Content(s) => vec![Node::rule(
                *s,
                vec![Node::decl("content", "var(--tw-content)"), slot()],
            )],
            Kind::Media(q) => media(q),
            Kind::AtRule(name, params) => at_rule(name, params),
            Kind::Hover => vec![Node::rule("&:hover", media("(hover: hover)"))],
            Kind::Compound | Kind::Functional => return None,
        };
        return Some(Resolved { template, order });
    }
    functional(variant, theme, custom)
}

fn functional(variant: &str, theme: &Theme, custom: &[Custom]) -> Option<Resolved> {
    // Longest family name that prefixes the variant.
    let (index, family) = FAMILIES
        .iter()
        .enumerate()
        .filter(|(_, (n, k))| {
            matches!(k, Kind::Compound | Kind::Functional)
                && variant.len() > n.len()
                && variant.starts_with(n)
                && (variant.as_bytes()[n.len()] == b'-' || *n == "@")
        })
        .max_by_key(|(_, (n, _))| n.len())
        .map(|(i, (n, _))| (i as u32, *n))?;
    let rest = variant[family.len()..].trim_start_matches('-');
    let (rest, modifier) = match split_top_level(rest, b'/').as_slice() {
        [value] => (*value, None),
        [value, modifier] => (*value, Some(*modifier)),
        _ => return None,
    };
    match family {
        "has" if rest.starts_with('[') => {
            let inner = rest.strip_prefix('[')?.strip_suffix(']')?;
            let value = crate::candidate::decode_arbitrary(inner);
            Some(Resolved {
                // A relative selector (`>img`) stays as it is; anything else is wrapped.
                template: selector(&if value.starts_with(['>', '+', '~']) {
                    format!("&:has({value})")
                } else {
                    format!("&:has(:is({value}))")
                }),
                order: Order(index, vec![Part::Number(1), Part::Text(value)]),
            })
        }
        "group" | "peer" | "in" | "has" | "not" => {
            let inner = resolve(rest, theme, custom)?;
            let template = if family == "not" {
                negate(&inner.template)?
            } else {
                compound(family, modifier, &inner.template)?
            };
            // Without a modifier first, then by modifier.
            let modifier_key = match modifier {
                None => Part::Number(0),
                Some(m) => Part::Text(format!("~{m}")),
            };
            Some(Resolved {
                template,
                order: Order(index, vec![Part::Inner(inner.order), modifier_key]),
            })
        }
        _ => {
            if modifier.is_some() && family != "@" && family != "@max" {
                return None;
            }
            // Variant values take no data-type hint: `supports-[display:grid]`.
            let value = match rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                Some(inner) => Value::Arbitrary {
                    value: crate::candidate::decode_arbitrary(inner),
                    hint: None,
                },
                None => parse_value(rest)?,
            };
            let template = functional_template(family, &value, modifier, theme)?;
            // Named values before arbitrary ones; breakpoints by unit, then by size.
            let key = match (family, &value) {
                ("min" | "@" | "@min", _) => breakpoint_key(&value, theme, 1)?,
                ("max" | "@max", _) => breakpoint_key(&value, theme, -1)?,
                (_, Value::Named(n)) => vec![Part::Number(0), Part::Text(n.clone())],
                (_, Value::Arbitrary { value, .. }) => {
                    vec![Part::Number(1), Part::Text(value.clone())]
                }
            };
            // `@min-*` sorts with `@*`.
            let index = if family == "@min" {
                family_index("@")?
            } else {
                index
            };
            Some(Resolved {
                template,
                order: Order(index, key),
            })
        }
    }
}

fn functional_template(
    family: &str,
    value: &Value,
    modifier: Option<&str>,
    theme: &Theme,
) -> Option<Vec<Node>> {
    let raw = match value {
        Value::Named(n) => n.as_str(),
        Value::Arbitrary { value, .. } => value.as_str(),
    };
    let arbitrary = matches!(value, Value::Arbitrary { .. });
    Some(match family {
        "aria" if arbitrary => selector(&format!("&[aria-{}]", quote_attribute(raw))),
        "aria" => selector(&format!("&[aria-{raw}=\"true\"]")),
        "data" => selector(&format!("&[data-{}]", quote_attribute(raw))),
        "nth" | "nth-last" | "nth-of-type" | "nth-last-of-type" => {
            if !arbitrary && !raw.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let pseudo = match family {
                "nth" => "nth-child",
                "nth-last" => "nth-last-child",
                other => other,
            };
            selector(&format!("&:{pseudo}({raw})"))
        }
        "supports" => {
            let query = if raw.contains('(') && !raw.starts_with('(') {
                raw.to_string()
            } else {
                let with_value = if raw.contains(':') {
                    raw.to_string()
                } else {
                    format!("{raw}: var(--tw)")
                };
                if with_value.starts_with('(') && with_value.ends_with(')') {
                    with_value
                } else {
                    format!("({with_value})")
                }
            };
            at_rule("supports", &query)
        }
        "@min" => return functional_template("@", value, modifier, theme),
        "min" | "max" => {
            let width = breakpoint_value(value, theme, "--breakpoint")?;
            let op = if family == "min" { ">=" } else { "<" };
            media(&format!("(width {op} {width})"))
        }
        "@" | "@max" => {
            let width = breakpoint_value(value, theme, "--container")?;
            let op = if family == "@" { ">=" } else { "<" };
            let query = match modifier {
                Some(name) => format!("{name} (width {op} {width})"),
                None => format!("(width {op} {width})"),
            };
            at_rule("container", &query)
        }
        _ => return None,
    })
}

fn breakpoint_value(value: &Value, theme: &Theme, namespace: &str) -> Option<String> {
    match value {
        Value::Named(n) => theme
            .get(&format!("{namespace}-{n}"))
            .map(|e| e.value.clone()),
        Value::Arbitrary { value, .. } => Some(value.clone()),
    }
}

fn breakpoint_key(value: &Value, theme: &Theme, direction: i64) -> Option<Vec<Part>> {
    let raw = breakpoint_value(value, theme, "--breakpoint")
        .or_else(|| breakpoint_value(value, theme, "--container"))?;
    Some(breakpoint_parts(&raw, direction))
}

/// Tailwind buckets breakpoints by unit (`px` before `rem`), then orders by number.
fn breakpoint_parts(raw: &str, direction: i64) -> Vec<Part> {
    let bucket: String = raw
        .chars()
        .filter(|c| !(c.is_ascii_digit() || *c == '.'))
        .collect();
    let digits_end = raw
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(raw.len());
    let number: f64 = raw[..digits_end].parse().unwrap_or(0.0);
    vec![
        Part::Text(bucket),
        Part::Number(direction * (number * 1000.0) as i64),
    ]
}

/// `state=open` → `state="open"`, as Tailwind quotes attribute values.
fn quote_attribute(raw: &str) -> String {
    let Some(eq) = raw.find('=') else {
        return raw.to_string();
    };
    let (name, value) = (&raw[..eq], &raw[eq + 1..]);
    let (name, op) = match name.chars().last() {
        Some(c @ ('~' | '|' | '^' | '$' | '*')) => (&name[..name.len() - 1], format!("{c}=")),
        _ => (name, "=".to_string()),
    };
    let (value, flag) = match value.rsplit_once(' ') {
        Some((v, f)) if f == "i" || f == "s" => (v, format!(" {f}")),
        _ => (value, String::new()),
    };
    if value.starts_with('"') || value.starts_with('\'') {
        return format!("{name}{op}{value}{flag}");
    }
    format!("{name}{op}\"{value}\"{flag}")
}

fn arbitrary(inner: &str) -> Option<Resolved> {
    let text = crate::candidate::decode_arbitrary(inner);
    let template = if let Some(at) = text.strip_prefix('@') {
        let (name, params) = at
            .split_once([' ', '('])
            .map_or((at, ""), |(n, _)| (n, &at[n.len()..]));
        at_rule(name, params.trim())
    } else if text.contains('&') {
        selector(&text)
    } else {
        selector(&format!("&:is({text})"))
    };
    Some(Resolved {
        template,
        order: Order(ARBITRARY_ORDER, vec![Part::Text(text)]),
    })
}

/// `group-hover` from `hover`'s template: every rule selector `S` becomes
/// `&:is(S[& := :where(.group)] *)`; at-rules stay.
fn compound(family: &str, modifier: Option<&str>, inner: &[Node]) -> Option<Vec<Node>> {
    let mut applied = false;
    let out = rewrite_rules(inner, &mut |selector: &str| {
        applied = true;
        let marker = match family {
            "group" | "peer" => match modifier {
                Some(name) => format!(":where(.{family}\\/{})", crate::emit::escape(name)),
                None => format!(":where(.{family})"),
            },
            _ => "*".to_string(),
        };
        let replaced = selector.replace('&', &marker);
        let listed = if split_top_level(&replaced, b',').len() > 1 {
            format!(":is({replaced})")
        } else {
            replaced
        };
        match family {
            "group" => format!(":is({listed} &)"),
            "peer" => format!(":is({listed} ~ &)"),
            "has" => format!("&:has({listed})"),
            "in" => format!(":where({listed}) &"),
            _ => format!("&:not({})", listed.trim_start_matches('*')),
        }
    });
    applied.then_some(out)
}

/// Rewrites the outermost non-`&` rule selectors (the variant's own), not nested ones.
/// `not-*`: the inner variant's selectors as `&:not(…)`, its media and supports queries
/// negated, each a separate rule.
fn negate(inner: &[Node]) -> Option<Vec<Node>> {
    let mut selectors = Vec::new();
    let mut queries = Vec::new();
    collect_conditions(inner, &mut selectors, &mut queries);
    let mut out = Vec::new();
    if !selectors.is_empty() {
        let list: Vec<String> = selectors.iter().map(|s| s.replacen('&', "", 1)).collect();
        out.push(Node::rule(
            format!("&:not({})", list.join(", ")),
            vec![slot()],
        ));
    }
    for (name, params) in queries {
        match name.as_str() {
            "media" | "supports" | "container" => {
                out.extend(at_rule(&name, &format!("not {params}")))
            }
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

fn collect_conditions(
    nodes: &[Node],
    selectors: &mut Vec<String>,
    queries: &mut Vec<(String, String)>,
) {
    for node in nodes {
        match node {
            Node::Rule { selector, nodes } => {
                if selector != "&" {
                    selectors.push(selector.clone());
                }
                collect_conditions(nodes, selectors, queries);
            }
            Node::AtRule {
                name,
                params,
                nodes: Some(children),
                ..
            } => {
                queries.push((name.clone(), params.clone()));
                collect_conditions(children, selectors, queries);
            }
            _ => {}
        }
    }
}

fn rewrite_rules(nodes: &[Node], rewrite: &mut dyn FnMut(&str) -> String) -> Vec<Node> {
    nodes
        .iter()
        .map(|node| match node {
            Node::Rule { selector, nodes } if selector == "&" => {
                Node::rule(selector.clone(), rewrite_rules(nodes, rewrite))
            }
            Node::Rule { selector, nodes } => Node::rule(rewrite(selector), nodes.clone()),
            Node::AtRule {
                name,
                params,
                nodes: Some(children),
                at,
            } => Node::AtRule {
                name: name.clone(),
                params: params.clone(),
                nodes: Some(rewrite_rules(children, rewrite)),
                at: *at,
            },
            other => other.clone(),
        })
        .collect()
}

/// Puts `body` where the template's `@slot` is.
pub fn apply(template: &[Node], body: &[Node]) -> Vec<Node> {
    let mut out = Vec::with_capacity(template.len());
    for node in template {
        match node {
            Node::AtRule {
                name, nodes: None, ..
            } if name == "slot" => out.extend(body.iter().cloned()),
            Node::Rule { selector, nodes } => {
                out.push(Node::rule(selector.clone(), apply(nodes, body)))
            }
            Node::AtRule {
                name,
                params,
                nodes: Some(children),
                at,
            } => out.push(Node::AtRule {
                name: name.clone(),
                params: params.clone(),
                nodes: Some(apply(children, body)),
                at: *at,
            }),
            other => out.push(other.clone()),
        }
    }
    out
}

/// A template from `@custom-variant name (…);` or its block form.
pub fn custom_template(params: &str, block: Option<&[Node]>) -> Option<Vec<Node>> {
    if let Some(block) = block {
        return Some(block.to_vec());
    }
    let inner = params.strip_prefix('(')?.strip_suffix(')')?.trim();
    if let Some(at) = inner.strip_prefix('@') {
        let split = at.find([' ', '(']).unwrap_or(at.len());
        return Some(at_rule(&at[..split], at[split..].trim()));
    }
    Some(selector(inner))
}
