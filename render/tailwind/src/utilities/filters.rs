//! Filters and backdrop filters (`brightness-50`, `drop-shadow-md`, `backdrop-blur-sm`), and
//! inset shadows and rings, which share the shadow stack.

use super::statics::SHADOW_PROPERTIES;
use super::{Out, Request, arbitrary, is_number, negate, theme_value};
use crate::css::Node;

const FILTER_STACK: &str = "var(--tw-blur, ) var(--tw-brightness, ) var(--tw-contrast, ) var(--tw-grayscale, ) var(--tw-hue-rotate, ) var(--tw-invert, ) var(--tw-saturate, ) var(--tw-sepia, ) var(--tw-drop-shadow, )";
const BACKDROP_STACK: &str = "var(--tw-backdrop-blur, ) var(--tw-backdrop-brightness, ) var(--tw-backdrop-contrast, ) var(--tw-backdrop-grayscale, ) var(--tw-backdrop-hue-rotate, ) var(--tw-backdrop-invert, ) var(--tw-backdrop-opacity, ) var(--tw-backdrop-saturate, ) var(--tw-backdrop-sepia, )";
const SHADOW_STACK: &str = "var(--tw-inset-shadow), var(--tw-inset-ring-shadow), var(--tw-ring-offset-shadow), var(--tw-ring-shadow), var(--tw-shadow)";

pub const FILTER_PROPERTIES: &[&str] = &[
    "--tw-blur",
    "--tw-brightness",
    "--tw-contrast",
    "--tw-grayscale",
    "--tw-hue-rotate",
    "--tw-invert",
    "--tw-opacity",
    "--tw-saturate",
    "--tw-sepia",
    "--tw-drop-shadow",
    "--tw-drop-shadow-color",
    "--tw-drop-shadow-alpha",
    "--tw-drop-shadow-size",
];

const BACKDROP_PROPERTIES: &[&str] = &[
    "--tw-backdrop-blur",
    "--tw-backdrop-brightness",
    "--tw-backdrop-contrast",
    "--tw-backdrop-grayscale",
    "--tw-backdrop-hue-rotate",
    "--tw-backdrop-invert",
    "--tw-backdrop-opacity",
    "--tw-backdrop-saturate",
    "--tw-backdrop-sepia",
];

/// A filter function and how its bare number is written.
const FUNCTIONS: &[(&str, &str)] = &[
    ("brightness", "%"),
    ("contrast", "%"),
    ("grayscale", "%"),
    ("invert", "%"),
    ("sepia", "%"),
    ("saturate", "%"),
    ("hue-rotate", "deg"),
    ("opacity", "%"),
];

pub fn compile(request: &Request) -> Option<Out> {
    if request.modifier.is_some()
        && !matches!(request.root, "drop-shadow" | "inset-shadow" | "text-shadow")
    {
        return None;
    }
    match request.root {
        "text-shadow" => return text_shadow(request),
        "inset-shadow" => return inset_shadow(request),
        "inset-ring" => return inset_ring(request),
        "drop-shadow" => return drop_shadow(request),
        _ => {}
    }
    let (backdrop, function) = match request.root.strip_prefix("backdrop-") {
        Some(function) => (true, function),
        None => (false, request.root),
    };
    if function == "blur" {
        if !backdrop {
            return None;
        }
        let value = theme_value(request, &["--blur"])
            .or_else(|| arbitrary(request.value).map(str::to_string))?;
        return Some(filter(true, "blur", &format!("blur({value})")));
    }
    let (_, unit) = FUNCTIONS.iter().find(|(f, _)| *f == function)?;
    if function == "opacity" && !backdrop {
        return None;
    }
    let value = match request.value.named() {
        Some(n) if is_number(n) => format!("{n}{unit}"),
        Some(_) => return None,
        None => arbitrary(request.value)?.to_string(),
    };
    if request.negative && function != "hue-rotate" {
        return None;
    }
    let value = negate(&value, request.negative);
    Some(filter(backdrop, function, &format!("{function}({value})")))
}

/// `grayscale`, `invert`, `sepia`, `backdrop-blur`…: the bare forms.
pub fn bare(name: &str, theme: &crate::theme::Theme) -> Option<Out> {
    Some(match name {
        "grayscale" | "invert" | "sepia" => filter(false, name, &format!("{name}(100%)")),
        "backdrop-grayscale" | "backdrop-invert" | "backdrop-sepia" => {
            let function = &name["backdrop-".len()..];
            filter(true, function, &format!("{function}(100%)"))
        }
        "backdrop-blur" => {
            let entry = theme.get("--blur")?;
            filter(true, "blur", &format!("blur({})", theme.reference(entry)))
        }
        "backdrop-blur-none" => filter(true, "blur", " "),
        "drop-shadow-none" => filter(false, "drop-shadow", " "),
        "filter-none" => Out::decls(&[("filter", "none")]),
        "backdrop-filter-none" => Out::decls(&[
            ("-webkit-backdrop-filter", "none"),
            ("backdrop-filter", "none"),
        ]),
        "inset-ring" => ring_out("inset 0 0 0 1px var(--tw-inset-ring-color, currentcolor)"),
        _ => return None,
    })
}

