//! Borders, radius, shadows, rings, opacity, transforms, transitions, filters.

use super::statics::SHADOW_PROPERTIES;
use super::{Out, Request, arbitrary, is_integer, is_number, negate, theme_value};
use crate::css::Node;

const SHADOW_STACK: &str = "var(--tw-inset-shadow), var(--tw-inset-ring-shadow), var(--tw-ring-offset-shadow), var(--tw-ring-shadow), var(--tw-shadow)";

pub fn compile(request: &Request) -> Option<Out> {
    if let Some(side) = BORDER_SIDES.iter().find(|(root, _)| *root == request.root) {
        return border_width(request, side.1);
    }
    if let Some(corner) = RADII.iter().find(|(root, _)| *root == request.root) {
        return radius(request, corner.1);
    }
    match request.root {
        "shadow" => shadow(request),
        "ring" => ring(request),
        "ring-offset" => {
            let width = match request.value.named() {
                Some(n) if is_integer(n) && !request.negative => format!("{n}px"),
                _ => arbitrary_length(request)?,
            };
            Some(Out::decls(&[
                ("--tw-ring-offset-width", &width),
                (
                    "--tw-ring-offset-shadow",
                    "var(--tw-ring-inset, ) 0 0 0 var(--tw-ring-offset-width) var(--tw-ring-offset-color)",
                ),
            ]))
        }
        "scale-x" | "scale-y" | "scale-z" => {
            let axis = &request.root[6..];
            let value = match request.value.named() {
                Some(n) if is_number(n) => format!("{n}%"),
                Some(_) => return None,
                None => arbitrary(request.value)?.to_string(),
            };
            let value = negate(&value, request.negative);
            let scale = if axis == "z" {
                "var(--tw-scale-x) var(--tw-scale-y) var(--tw-scale-z)"
            } else {
                "var(--tw-scale-x) var(--tw-scale-y)"
            };
            Some(
                Out::decls(&[(&format!("--tw-scale-{axis}"), &value), ("scale", scale)]).with(&[
                    "--tw-scale-x",
                    "--tw-scale-y",
                    "--tw-scale-z",
                ]),
            )
        }
        "stroke" => match request.value.named() {
            Some(n) if is_integer(n) && !request.negative => {
                Some(Out::same(&["stroke-width"], &format!("{n}px")))
            }
            Some(_) => None,
            None => {
                let value = arbitrary(request.value)?;
                let width = if is_number(value) {
                    format!("{value}px")
                } else {
                    arbitrary_length(request)?
                };
                Some(Out::same(&["stroke-width"], &width))
            }
        },
        "transition" => {
            let value = arbitrary(request.value)?;
            Some(Out::decls(&[
                ("transition-property", value),
                (
                    "transition-timing-function",
                    "var(--tw-ease, var(--default-transition-timing-function))",
                ),
                (
                    "transition-duration",
                    "var(--tw-duration, var(--default-transition-duration))",
                ),
            ]))
        }
        "cursor" => Some(Out::same(&["cursor"], arbitrary(request.value)?)),
        "divide-x" | "divide-y" => divide(request),
        "opacity" => {
            let value = percent(request)?;
            Some(Out::same(&["opacity"], &value))
        }
        "rotate" => {
            let value = angle(request)?;
            Some(Out::same(&["rotate"], &value))
        }
        "scale" => scale(request),
        "rotate-x" | "rotate-y" | "rotate-z" => {
            let axis = &request.root[7..];
            let value = angle(request)?;
            let function = format!("rotate{}({value})", axis.to_ascii_uppercase());
            Some(
                Out::decls(&[
                    (&format!("--tw-rotate-{axis}"), &function),
                    ("transform", TRANSFORM_STACK),
                ])
                .with(&[
                    "--tw-rotate-x",
                    "--tw-rotate-y",
                    "--tw-rotate-z",
                    "--tw-skew-x",
                    "--tw-skew-y",
                ]),
            )
        }
        "perspective" => {
            let value = match request.value.named() {
                Some("none") => "none".to_string(),
                _ => theme_value(request, &["--perspective"])
                    .or_else(|| arbitrary(request.value).map(str::to_string))?,
            };
            Some(Out::same(&["perspective"], &value))
        }
        "skew-x" | "skew-y" => skew(request),
        "duration" => {
            let value = milliseconds(request)?;
            Some(
                Out::decls(&[("--tw-duration", &value), ("transition-duration", &value)])
                    .with(&["--tw-duration"]),
            )
        }
        "delay" => {
            let value = milliseconds(request)?;
            Some(Out::same(&["transition-delay"], &value))
        }
        "ease" => {
            let value = theme_value(request, &["--ease"])
                .or_else(|| arbitrary(request.value).map(str::to_string))?;
            Some(
                Out::decls(&[
                    ("--tw-ease", &value),
                    ("transition-timing-function", &value),
                ])
                .with(&["--tw-ease"]),
            )
        }
        "outline" => outline(request),
        "outline-offset" => {
            let value = match request.value.named() {
                Some(n) if is_integer(n) => format!("{n}px"),
                _ => arbitrary(request.value)?.to_string(),
            };
            let value = if request.negative {
                format!("calc({value} * -1)")
            } else {
                value
            };
            Some(Out::same(&["outline-offset"], &value))
        }
        "blur" => {
            let value = theme_value(request, &["--blur"])
                .or_else(|| arbitrary(request.value).map(str::to_string))?;
            Some(filter(&format!("blur({value})")))
        }
        "animate" => {
            let value = match request.value.named() {
                Some("none") => "none".to_string(),
                _ => theme_value(request, &["--animate"])
                    .or_else(|| arbitrary(request.value).map(str::to_string))?,
            };
            Some(Out::same(&["animation"], &value))
        }
        _ => None,
    }
}

