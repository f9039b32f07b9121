//! `Design::build`: candidates to the final stylesheet.

use std::collections::{BTreeSet, HashSet};

use crate::candidate::{self, Base};
use crate::css::{self, Node};
use crate::design::{Design, Source, THEME_MARKER};
use crate::emit;
use crate::error::Error;
use crate::limits::expansion_depth_max;
use crate::sort::{self, Key};
use crate::variants;

const HEADER: &str = "/*! tailwindcss v4.3.5 | MIT License | https://tailwindcss.com */";

/// One compiled candidate: its flattened rules and what it needs registered.
pub(crate) struct Compiled {
    pub key: Key,
    pub orders: Vec<variants::Order>,
    pub nodes: Vec<Node>,
    pub properties: Vec<&'static str>,
}

impl Design {
    /// The final CSS for these candidates (unknown ones are skipped silently).
    pub fn build<'a>(
        &self,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Result<String, Error> {
        let excluded: HashSet<&str> = self
            .sources
            .iter()
            .flat_map(|s| match s {
                Source::NotInline(list) => list.as_slice(),
                _ => &[],
            })
            .map(String::as_str)
            .collect();
        let mut all: Vec<&str> = candidates.into_iter().collect();
        all.extend(self.inline_candidates());
        let mut seen: HashSet<&str> = HashSet::new();
        let mut compiled = Vec::new();
        for raw in all {
            if excluded.contains(raw) || !seen.insert(raw) {
                continue;
            }
            if let Some(c) = self.compile_candidate(raw, 0)? {
                compiled.push(c);
            }
        }
        rank_variants(&mut compiled);
        compiled.sort_by(|a, z| sort::compare(&a.key, &z.key));

        let mut properties: Vec<&'static str> = Vec::new();
        let mut utilities = Vec::new();
        for c in compiled {
            for p in c.properties {
                if !properties.contains(&p) {
                    properties.push(p);
                }
            }
            utilities.extend(c.nodes);
        }
        let utilities = emit::merge_adjacent(utilities);

        let mut body = self.expand(&self.template, &utilities, &mut properties, 0)?;
        let printed = css::print(&body);
        let mut used = BTreeSet::new();
        self.theme.used_in(&printed, &mut used);
        let (variables, keyframes) = self.theme_block(&used);
        replace_marker(&mut body, variables);
        prune_empty(&mut body);

        let mut out = vec![Node::Comment(HEADER.to_string())];
        let property_rules = emit::property_rules(&properties);
        if !property_rules.is_empty() {
            out.push(Node::AtRule {
                name: "layer".to_string(),
                params: "properties".to_string(),
                nodes: None,
                at: 0,
            });
        }
        out.extend(body);
        // Tailwind prints `@keyframes` of used animations after the `@property` rules and
        // before the `@layer properties` fallback.
        let fallback_layer = match property_rules.last() {
            Some(Node::AtRule { name, .. }) if name == "layer" => property_rules.len() - 1,
            _ => property_rules.len(),
        };
        let mut property_rules = property_rules;
        let tail = property_rules.split_off(fallback_layer);
        out.extend(property_rules);
        out.extend(keyframes);
        out.extend(tail);
        Ok(css::print(&out))
    }

