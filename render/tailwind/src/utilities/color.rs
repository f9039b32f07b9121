//! Color utilities (`bg-red-500/50`, `text-[#123]`, `border-x-current`) and the opacity
//! modifier, which Tailwind turns into `color-mix(in oklab, … N%, transparent)` with an
//! `srgb` fallback for browsers without `color-mix` in `lab` when the color is a theme
//! variable.

use super::{Out, Request, is_number};
use crate::candidate::Value;
use crate::css::Node;

/// Roots that take a color, and the property each sets.
#[rustfmt::skip]
const COLOR_ROOTS: &[(&str, &[&str])] = &[
    ("bg", &["background-color"]),
    ("text", &["color"]),
    ("border", &["border-color"]),
    ("border-x", &["border-inline-color"]),
    ("border-y", &["border-block-color"]),
    ("border-s", &["border-inline-start-color"]),
    ("border-e", &["border-inline-end-color"]),
    ("border-t", &["border-top-color"]),
    ("border-r", &["border-right-color"]),
    ("border-b", &["border-bottom-color"]),
    ("border-l", &["border-left-color"]),
    ("outline", &["outline-color"]),
    ("decoration", &["text-decoration-color"]),
    ("accent", &["accent-color"]),
    ("caret", &["caret-color"]),
    ("fill", &["fill"]),
    ("stroke", &["stroke"]),
    ("ring", &["--tw-ring-color"]),
    ("ring-offset", &["--tw-ring-offset-color"]),
    ("inset-ring", &["--tw-inset-ring-color"]),
];

pub fn compile(request: &Request) -> Option<Out> {
    if request.negative {
        return None;
    }
    let (root, properties) = match COLOR_ROOTS.iter().find(|(r, _)| *r == request.root) {
        Some(found) => *found,
        None => match request.root {
            "placeholder" | "divide" => (request.root, &[][..]),
            _ => return None,
        },
    };
    let color = resolve(request)?;
    let declare = |property: &str| color.declarations(property);
    match root {
        "placeholder" => Some(Out {
            nodes: vec![Node::rule(
                "&::placeholder",
                sorted("placeholder-color", declare("color")),
            )],
            properties: Vec::new(),
        }),
        "divide" => Some(Out {
            nodes: vec![Node::rule(
                ":where(& > :not(:last-child))",
                sorted("divide-color", declare("border-color")),
            )],
            properties: Vec::new(),
        }),
        _ => Some(Out {
            nodes: properties.iter().flat_map(|p| declare(p)).collect(),
            properties: Vec::new(),
        }),
    }
}

fn sorted(property: &str, mut nodes: Vec<Node>) -> Vec<Node> {
    nodes.insert(0, Node::decl("--tw-sort", property));
    nodes
}

/// A resolved color, with its alpha applied.
pub struct Color {
    /// `var(--color-red-500)` or a literal.
    pub value: String,
}

impl Color {
    pub fn declarations(&self, property: &str) -> Vec<Node> {
        // The `srgb` fallback for a mix is added for every declaration alike, by
        // `emit::color_mix_fallbacks`.
        vec![Node::decl(property, self.value.clone())]
    }
}

pub fn resolve(request: &Request) -> Option<Color> {
    let (value, ()) = match request.value {
        Value::Arbitrary { value, hint: h } => {
            if !is_color_like(value, h.as_deref()) {
                return None;
            }
            (value.clone(), ())
        }
        Value::Named(name) => match name.as_str() {
            "inherit" => ("inherit".to_string(), ()),
            "current" => ("currentcolor".to_string(), ()),
            "transparent" => ("transparent".to_string(), ()),
            _ => {
                let entry = request.theme.lookup(name, &["--color"])?;
                (request.theme.reference(entry), ())
            }
        },
    };
    let Some(modifier) = request.modifier else {
        return Some(Color { value });
    };
    let alpha = alpha(modifier)?;
    if value == "inherit" {
        return None;
    }
    Some(Color {
        value: with_alpha(&value, &alpha),
    })
}

/// `50` → `50%`; `[0.5]` → `50%`; `[--x]`/`(--x)` → `var(--x)`.
fn alpha(modifier: &Value) -> Option<String> {
    match modifier {
        Value::Named(n) if is_number(n) => Some(format!("{n}%")),
        Value::Named(_) => None,
        Value::Arbitrary { value, .. } => Some(match value.parse::<f64>() {
            Ok(n) => format!("{}%", n * 100.0),
            Err(_) => value.clone(),
        }),
    }
}

pub fn with_alpha(color: &str, alpha: &str) -> String {
    with_alpha_in(color, alpha, "oklab")
}

fn with_alpha_in(color: &str, alpha: &str, space: &str) -> String {
    if alpha == "100%" {
        return color.to_string();
    }
    format!("color-mix(in {space}, {color} {alpha}, transparent)")
}

pub fn is_color_like(value: &str, hint: Option<&str>) -> bool {
    if let Some(hint) = hint {
        return hint == "color";
    }
    value.starts_with('#')
        || [
            "rgb(",
            "rgba(",
            "hsl(",
            "hsla(",
            "oklch(",
            "oklab(",
            "lab(",
            "lch(",
            "color-mix(",
            "color(",
        ]
        .iter()
        .any(|p| value.starts_with(p))
        || matches!(
            value,
            "red" | "blue" | "green" | "white" | "black" | "transparent" | "currentcolor"
        )
        || value.starts_with("var(")
}
