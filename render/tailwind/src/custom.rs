//! `@utility` rules: static (`@utility content-auto { … }`) and functional
//! (`@utility tab-* { tab-size: --value(--tab-size-*, integer, [integer]); }`).
//!
//! In a functional utility each declaration using `--value()` is kept when one of the
//! arguments resolves, in order: a theme namespace `--ns-*`, a bare data type (`integer`,
//! `number`, `percentage`, `ratio`), an arbitrary data type `[integer]`/`[*]`, or a quoted
//! literal. `--modifier()` works the same on the modifier. A utility none of whose
//! declarations resolved does not match.

use crate::candidate::{Base, Value};
use crate::css::Node;
use crate::design::Design;
use crate::error::Error;
use crate::functions::matching_paren;
use crate::utilities::{Out, is_integer, is_number};

impl Design {
    pub(crate) fn custom_utility(
        &self,
        text: &str,
        modifier: Option<&Value>,
        negative: bool,
        depth: usize,
    ) -> Result<Option<Out>, Error> {
        if self.utilities.is_empty() {
            return Ok(None);
        }
        let full = if negative {
            format!("-{text}")
        } else {
            text.to_string()
        };
        // Later definitions win, as in Tailwind.
        for utility in self.utilities.iter().rev() {
            if !utility.functional {
                if utility.name == full && modifier.is_none() {
                    return self.custom_body(&utility.body, None, None, depth).map(Some);
                }
                continue;
            }
            for (root, value) in Base::splits(&full) {
                if root != utility.name {
                    continue;
                }
                let Some(value) = value else { continue };
                let Some(nodes) = self.resolve_values(&utility.body, &value, modifier) else {
                    continue;
                };
                return self.custom_body(&nodes, None, None, depth).map(Some);
            }
        }
        Ok(None)
    }

    fn custom_body(
        &self,
        body: &[Node],
        _v: Option<&Value>,
        _m: Option<&Value>,
        depth: usize,
    ) -> Result<Out, Error> {
        let mut properties = Vec::new();
        let nodes = self.expand(body, &[], &mut properties, depth + 1)?;
        Ok(Out { nodes, properties })
    }

    /// The body with `--value()`/`--modifier()` replaced, or `None` if nothing resolved.
    fn resolve_values(
        &self,
        body: &[Node],
        value: &Value,
        modifier: Option<&Value>,
    ) -> Option<Vec<Node>> {
        let mut any = false;
        let mut out = Vec::new();
        for node in body {
            match node {
                Node::Decl {
                    property,
                    value: v,
                    important,
                } if v.contains("--value(") || v.contains("--modifier(") => {
                    let Some(resolved) = self.replace_calls(v, value, modifier) else {
                        continue;
                    };
                    any = true;
                    out.push(Node::Decl {
                        property: property.clone(),
                        value: resolved,
                        important: *important,
                    });
                }
                Node::Rule { selector, nodes } => {
                    if let Some(nodes) = self.resolve_values(nodes, value, modifier) {
                        any = true;
                        out.push(Node::rule(selector.clone(), nodes));
                    }
                }
                other => out.push(other.clone()),
            }
        }
        any.then_some(out)
    }

    fn replace_calls(&self, text: &str, value: &Value, modifier: Option<&Value>) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        loop {
            let next = [("--value(", Some(value)), ("--modifier(", modifier)]
                .into_iter()
                .filter_map(|(needle, v)| rest.find(needle).map(|at| (at, needle, v)))
                .min_by_key(|(at, _, _)| *at);
            let Some((at, needle, target)) = next else {
                out.push_str(rest);
                return Some(out);
            };
            out.push_str(&rest[..at]);
            let open = at + needle.len() - 1;
            let close = matching_paren(rest, open)?;
            let args = &rest[open + 1..close];
            out.push_str(&self.resolve_arguments(args, target?)?);
            rest = &rest[close + 1..];
        }
    }

    fn resolve_arguments(&self, args: &str, value: &Value) -> Option<String> {
        for arg in args.split(',').map(str::trim) {
            match value {
                Value::Named(name) => {
                    if let Some(ns) = arg.strip_suffix("-*") {
                        if let Some(entry) = self.theme.get(&format!("{ns}-{name}")) {
                            return Some(self.theme.reference(entry));
                        }
                    } else if let Some(literal) =
                        arg.strip_prefix('\'').or_else(|| arg.strip_prefix('"'))
                    {
                        if literal.trim_end_matches(['\'', '"']) == name {
                            return Some(name.clone());
                        }
                    } else if bare_type_matches(arg, name) {
                        return Some(name.clone());
                    }
                }
                Value::Arbitrary { value, .. } => {
                    if arg.starts_with('[') {
                        return Some(value.clone());
                    }
                }
            }
        }
        None
    }
}

fn bare_type_matches(kind: &str, name: &str) -> bool {
    match kind {
        "integer" => is_integer(name),
        "number" => is_number(name),
        "percentage" => name.strip_suffix('%').is_some_and(is_number),
        "ratio" => crate::utilities::is_fraction(name),
        "any" => true,
        _ => false,
    }
}