    /// The `:root, :host` rule with the theme variables in use (all of them under
    /// `@theme static`), and the `@keyframes` of used animations.
    fn theme_block(&self, used: &BTreeSet<usize>) -> (Vec<Node>, Vec<Node>) {
        let mut decls = Vec::new();
        let mut keyframes = Vec::new();
        for (i, entry) in self.theme.entries().iter().enumerate() {
            if entry.options.reference || entry.options.inline && !entry.options.r#static {
                continue;
            }
            if used.contains(&i) || entry.options.r#static {
                decls.push(Node::decl(entry.name.clone(), entry.value.clone()));
                if entry.name.starts_with("--animate-") {
                    for (name, node) in &self.theme.keyframes {
                        if entry.value.split_whitespace().any(|w| w == name) {
                            keyframes.push(node.clone());
                        }
                    }
                }
            }
        }
        let mut out = Vec::new();
        if !decls.is_empty() {
            out.push(Node::rule(":root, :host", decls));
        }
        (out, keyframes)
    }

    /// Compiles one candidate; `Ok(None)` when it is not a known utility.
    pub(crate) fn compile_candidate(
        &self,
        raw: &str,
        depth: usize,
    ) -> Result<Option<Compiled>, Error> {
        let Some(parsed) = candidate::parse(raw) else {
            return Ok(None);
        };
        let Some(mut base) = self.base_utility(&parsed, depth)? else {
            return Ok(None);
        };
        if !self.resolve_functions(&mut base.nodes) {
            return Ok(None);
        }
        let (order, count) = sort::properties_of(&base.nodes);
        emit::strip_sort_hints(&mut base.nodes);
        emit::color_mix_fallbacks(&mut base.nodes, &self.theme);
        if parsed.important {
            emit::make_important(&mut base.nodes);
        }
        let mut nodes = base.nodes;
        let mut orders = Vec::new();
        for variant in parsed.variants.iter().rev() {
            let Some(resolved) = variants::resolve(variant, &self.theme, &self.variants) else {
                return Ok(None);
            };
            if resolved.template.iter().any(has_content) {
                base.properties.push("--tw-content");
            }
            nodes = variants::apply(&resolved.template, &nodes);
            orders.push(resolved.order);
        }
        let selector = format!(".{}", emit::escape(raw));
        let nodes = emit::flatten(&[Node::rule(selector, nodes)], None);
        Ok(Some(Compiled {
            key: Key {
                variants: Vec::new(),
                properties: order,
                count,
                candidate: raw.to_string(),
            },
            orders,
            nodes,
            properties: base.properties,
        }))
    }

    /// Resolves Tailwind functions in a utility's values (`min-h-[theme(--spacing-24)]`);
    /// `false` when one names nothing, and the candidate is then dropped, as Tailwind does.
    fn resolve_functions(&self, nodes: &mut [Node]) -> bool {
        for node in nodes {
            if let Node::Decl { value, .. } = node {
                let has_call = ["theme(", "--spacing(", "--alpha("]
                    .iter()
                    .any(|f| value.contains(f));
                if has_call {
                    match crate::functions::replace_theme_calls(value, &self.theme, false) {
                        Some(resolved) if !resolved.contains("theme(") => *value = resolved,
                        _ => return false,
                    }
                }
                continue;
            }
            if let Node::Rule { nodes, .. }
            | Node::AtRule {
                nodes: Some(nodes), ..
            } = node
                && !self.resolve_functions(nodes)
            {
                return false;
            }
        }
        true
    }

    fn base_utility(
        &self,
        parsed: &candidate::Candidate,
        depth: usize,
    ) -> Result<Option<crate::utilities::Out>, Error> {
        match &parsed.base {
            Base::ArbitraryProperty { property, value } => {
                let value = crate::functions::replace_theme_calls(value, &self.theme, false)
                    .unwrap_or_default();
                Ok(Some(crate::utilities::Out {
                    nodes: vec![Node::decl(*property, value)],
                    properties: Vec::new(),
                }))
            }
            Base::Plain { text, modifier } => {
                if let Some(out) =
                    self.custom_utility(text, modifier.as_ref(), parsed.negative, depth)?
                {
                    return Ok(Some(out));
                }
                Ok(crate::utilities::compile(
                    text,
                    modifier.as_ref(),
                    parsed.negative,
                    &self.theme,
                ))
            }
        }
    }

    /// Walks the template: `@tailwind utilities` becomes the utilities, `@apply` and
    /// `@variant` are expanded, Tailwind functions in values are resolved.
    pub(crate) fn expand(
        &self,
        nodes: &[Node],
        utilities: &[Node],
        properties: &mut Vec<&'static str>,
        depth: usize,
    ) -> Result<Vec<Node>, Error> {
        if depth > expansion_depth_max {
            return Err(Error::at(&self.source, 0, "`@apply` nested too deeply"));
        }
        let mut out = Vec::with_capacity(nodes.len());
        for node in nodes {
            match node {
                Node::AtRule {
                    name, params, at, ..
                } if name == "tailwind" => {
                    if params == "utilities" {
                        out.extend(utilities.iter().cloned());
                    } else {
                        return Err(Error::at(
                            &self.source,
                            *at,
                            format!("unknown `@tailwind {params}`"),
                        ));
                    }
                }
                Node::AtRule {
                    name, params, at, ..
                } if name == "apply" => {
                    out.extend(self.apply(params, *at, properties, depth)?);
                }
                Node::AtRule {
                    name,
                    params,
                    nodes: Some(children),
                    at,
                } if name == "variant" => {
                    let resolved = variants::resolve(params.trim(), &self.theme, &self.variants)
                        .ok_or_else(|| {
                            Error::at(&self.source, *at, format!("unknown variant `{params}`"))
                        })?;
                    let children = self.expand(children, utilities, properties, depth)?;
                    out.extend(emit::unwrap_self_rules(
                        variants::apply(&resolved.template, &children),
                        false,
                    ));
                }
                Node::AtRule {
                    name,
                    params,
                    nodes,
                    at,
                } => {
                    let nodes = match nodes {
                        Some(children) => {
                            Some(self.expand(children, utilities, properties, depth)?)
                        }
                        None => None,
                    };
                    out.push(Node::AtRule {
                        name: name.clone(),
                        params: params.clone(),
                        nodes,
                        at: *at,
                    });
                }
                Node::Rule { selector, nodes } => {
                    // User CSS keeps its nesting, as Tailwind prints it.
                    let children = self.expand(nodes, utilities, properties, depth)?;
                    out.push(Node::rule(selector.clone(), children));
                }
                Node::Decl {
                    property,
                    value,
                    important,
                } => {
                    let value = crate::functions::replace_theme_calls(value, &self.theme, false)
                        .unwrap_or_else(|| value.clone());
                    let mut decl = vec![Node::Decl {
                        property: property.clone(),
                        value,
                        important: *important,
                    }];
                    emit::color_mix_fallbacks(&mut decl, &self.theme);
                    out.extend(decl);
                }
                other => out.push(other.clone()),
            }
        }
        Ok(out)
    }

    /// `@apply a b c;` → the utilities' declarations, `&`-relative.
    fn apply(
        &self,
        params: &str,
        at: usize,
        properties: &mut Vec<&'static str>,
        depth: usize,
    ) -> Result<Vec<Node>, Error> {
        let mut compiled = Vec::new();
        for raw in params.split_whitespace() {
            let (raw, important) = match raw {
                "!important" => continue,
                _ => (raw, params.split_whitespace().any(|w| w == "!important")),
            };
            let parsed = candidate::parse(raw).ok_or_else(|| {
                Error::at(
                    &self.source,
                    at,
                    format!("cannot apply unknown utility class `{raw}`"),
                )
            })?;
            let Some(mut base) = self.base_utility(&parsed, depth + 1)? else {
                return Err(Error::at(
                    &self.source,
                    at,
                    format!("cannot apply unknown utility class `{raw}`"),
                ));
            };
            if parsed.important || important {
                emit::make_important(&mut base.nodes);
            }
            let (order, count) = sort::properties_of(&base.nodes);
            let mut nodes = base.nodes;
            let mut orders = Vec::new();
            for variant in parsed.variants.iter().rev() {
                let resolved =
                    variants::resolve(variant, &self.theme, &self.variants).ok_or_else(|| {
                        Error::at(
                            &self.source,
                            at,
                            format!("cannot apply `{raw}`: unknown variant `{variant}`"),
                        )
                    })?;
                nodes = variants::apply(&resolved.template, &nodes);
                orders.push(resolved.order);
            }
            for p in base.properties {
                if !properties.contains(&p) {
                    properties.push(p);
                }
            }
            compiled.push(Compiled {
                key: Key {
                    variants: Vec::new(),
                    properties: order,
                    count,
                    candidate: raw.to_string(),
                },
                orders,
                nodes,
                properties: Vec::new(),
            });
        }
        rank_variants(&mut compiled);
        compiled.sort_by(|a, z| sort::compare(&a.key, &z.key));
        let mut nodes: Vec<Node> = compiled.into_iter().flat_map(|c| c.nodes).collect();
        emit::strip_sort_hints(&mut nodes);
        let nodes = emit::unwrap_self_rules(nodes, false);
        self.expand(&nodes, &[], properties, depth + 1)
    }
}