pub fn filter(backdrop: bool, function: &str, value: &str) -> Out {
    if backdrop {
        Out {
            nodes: vec![
                Node::decl(format!("--tw-backdrop-{function}"), value),
                Node::decl("-webkit-backdrop-filter", BACKDROP_STACK),
                Node::decl("backdrop-filter", BACKDROP_STACK),
            ],
            properties: BACKDROP_PROPERTIES.to_vec(),
        }
    } else {
        Out {
            nodes: vec![
                Node::decl(format!("--tw-{function}"), value),
                Node::decl("filter", FILTER_STACK),
            ],
            properties: FILTER_PROPERTIES.to_vec(),
        }
    }
}

fn drop_shadow(request: &Request) -> Option<Out> {
    if request.negative {
        return None;
    }
    if let Some(name) = request.value.named()
        && let Some(entry) = request.theme.lookup(name, &["--drop-shadow"])
    {
        let alpha = super::effects::shadow_alpha(request.modifier)?;
        let sized = super::effects::with_color_variable_alpha(
            &entry.value,
            "--tw-drop-shadow-color",
            alpha.as_deref(),
        );
        let layers: Vec<String> = crate::candidate::split_top_level(&sized, b',')
            .iter()
            .map(|layer| format!("drop-shadow({})", layer.trim()))
            .collect();
        let mut nodes = vec![
            Node::decl("--tw-drop-shadow-size", layers.join(" ")),
            Node::decl(
                "--tw-drop-shadow",
                format!("drop-shadow({})", request.theme.reference(entry)),
            ),
            Node::decl("filter", FILTER_STACK),
        ];
        if let Some(alpha) = alpha {
            nodes.insert(0, Node::decl("--tw-drop-shadow-alpha", alpha));
            nodes[2] = Node::decl("--tw-drop-shadow", "var(--tw-drop-shadow-size)");
        }
        return Some(Out {
            nodes,
            properties: FILTER_PROPERTIES.to_vec(),
        });
    }
    let color = super::color::resolve(request)?;
    Some(Out {
        nodes: vec![
            Node::decl(
                "--tw-drop-shadow-color",
                format!(
                    "color-mix(in oklab, {} var(--tw-drop-shadow-alpha), transparent)",
                    color.value
                ),
            ),
            Node::decl("--tw-drop-shadow", "var(--tw-drop-shadow-size)"),
        ],
        properties: FILTER_PROPERTIES.to_vec(),
    })
}

const TEXT_SHADOW_PROPERTIES: &[&str] = &["--tw-text-shadow-color", "--tw-text-shadow-alpha"];

fn text_shadow(request: &Request) -> Option<Out> {
    if request.negative {
        return None;
    }
    if request.value.named() == Some("none") && request.modifier.is_none() {
        return Some(Out::decls(&[("text-shadow", "none")]));
    }
    if let Some(name) = request.value.named()
        && let Some(entry) = request.theme.lookup(name, &["--text-shadow"])
    {
        let alpha = super::effects::shadow_alpha(request.modifier)?;
        let value = super::effects::with_color_variable_alpha(
            &entry.value,
            "--tw-text-shadow-color",
            alpha.as_deref(),
        );
        let mut out = Out::same(&["text-shadow"], &value).with(TEXT_SHADOW_PROPERTIES);
        if let Some(alpha) = alpha {
            out.nodes
                .insert(0, Node::decl("--tw-text-shadow-alpha", alpha));
        }
        return Some(out);
    }
    let color = super::color::resolve(request)?;
    Some(Out {
        nodes: vec![Node::decl(
            "--tw-text-shadow-color",
            format!(
                "color-mix(in oklab, {} var(--tw-text-shadow-alpha), transparent)",
                color.value
            ),
        )],
        properties: TEXT_SHADOW_PROPERTIES.to_vec(),
    })
}

fn inset_shadow(request: &Request) -> Option<Out> {
    if request.negative {
        return None;
    }
    if let Some(name) = request.value.named()
        && let Some(entry) = request.theme.lookup(name, &["--inset-shadow"])
    {
        let alpha = super::effects::shadow_alpha(request.modifier)?;
        let mut nodes = vec![
            Node::decl(
                "--tw-inset-shadow",
                super::effects::with_color_variable_alpha(
                    &entry.value,
                    "--tw-inset-shadow-color",
                    alpha.as_deref(),
                ),
            ),
            Node::decl("box-shadow", SHADOW_STACK),
        ];
        if let Some(alpha) = alpha {
            nodes.insert(0, Node::decl("--tw-inset-shadow-alpha", alpha));
        }
        return Some(Out {
            nodes,
            properties: SHADOW_PROPERTIES.to_vec(),
        });
    }
    let color = super::color::resolve(request)?;
    Some(Out {
        nodes: vec![Node::decl(
            "--tw-inset-shadow-color",
            format!(
                "color-mix(in oklab, {} var(--tw-inset-shadow-alpha), transparent)",
                color.value
            ),
        )],
        properties: SHADOW_PROPERTIES.to_vec(),
    })
}

fn inset_ring(request: &Request) -> Option<Out> {
    match request.value.named() {
        Some(n) if super::is_integer(n) && !request.negative => Some(ring_out(&format!(
            "inset 0 0 0 {n}px var(--tw-inset-ring-color, currentcolor)"
        ))),
        _ => None,
    }
}

fn ring_out(value: &str) -> Out {
    Out {
        nodes: vec![
            Node::decl("--tw-inset-ring-shadow", value),
            Node::decl("box-shadow", SHADOW_STACK),
        ],
        properties: SHADOW_PROPERTIES.to_vec(),
    }
}