const BORDER_SIDES: &[(&str, &str)] = &[
    ("border", ""),
    ("border-x", "-inline"),
    ("border-y", "-block"),
    ("border-s", "-inline-start"),
    ("border-e", "-inline-end"),
    ("border-t", "-top"),
    ("border-r", "-right"),
    ("border-b", "-bottom"),
    ("border-l", "-left"),
];

fn border_width(request: &Request, side: &str) -> Option<Out> {
    if request.negative || request.modifier.is_some() {
        return None;
    }
    let width = match request.value.named() {
        Some(n) if is_integer(n) => format!("{n}px"),
        Some(_) => theme_value(request, &["--border-width"])?,
        None => {
            let value = arbitrary(request.value)?;
            let is_width = super::hint(request.value) == Some("length")
                || super::typography::looks_like_length(value);
            if !is_width {
                return None;
            }
            value.to_string()
        }
    };
    Some(Out {
        nodes: vec![
            Node::decl(format!("border{side}-style"), "var(--tw-border-style)"),
            Node::decl(format!("border{side}-width"), width),
        ],
        properties: vec!["--tw-border-style"],
    })
}

/// `border` with no value is a static utility sharing this shape.
pub fn border_default(side: &str) -> Out {
    Out {
        nodes: vec![
            Node::decl(format!("border{side}-style"), "var(--tw-border-style)"),
            Node::decl(format!("border{side}-width"), "1px"),
        ],
        properties: vec!["--tw-border-style"],
    }
}

pub const BORDER_ROOTS: &[(&str, &str)] = BORDER_SIDES;