/// Tailwind's variant order: every distinct variant in use gets a bit, in variant order, and
/// a candidate's variants become the set of their bits (highest first, so that comparing
/// the lists compares the sets as numbers).
fn rank_variants(compiled: &mut [Compiled]) {
    let all: std::collections::BTreeSet<&variants::Order> =
        compiled.iter().flat_map(|c| c.orders.iter()).collect();
    let rank: std::collections::HashMap<variants::Order, usize> = all
        .into_iter()
        .enumerate()
        .map(|(i, o)| (o.clone(), i))
        .collect();
    for c in compiled.iter_mut() {
        let mut bits: Vec<usize> = c
            .orders
            .iter()
            .filter_map(|o| rank.get(o).copied())
            .collect();
        bits.sort_unstable_by(|a, b| b.cmp(a));
        bits.dedup();
        c.key.variants = bits;
    }
}

fn has_content(node: &Node) -> bool {
    match node {
        Node::Decl { value, .. } => value == "var(--tw-content)",
        Node::Rule { nodes, .. }
        | Node::AtRule {
            nodes: Some(nodes), ..
        } => nodes.iter().any(has_content),
        _ => false,
    }
}

fn replace_marker(nodes: &mut Vec<Node>, replacement: Vec<Node>) -> bool {
    for i in 0..nodes.len() {
        let is_marker =
            matches!(&nodes[i], Node::AtRule { name, nodes: None, .. } if name == THEME_MARKER);
        if is_marker {
            nodes.splice(i..=i, replacement);
            return true;
        }
        let children = match &mut nodes[i] {
            Node::AtRule {
                nodes: Some(children),
                ..
            }
            | Node::Rule {
                nodes: children, ..
            } => children,
            _ => continue,
        };
        if replace_marker(children, replacement.clone()) {
            return true;
        }
    }
    false
}

/// Drops rules and block at-rules left empty (an unused `@layer utilities {}`).
fn prune_empty(nodes: &mut Vec<Node>) {
    nodes.retain_mut(|node| match node {
        Node::Rule { nodes, .. } => {
            prune_empty(nodes);
            !nodes.is_empty()
        }
        Node::AtRule {
            nodes: Some(children),
            ..
        } => {
            prune_empty(children);
            !children.is_empty()
        }
        Node::Comment(text) => text.starts_with("/*!"),
        _ => true,
    });
}
