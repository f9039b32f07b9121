//! Turning nested, `&`-relative trees into the flat CSS Tailwind prints: rule selectors are
//! resolved against their parent, at-rules holding rules are hoisted above the rule, and
//! at-rules holding only declarations (the `@supports` of a color fallback) stay inside.

use crate::css::Node;
use crate::utilities::properties;

/// Flattens `nodes` that sit inside a rule with selector `parent` (or at the top level).
pub fn flatten(nodes: &[Node], parent: Option<&str>) -> Vec<Node> {
    flatten_in(nodes, parent, false)
}

/// `hoist_all`: inside an at-rule that was hoisted out of a rule, Tailwind hoists every
/// nested at-rule too; elsewhere a rule with declarations keeps its nested at-rules of
/// declarations (a color's `@supports` fallback) and its nested rules (an `@utility` body).
fn flatten_in(nodes: &[Node], parent: Option<&str>, hoist_all: bool) -> Vec<Node> {
    let mut out = Vec::new();
    for node in nodes {
        match node {
            Node::Rule { selector, nodes } => {
                let full = resolve_selector(selector, parent);
                let keeps_nesting =
                    !hoist_all && nodes.iter().any(|n| matches!(n, Node::Decl { .. }));
                if keeps_nesting && nodes.iter().any(|n| matches!(n, Node::Rule { .. })) {
                    out.push(Node::rule(full, nodes.clone()));
                    continue;
                }
                let (mut own, hoisted) = split_children(nodes, &full, !hoist_all, hoist_all);
                dedupe_declarations(&mut own);
                if !own.is_empty() {
                    out.push(Node::rule(full.clone(), own));
                }
                out.extend(hoisted);
            }
            Node::AtRule {
                name,
                params,
                nodes: Some(children),
                at,
            } => {
                let inner = match parent {
                    Some(p) => flatten_in(&[Node::rule("&", children.clone())], Some(p), true),
                    None => flatten_in(children, None, hoist_all),
                };
                if !inner.is_empty() {
                    out.push(Node::AtRule {
                        name: name.clone(),
                        params: params.clone(),
                        nodes: Some(inner),
                        at: *at,
                    });
                }
            }
            other => out.push(other.clone()),
        }
    }
    out
}

/// Drops a declaration repeated later in the same rule (`before:content-[…]` gets
/// `content: var(--tw-content)` from both the variant and the utility).
fn dedupe_declarations(nodes: &mut Vec<Node>) {
    let mut i = 0;
    while i < nodes.len() {
        let repeated = matches!(&nodes[i], Node::Decl { .. }) && nodes[i + 1..].contains(&nodes[i]);
        if repeated {
            nodes.remove(i);
        } else {
            i += 1;
        }
    }
}

/// A rule's children: what stays in the rule, and what is hoisted after it.
/// At-rules holding only declarations stay inside a top-level rule (the `@supports` of a
/// color fallback); inside a rule produced by a variant they are hoisted like the rest.
fn split_children(
    nodes: &[Node],
    selector: &str,
    top: bool,
    hoist_all: bool,
) -> (Vec<Node>, Vec<Node>) {
    let mut own = Vec::new();
    let mut hoisted = Vec::new();
    for node in nodes {
        match node {
            Node::Decl { .. } | Node::Comment(_) => own.push(node.clone()),
            Node::AtRule {
                nodes: Some(children),
                name,
                params,
                at,
            } if top && children.iter().all(|c| matches!(c, Node::Decl { .. })) => {
                own.push(Node::AtRule {
                    name: name.clone(),
                    params: params.clone(),
                    nodes: Some(children.clone()),
                    at: *at,
                });
            }
            Node::AtRule { nodes: None, .. } => own.push(node.clone()),
            Node::Rule {
                selector: child, ..
            } => {
                let all = hoist_all && child == "&";
                hoisted.extend(flatten_in(std::slice::from_ref(node), Some(selector), all));
            }
            _ => hoisted.extend(flatten_in(
                std::slice::from_ref(node),
                Some(selector),
                hoist_all,
            )),
        }
    }
    (own, hoisted)
}

