//! Utilities whose value is a length on the spacing scale: padding, margin, gap, inset,
//! sizing, translate, space-between. `p-4` is `calc(var(--spacing) * 4)`; a theme key
//! (`--spacing-gutter`, `--container-md`) wins over the multiplier.

use super::{Out, Request, arbitrary, is_fraction, is_number, negate};
use crate::css::Node;

struct Family {
    root: &'static str,
    properties: &'static [&'static str],
    namespaces: &'static [&'static str],
    negative: bool,
    fractions: bool,
    keywords: &'static [(&'static str, &'static str)],
}

const AUTO: &[(&str, &str)] = &[("auto", "auto"), ("px", "1px")];
const INSET: &[(&str, &str)] = &[("auto", "auto"), ("px", "1px"), ("full", "100%")];
const WIDTH: &[(&str, &str)] = &[
    ("auto", "auto"),
    ("px", "1px"),
    ("full", "100%"),
    ("screen", "100vw"),
    ("svw", "100svw"),
    ("lvw", "100lvw"),
    ("dvw", "100dvw"),
    ("min", "min-content"),
    ("max", "max-content"),
    ("fit", "fit-content"),
];
const HEIGHT: &[(&str, &str)] = &[
    ("auto", "auto"),
    ("px", "1px"),
    ("full", "100%"),
    ("screen", "100vh"),
    ("svh", "100svh"),
    ("lvh", "100lvh"),
    ("dvh", "100dvh"),
    ("min", "min-content"),
    ("max", "max-content"),
    ("fit", "fit-content"),
    ("lh", "1lh"),
];
const SIZE: &[(&str, &str)] = &[
    ("auto", "auto"),
    ("px", "1px"),
    ("full", "100%"),
    ("min", "min-content"),
    ("max", "max-content"),
    ("fit", "fit-content"),
];
const MAX: &[(&str, &str)] = &[
    ("none", "none"),
    ("px", "1px"),
    ("full", "100%"),
    ("screen", "100vw"),
    ("min", "min-content"),
    ("max", "max-content"),
    ("fit", "fit-content"),
];
const PX: &[(&str, &str)] = &[("px", "1px")];
const SPACING: &[&str] = &["--spacing"];

macro_rules! family {
    ($root:literal, [$($p:literal),*], $ns:expr, $neg:literal, $frac:literal, $kw:expr) => {
        Family { root: $root, properties: &[$($p),*], namespaces: $ns, negative: $neg, fractions: $frac, keywords: $kw }
    };
}