const RADII: &[(&str, &[&str])] = &[
    ("rounded", &["border-radius"]),
    (
        "rounded-s",
        &["border-start-start-radius", "border-end-start-radius"],
    ),
    (
        "rounded-e",
        &["border-start-end-radius", "border-end-end-radius"],
    ),
    (
        "rounded-t",
        &["border-top-left-radius", "border-top-right-radius"],
    ),
    (
        "rounded-r",
        &["border-top-right-radius", "border-bottom-right-radius"],
    ),
    (
        "rounded-b",
        &["border-bottom-right-radius", "border-bottom-left-radius"],
    ),
    (
        "rounded-l",
        &["border-top-left-radius", "border-bottom-left-radius"],
    ),
    ("rounded-ss", &["border-start-start-radius"]),
    ("rounded-se", &["border-start-end-radius"]),
    ("rounded-ee", &["border-end-end-radius"]),
    ("rounded-es", &["border-end-start-radius"]),
    ("rounded-tl", &["border-top-left-radius"]),
    ("rounded-tr", &["border-top-right-radius"]),
    ("rounded-br", &["border-bottom-right-radius"]),
    ("rounded-bl", &["border-bottom-left-radius"]),
];

fn radius(request: &Request, properties: &[&str]) -> Option<Out> {
    if request.negative || request.modifier.is_some() {
        return None;
    }
    let value = match request.value.named() {
        Some("none") => "0".to_string(),
        Some("full") => "calc(infinity * 1px)".to_string(),
        Some(_) => theme_value(request, &["--radius"])?,
        None => arbitrary(request.value)?.to_string(),
    };
    Some(Out::same(properties, &value))
}

fn shadow(request: &Request) -> Option<Out> {
    if request.negative {
        return None;
    }
    if let Some(name) = request.value.named()
        && let Some(entry) = request.theme.lookup(name, &["--shadow"])
    {
        let alpha = shadow_alpha(request.modifier)?;
        let value = with_color_variable_alpha(&entry.value, "--tw-shadow-color", alpha.as_deref());
        let mut nodes = vec![
            Node::decl("--tw-shadow", value),
            Node::decl("box-shadow", SHADOW_STACK),
        ];
        if let Some(alpha) = alpha {
            nodes.insert(0, Node::decl("--tw-shadow-alpha", alpha));
        }
        return Some(Out {
            nodes,
            properties: SHADOW_PROPERTIES.to_vec(),
        });
    }
    if let Some(value) = arbitrary(request.value)
        && request.modifier.is_none()
        && !super::color::is_color_like(value, super::hint(request.value))
    {
        return Some(Out {
            nodes: vec![
                Node::decl("--tw-shadow", with_shadow_color(value)),
                Node::decl("box-shadow", SHADOW_STACK),
            ],
            properties: SHADOW_PROPERTIES.to_vec(),
        });
    }
    // A shadow color, mixed with the shadow's alpha.
    let color = super::color::resolve(request)?;
    Some(Out {
        nodes: mix_alpha(&color, "--tw-shadow-color", "var(--tw-shadow-alpha)"),
        properties: SHADOW_PROPERTIES.to_vec(),
    })
}

/// `shadow` alone reads the deprecated `--shadow`.
pub fn shadow_default(theme: &crate::theme::Theme) -> Option<Out> {
    let entry = theme.get("--shadow")?;
    Some(Out {
        nodes: vec![
            Node::decl("--tw-shadow", with_shadow_color(&entry.value)),
            Node::decl("box-shadow", SHADOW_STACK),
        ],
        properties: SHADOW_PROPERTIES.to_vec(),
    })
}

/// The alpha of `shadow-lg/20`: `Some(None)` without a modifier, `None` for a bad one.
pub fn shadow_alpha(modifier: Option<&crate::candidate::Value>) -> Option<Option<String>> {
    match modifier {
        None => Some(None),
        Some(crate::candidate::Value::Named(n)) if is_number(n) => Some(Some(format!("{n}%"))),
        Some(crate::candidate::Value::Arbitrary { value, .. }) => Some(Some(value.clone())),
        Some(_) => None,
    }
}

fn mix_alpha(color: &super::color::Color, property: &str, alpha: &str) -> Vec<Node> {
    vec![Node::decl(
        property,
        format!("color-mix(in oklab, {} {alpha}, transparent)", color.value),
    )]
}