fn resolve_selector(selector: &str, parent: Option<&str>) -> String {
    let Some(parent) = parent else {
        return selector.to_string();
    };
    let parent_is_list = crate::candidate::split_top_level(parent, b',').len() > 1;
    let parent = if parent_is_list {
        format!(":is({parent})")
    } else {
        parent.to_string()
    };
    if selector.contains('&') {
        selector.replace('&', &parent)
    } else {
        crate::candidate::split_top_level(selector, b',')
            .iter()
            .map(|s| format!("{parent} {}", s.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Marks every declaration `!important`.
pub fn make_important(nodes: &mut [Node]) {
    for node in nodes {
        match node {
            Node::Decl { important, .. } => *important = true,
            Node::Rule { nodes, .. }
            | Node::AtRule {
                nodes: Some(nodes), ..
            } => make_important(nodes),
            _ => {}
        }
    }
}

/// `@property` rules, then the `@layer properties` fallback for browsers without them.
pub fn property_rules(names: &[&'static str]) -> Vec<Node> {
    let mut out = Vec::new();
    let mut fallback = Vec::new();
    for name in names {
        let Some((syntax, initial)) = properties::lookup(name) else {
            continue;
        };
        let mut body = vec![
            Node::decl("syntax", format!("\"{syntax}\"")),
            Node::decl("inherits", "false"),
        ];
        if let Some(initial) = initial {
            body.push(Node::decl("initial-value", initial));
        }
        out.push(Node::at_rule("property", *name, body));
        fallback.push(Node::decl(*name, initial.unwrap_or("initial")));
    }
    if !fallback.is_empty() {
        out.push(Node::at_rule(
            "layer",
            "properties",
            vec![Node::at_rule(
                "supports",
                "((-webkit-hyphens: none) and (not (margin-trim: block))) or ((-moz-orient: inline) and (not (color:rgb(from red r g b))))",
                vec![Node::rule("*, ::before, ::after, ::backdrop", fallback)],
            )],
        ));
    }
    out
}

/// `CSS.escape` for a class name.
pub fn escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    let chars: Vec<char> = name.chars().collect();
    if chars.len() == 1 && chars[0] == '-' {
        return "\\-".to_string();
    }
    for (i, &c) in chars.iter().enumerate() {
        let code = c as u32;
        if code == 0 {
            out.push('\u{FFFD}');
        } else if (1..=31).contains(&code)
            || code == 127
            || (i == 0 && c.is_ascii_digit())
            || (i == 1 && c.is_ascii_digit() && chars[0] == '-')
        {
            out.push_str(&format!("\\{code:x} "));
        } else if code >= 128 || c == '-' || c == '_' || c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('\\');
            out.push(c);
        }
    }
    out
}

/// Tailwind's fallback for `color-mix(in oklab, …)`: before each declaration using it, the
/// same value with theme colors inlined and mixed `in srgb` (`currentcolor` mixes fall back
/// to `currentcolor`), the original kept under `@supports (color: color-mix(in lab, red, red))`.
pub fn color_mix_fallbacks(nodes: &mut Vec<Node>, theme: &crate::theme::Theme) {
    let mut i = 0;
    while i < nodes.len() {
        match &mut nodes[i] {
            Node::Rule {
                nodes: children, ..
            } => color_mix_fallbacks(children, theme),
            Node::AtRule {
                name,
                nodes: Some(children),
                ..
            } if name != "supports" => color_mix_fallbacks(children, theme),
            Node::Decl {
                property,
                value,
                important,
            } if value.contains("color-mix(in oklab, ") => {
                if let Some(fallback) = srgb_fallback(value, theme) {
                    let original = Node::Decl {
                        property: property.clone(),
                        value: value.clone(),
                        important: *important,
                    };
                    let fallback = Node::Decl {
                        property: property.clone(),
                        value: fallback,
                        important: *important,
                    };
                    let supports = Node::at_rule(
                        "supports",
                        "(color: color-mix(in lab, red, red))",
                        vec![original],
                    );
                    nodes.splice(i..=i, [fallback, supports]);
                    i += 2;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

fn srgb_fallback(value: &str, theme: &crate::theme::Theme) -> Option<String> {
    const OPEN: &str = "color-mix(in oklab, ";
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let close = crate::functions::matching_paren(rest, at + "color-mix".len())?;
        let args = &rest[at + OPEN.len()..close];
        let parts = crate::candidate::split_top_level(args, b',');
        let color_and_alpha = parts.first()?.trim();
        let (color, alpha) = split_color_alpha(color_and_alpha)?;
        let color = if color.contains(OPEN) {
            srgb_fallback(color, theme)?
        } else {
            inline_theme_vars(color, theme)
        };
        if color.eq_ignore_ascii_case("currentcolor") {
            out.push_str("currentcolor");
        } else if color.contains("var(") {
            return None;
        } else if alpha.contains("var(") {
            // `var(--tw-shadow-alpha)`: the fallback is the plain color.
            out.push_str(&color);
        } else {
            out.push_str(&format!("color-mix(in srgb, {color} {alpha}, transparent)"));
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// `var(--c) 50%` → (`var(--c)`, `50%`), at the last top-level space.
fn split_color_alpha(text: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    let mut split = None;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ' ' if depth == 0 => split = Some(i),
            _ => {}
        }
    }
    let at = split?;
    Some((text[..at].trim(), text[at + 1..].trim()))
}

fn inline_theme_vars(text: &str, theme: &crate::theme::Theme) -> String {
    let mut out = text.to_string();
    for _ in 0..crate::limits::expansion_depth_max {
        let Some(at) = out.find("var(--") else { break };
        let Some(close) = crate::functions::matching_paren(&out, at + 3) else {
            break;
        };
        let name = out[at + 4..close]
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let Some(entry) = theme.get(&name) else { break };
        out.replace_range(at..=close, &entry.value);
    }
    out
}

/// Merges adjacent at-rules with the same name and parameters (Tailwind prints one
/// `@media (width >= 48rem)` block for all the `md:` utilities that sort together).
pub fn merge_adjacent(nodes: Vec<Node>) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::with_capacity(nodes.len());
    for node in nodes {
        if let (
            Some(Node::AtRule {
                name: last_name,
                params: last_params,
                nodes: Some(last_children),
                ..
            }),
            Node::AtRule {
                name,
                params,
                nodes: Some(children),
                ..
            },
        ) = (out.last_mut(), &node)
            && last_name == name
            && last_params == params
            && (name != "supports" || children.iter().all(|c| !matches!(c, Node::Decl { .. })))
        {
            let merged = std::mem::take(last_children)
                .into_iter()
                .chain(children.iter().cloned())
                .collect();
            *last_children = merge_adjacent(merged);
            continue;
        }
        out.push(node);
    }
    out
}

/// Drops sort-only `--tw-sort` declarations.
pub fn strip_sort_hints(nodes: &mut Vec<Node>) {
    nodes.retain_mut(|node| match node {
        Node::Decl { property, .. } => property != "--tw-sort",
        Node::Rule { nodes, .. }
        | Node::AtRule {
            nodes: Some(nodes), ..
        } => {
            strip_sort_hints(nodes);
            true
        }
        _ => true,
    });
}

/// `& { … }` directly inside an at-rule of nested user CSS is just its contents.
pub fn unwrap_self_rules(nodes: Vec<Node>, in_at_rule: bool) -> Vec<Node> {
    let mut out = Vec::with_capacity(nodes.len());
    for node in nodes {
        match node {
            Node::Rule { selector, nodes } if in_at_rule && selector == "&" => {
                out.extend(unwrap_self_rules(nodes, false))
            }
            Node::Rule { selector, nodes } => {
                out.push(Node::rule(selector, unwrap_self_rules(nodes, false)))
            }
            Node::AtRule {
                name,
                params,
                nodes: Some(children),
                at,
            } => out.push(Node::AtRule {
                name,
                params,
                nodes: Some(unwrap_self_rules(children, true)),
                at,
            }),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_css_escape() {
        for (input, expected) in [
            ("hover:bg-red-500/50", "hover\\:bg-red-500\\/50"),
            ("w-[calc(100%-2rem)]", "w-\\[calc\\(100\\%-2rem\\)\\]"),
            ("2xl:p-4", "\\32 xl\\:p-4"),
            ("-m-2", "-m-2"),
        ] {
            assert_eq!(escape(input), expected);
        }
    }

    #[test]
    fn hoists_rules_out_of_rules() {
        let tree = vec![Node::rule(
            ".a",
            vec![Node::at_rule(
                "media",
                "(hover: hover)",
                vec![Node::rule("&:hover", vec![Node::decl("color", "red")])],
            )],
        )];
        assert_eq!(
            crate::css::print(&flatten(&tree, None)),
            "@media (hover: hover) {\n  .a:hover {\n    color: red;\n  }\n}\n"
        );
    }
}