#[rustfmt::skip]
const FAMILIES: &[Family] = &[
    family!("inset", ["inset"], &["--inset", "--spacing"], true, true, INSET),
    family!("inset-x", ["inset-inline"], &["--inset", "--spacing"], true, true, INSET),
    family!("inset-y", ["inset-block"], &["--inset", "--spacing"], true, true, INSET),
    family!("start", ["inset-inline-start"], &["--inset", "--spacing"], true, true, INSET),
    family!("inset-s", ["inset-inline-start"], &["--inset", "--spacing"], true, true, INSET),
    family!("inset-e", ["inset-inline-end"], &["--inset", "--spacing"], true, true, INSET),
    family!("end", ["inset-inline-end"], &["--inset", "--spacing"], true, true, INSET),
    family!("top", ["top"], &["--inset", "--spacing"], true, true, INSET),
    family!("right", ["right"], &["--inset", "--spacing"], true, true, INSET),
    family!("bottom", ["bottom"], &["--inset", "--spacing"], true, true, INSET),
    family!("left", ["left"], &["--inset", "--spacing"], true, true, INSET),
    family!("m", ["margin"], &["--margin", "--spacing"], true, false, AUTO),
    family!("mx", ["margin-inline"], &["--margin", "--spacing"], true, false, AUTO),
    family!("my", ["margin-block"], &["--margin", "--spacing"], true, false, AUTO),
    family!("ms", ["margin-inline-start"], &["--margin", "--spacing"], true, false, AUTO),
    family!("me", ["margin-inline-end"], &["--margin", "--spacing"], true, false, AUTO),
    family!("mt", ["margin-top"], &["--margin", "--spacing"], true, false, AUTO),
    family!("mr", ["margin-right"], &["--margin", "--spacing"], true, false, AUTO),
    family!("mb", ["margin-bottom"], &["--margin", "--spacing"], true, false, AUTO),
    family!("ml", ["margin-left"], &["--margin", "--spacing"], true, false, AUTO),
    family!("p", ["padding"], &["--padding", "--spacing"], false, false, PX),
    family!("px", ["padding-inline"], &["--padding", "--spacing"], false, false, PX),
    family!("py", ["padding-block"], &["--padding", "--spacing"], false, false, PX),
    family!("ps", ["padding-inline-start"], &["--padding", "--spacing"], false, false, PX),
    family!("pe", ["padding-inline-end"], &["--padding", "--spacing"], false, false, PX),
    family!("pt", ["padding-top"], &["--padding", "--spacing"], false, false, PX),
    family!("pr", ["padding-right"], &["--padding", "--spacing"], false, false, PX),
    family!("pb", ["padding-bottom"], &["--padding", "--spacing"], false, false, PX),
    family!("pl", ["padding-left"], &["--padding", "--spacing"], false, false, PX),
    family!("gap", ["gap"], &["--gap", "--spacing"], false, false, PX),
    family!("gap-x", ["column-gap"], &["--gap", "--spacing"], false, false, PX),
    family!("gap-y", ["row-gap"], &["--gap", "--spacing"], false, false, PX),
    family!("w", ["width"], &["--width", "--spacing", "--container"], false, true, WIDTH),
    family!("min-w", ["min-width"], &["--min-width", "--spacing", "--container"], false, true, WIDTH),
    family!("max-w", ["max-width"], &["--max-width", "--spacing", "--container"], false, true, MAX),
    family!("h", ["height"], &["--height", "--spacing"], false, true, HEIGHT),
    family!("min-h", ["min-height"], &["--min-height", "--spacing"], false, true, HEIGHT),
    family!("max-h", ["max-height"], &["--max-height", "--spacing"], false, true, HEIGHT),
    family!("size", ["width", "height"], &["--size", "--spacing"], false, true, SIZE),
    family!("basis", ["flex-basis"], &["--flex-basis", "--spacing", "--container"], false, true, &[]),
    family!("scroll-m", ["scroll-margin"], SPACING, true, false, &[]),
    family!("scroll-mx", ["scroll-margin-inline"], SPACING, true, false, &[]),
    family!("scroll-my", ["scroll-margin-block"], SPACING, true, false, &[]),
    family!("scroll-ms", ["scroll-margin-inline-start"], SPACING, true, false, &[]),
    family!("scroll-me", ["scroll-margin-inline-end"], SPACING, true, false, &[]),
    family!("scroll-mt", ["scroll-margin-top"], SPACING, true, false, &[]),
    family!("scroll-mr", ["scroll-margin-right"], SPACING, true, false, &[]),
    family!("scroll-mb", ["scroll-margin-bottom"], SPACING, true, false, &[]),
    family!("scroll-ml", ["scroll-margin-left"], SPACING, true, false, &[]),
    family!("scroll-p", ["scroll-padding"], SPACING, false, false, &[]),
    family!("scroll-px", ["scroll-padding-inline"], SPACING, false, false, &[]),
    family!("scroll-py", ["scroll-padding-block"], SPACING, false, false, &[]),
    family!("scroll-ps", ["scroll-padding-inline-start"], SPACING, false, false, &[]),
    family!("scroll-pe", ["scroll-padding-inline-end"], SPACING, false, false, &[]),
    family!("scroll-pt", ["scroll-padding-top"], SPACING, false, false, &[]),
    family!("scroll-pr", ["scroll-padding-right"], SPACING, false, false, &[]),
    family!("scroll-pb", ["scroll-padding-bottom"], SPACING, false, false, &[]),
    family!("scroll-pl", ["scroll-padding-left"], SPACING, false, false, &[]),
];

pub fn compile(request: &Request) -> Option<Out> {
    if request.modifier.is_some() {
        return None;
    }
    match request.root {
        "translate-x" | "translate-y" | "translate-z" => return translate(request),
        "translate" => return translate_both(request),
        "space-x" | "space-y" => return space(request),
        "border-spacing" | "border-spacing-x" | "border-spacing-y" => {
            return border_spacing(request);
        }
        _ => {}
    }
    if request.root == "max-w"
        && let Some(screen) = request
            .value
            .named()
            .and_then(|n| n.strip_prefix("screen-"))
    {
        let entry = request.theme.get(&format!("--breakpoint-{screen}"))?;
        return Some(Out::same(&["max-width"], &request.theme.reference(entry)));
    }
    let family = FAMILIES.iter().find(|f| f.root == request.root)?;
    if request.negative && !family.negative {
        return None;
    }
    let value = length(
        request,
        family.namespaces,
        family.fractions,
        family.keywords,
    )?;
    let out = Out::same(family.properties, &value);
    // Tailwind tags `size-*` for sorting with a property it does not list (it still counts).
    Some(if family.root == "size" {
        out.with_sort("size")
    } else {
        out
    })
}