fn with_shadow_color(value: &str) -> String {
    with_color_variable(value, "--tw-shadow-color")
}

/// `0 4px 6px -1px rgb(0 0 0 / 0.1)` → `… var(--tw-shadow-color, rgb(0 0 0 / 0.1))`, for
/// each comma-separated layer.
pub fn with_color_variable(value: &str, variable: &str) -> String {
    with_color_variable_alpha(value, variable, None)
}

/// As [`with_color_variable`], the fallback color at `alpha` (`shadow-lg/20`).
pub fn with_color_variable_alpha(value: &str, variable: &str, alpha: Option<&str>) -> String {
    crate::candidate::split_top_level(value, b',')
        .iter()
        .map(|layer| {
            let layer = layer.trim();
            let color_at = [
                " rgb(",
                " rgba(",
                " hsl(",
                " hsla(",
                " oklch(",
                " oklab(",
                " #",
                " var(--color",
            ]
            .iter()
            .filter_map(|p| layer.rfind(p))
            .max();
            match color_at {
                Some(at) => {
                    let color = &layer[at + 1..];
                    let color = match alpha {
                        Some(alpha) => format!("oklab(from {color} l a b / {alpha})"),
                        None => color.to_string(),
                    };
                    format!("{} var({variable}, {color})", &layer[..at])
                }
                None => layer.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn divide(request: &Request) -> Option<Out> {
    if request.negative || request.modifier.is_some() {
        return None;
    }
    let width = match request.value.named() {
        Some(n) if is_integer(n) => format!("{n}px"),
        _ => arbitrary(request.value)?.to_string(),
    };
    Some(divide_out(&request.root[7..], &width))
}

/// `divide-x-2` (and `divide-x` at 1px): borders between children.
pub fn divide_out(axis: &str, width: &str) -> Out {
    let reverse = format!("--tw-divide-{axis}-reverse");
    let body = if axis == "x" {
        vec![
            Node::decl("--tw-sort", "divide-x-width"),
            Node::decl(reverse.clone(), "0"),
            Node::decl("border-inline-style", "var(--tw-border-style)"),
            Node::decl(
                "border-inline-start-width",
                format!("calc({width} * var({reverse}))"),
            ),
            Node::decl(
                "border-inline-end-width",
                format!("calc({width} * calc(1 - var({reverse})))"),
            ),
        ]
    } else {
        vec![
            Node::decl("--tw-sort", "divide-y-width"),
            Node::decl(reverse.clone(), "0"),
            Node::decl("border-bottom-style", "var(--tw-border-style)"),
            Node::decl("border-top-style", "var(--tw-border-style)"),
            Node::decl(
                "border-top-width",
                format!("calc({width} * var({reverse}))"),
            ),
            Node::decl(
                "border-bottom-width",
                format!("calc({width} * calc(1 - var({reverse})))"),
            ),
        ]
    };
    Out {
        nodes: vec![Node::rule(":where(& > :not(:last-child))", body)],
        properties: if axis == "x" {
            vec!["--tw-divide-x-reverse", "--tw-border-style"]
        } else {
            vec!["--tw-divide-y-reverse", "--tw-border-style"]
        },
    }
}

/// An arbitrary value that is a length (`[3px]`, `[length:var(--x)]`).
fn arbitrary_length(request: &Request) -> Option<String> {
    let value = arbitrary(request.value)?;
    let is_length =
        super::hint(request.value) == Some("length") || super::typography::looks_like_length(value);
    is_length.then(|| value.to_string())
}

fn ring(request: &Request) -> Option<Out> {
    if request.negative || request.modifier.is_some() {
        return None;
    }
    let width = match request.value.named() {
        Some(n) if is_integer(n) => format!("{n}px"),
        Some(_) => return None,
        None => arbitrary_length(request)?,
    };
    Some(Out {
        nodes: vec![
            Node::decl(
                "--tw-ring-shadow",
                format!(
                    "var(--tw-ring-inset, ) 0 0 0 calc({width} + var(--tw-ring-offset-width)) var(--tw-ring-color, currentcolor)"
                ),
            ),
            Node::decl("box-shadow", SHADOW_STACK),
        ],
        properties: SHADOW_PROPERTIES.to_vec(),
    })
}

fn outline(request: &Request) -> Option<Out> {
    if request.negative || request.modifier.is_some() {
        return None;
    }
    let width = match request.value.named() {
        Some(n) if is_integer(n) => format!("{n}px"),
        Some(_) => return None,
        None => arbitrary_length(request)?,
    };
    Some(
        Out::decls(&[
            ("outline-style", "var(--tw-outline-style)"),
            ("outline-width", &width),
        ])
        .with(&["--tw-outline-style"]),
    )
}

fn percent(request: &Request) -> Option<String> {
    if request.negative || request.modifier.is_some() {
        return None;
    }
    match request.value.named() {
        Some(n) if is_number(n) => Some(format!("{n}%")),
        Some(_) => theme_value(request, &["--opacity"]),
        None => arbitrary(request.value).map(str::to_string),
    }
}

fn angle(request: &Request) -> Option<String> {
    if request.modifier.is_some() {
        return None;
    }
    let value = match request.value.named() {
        Some(n) if is_number(n) => format!("{n}deg"),
        Some(_) => return None,
        None => arbitrary(request.value)?.to_string(),
    };
    Some(negate(&value, request.negative))
}

fn scale(request: &Request) -> Option<Out> {
    if request.modifier.is_some() {
        return None;
    }
    let value = match request.value.named() {
        Some(n) if is_number(n) => format!("{n}%"),
        Some(_) => return None,
        // An arbitrary scale is the `scale` property itself.
        None => {
            return Some(Out::same(
                &["scale"],
                &negate(arbitrary(request.value)?, request.negative),
            ));
        }
    };
    let value = negate(&value, request.negative);
    Some(Out {
        nodes: vec![
            Node::decl("--tw-scale-x", value.clone()),
            Node::decl("--tw-scale-y", value.clone()),
            Node::decl("--tw-scale-z", value),
            Node::decl("scale", "var(--tw-scale-x) var(--tw-scale-y)"),
        ],
        properties: vec!["--tw-scale-x", "--tw-scale-y", "--tw-scale-z"],
    })
}

fn skew(request: &Request) -> Option<Out> {
    let axis = request.root.strip_prefix("skew-")?;
    let value = angle(request)?;
    Some(Out {
        nodes: vec![
            Node::decl(
                format!("--tw-skew-{axis}"),
                format!("skewX({value})")
                    .replace("skewX", if axis == "x" { "skewX" } else { "skewY" }),
            ),
            Node::decl(
                "transform",
                "var(--tw-rotate-x, ) var(--tw-rotate-y, ) var(--tw-rotate-z, ) var(--tw-skew-x, ) var(--tw-skew-y, )",
            ),
        ],
        properties: vec![
            "--tw-rotate-x",
            "--tw-rotate-y",
            "--tw-rotate-z",
            "--tw-skew-x",
            "--tw-skew-y",
        ],
    })
}

fn milliseconds(request: &Request) -> Option<String> {
    if request.negative || request.modifier.is_some() {
        return None;
    }
    match request.value.named() {
        Some(n) if is_integer(n) => Some(format!("{n}ms")),
        Some(_) => None,
        None => arbitrary(request.value).map(str::to_string),
    }
}

const TRANSFORM_STACK: &str = "var(--tw-rotate-x, ) var(--tw-rotate-y, ) var(--tw-rotate-z, ) var(--tw-skew-x, ) var(--tw-skew-y, )";

pub fn filter(value: &str) -> Out {
    super::filters::filter(false, "blur", value)
}