/// The value of a spacing-scale length: arbitrary, theme key, keyword, fraction or
/// multiplier, negated when the candidate is.
fn length(
    request: &Request,
    namespaces: &[&str],
    fractions: bool,
    keywords: &[(&str, &str)],
) -> Option<String> {
    let negative = request.negative;
    if let Some(value) = arbitrary(request.value) {
        return Some(negate(value, negative));
    }
    let name = request.value.named()?;
    if let Some((_, keyword)) = keywords.iter().find(|(k, _)| *k == name) {
        return Some(match (negative, *keyword) {
            (false, keyword) => keyword.to_string(),
            (true, "1px") => "-1px".to_string(),
            (true, "100%") => "-100%".to_string(),
            (true, _) => return None,
        });
    }
    let named = namespaces.iter().filter(|ns| **ns != "--spacing");
    for ns in named.chain(std::iter::once(&"--spacing")) {
        if let Some(entry) = request.theme.lookup(name, &[ns]) {
            return Some(negate(&request.theme.reference(entry), negative));
        }
    }
    if fractions && is_fraction(name) {
        return Some(negate(
            &format!("calc({} * 100%)", name.replace('/', " / ")),
            negative,
        ));
    }
    multiplier(request, name, negative)
}

fn multiplier(request: &Request, name: &str, negative: bool) -> Option<String> {
    if !is_number(name) || !is_quarter_step(name) {
        return None;
    }
    let spacing = request.theme.get("--spacing")?;
    let reference = request.theme.reference(spacing);
    Some(spacing_multiple(&reference, name, negative))
}

/// `calc(var(--spacing) * n)`, with Tailwind's simplifications for 0 and 1.
pub fn spacing_multiple(reference: &str, name: &str, negative: bool) -> String {
    if name.parse::<f64>().is_ok_and(|n| n == 0.0) {
        return "0px".to_string();
    }
    match (name, negative) {
        ("1", false) => reference.to_string(),
        (_, true) => format!("calc({reference} * -{name})"),
        _ => format!("calc({reference} * {name})"),
    }
}

/// Tailwind accepts multipliers in steps of 0.25.
fn is_quarter_step(name: &str) -> bool {
    name.parse::<f64>().is_ok_and(|n| (n * 4.0).fract() == 0.0)
}

const TRANSLATE_PROPERTIES: &[&str] = &["--tw-translate-x", "--tw-translate-y", "--tw-translate-z"];

fn translate(request: &Request) -> Option<Out> {
    let axis = request.root.strip_prefix("translate-")?;
    let value = length(
        request,
        &["--translate", "--spacing"],
        true,
        &[("px", "1px"), ("full", "100%")],
    )?;
    let variable = format!("--tw-translate-{axis}");
    let translate = if axis == "z" {
        "var(--tw-translate-x) var(--tw-translate-y) var(--tw-translate-z)"
    } else {
        "var(--tw-translate-x) var(--tw-translate-y)"
    };
    Some(Out {
        nodes: vec![
            Node::decl(variable, value),
            Node::decl("translate", translate),
        ],
        properties: TRANSLATE_PROPERTIES.to_vec(),
    })
}

fn translate_both(request: &Request) -> Option<Out> {
    let value = length(
        request,
        &["--translate", "--spacing"],
        true,
        &[("px", "1px"), ("full", "100%")],
    )?;
    Some(Out {
        nodes: vec![
            Node::decl("--tw-translate-x", value.clone()),
            Node::decl("--tw-translate-y", value),
            Node::decl("translate", "var(--tw-translate-x) var(--tw-translate-y)"),
        ],
        properties: TRANSLATE_PROPERTIES.to_vec(),
    })
}

fn border_spacing(request: &Request) -> Option<Out> {
    if request.negative {
        return None;
    }
    let value = length(
        request,
        &["--border-spacing", "--spacing"],
        false,
        &[("px", "1px")],
    )?;
    let mut nodes = Vec::new();
    let axis = request.root.strip_prefix("border-spacing").unwrap_or("");
    if axis != "-y" {
        nodes.push(Node::decl("--tw-border-spacing-x", value.clone()));
    }
    if axis != "-x" {
        nodes.push(Node::decl("--tw-border-spacing-y", value));
    }
    nodes.push(Node::decl(
        "border-spacing",
        "var(--tw-border-spacing-x) var(--tw-border-spacing-y)",
    ));
    Some(Out {
        nodes,
        properties: vec!["--tw-border-spacing-x", "--tw-border-spacing-y"],
    })
}

fn space(request: &Request) -> Option<Out> {
    let axis = request.root.strip_prefix("space-")?;
    let value = length(request, &["--space", "--spacing"], false, &[("px", "1px")])?;
    let (start, end) = if axis == "x" {
        ("margin-inline-start", "margin-inline-end")
    } else {
        ("margin-block-start", "margin-block-end")
    };
    let reverse = format!("--tw-space-{axis}-reverse");
    Some(Out {
        nodes: vec![Node::rule(
            ":where(& > :not(:last-child))",
            vec![
                Node::decl(
                    "--tw-sort",
                    if axis == "x" { "row-gap" } else { "column-gap" },
                ),
                Node::decl(reverse.clone(), "0"),
                Node::decl(start, format!("calc({value} * var({reverse}))")),
                Node::decl(end, format!("calc({value} * calc(1 - var({reverse})))")),
            ],
        )],
        properties: if axis == "x" {
            vec!["--tw-space-x-reverse"]
        } else {
            vec!["--tw-space-y-reverse"]
        },
    })
}
