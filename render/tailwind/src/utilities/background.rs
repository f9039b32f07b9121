//! Background images and gradients: `bg-[url(…)]`, `bg-linear-to-r`, `from-*`, `via-*`,
//! `to-*` and their positions.

use super::{Out, Request, arbitrary, is_number};
use crate::css::Node;

pub const GRADIENT_PROPERTIES: &[&str] = &[
    "--tw-gradient-position",
    "--tw-gradient-from",
    "--tw-gradient-via",
    "--tw-gradient-to",
    "--tw-gradient-stops",
    "--tw-gradient-via-stops",
    "--tw-gradient-from-position",
    "--tw-gradient-via-position",
    "--tw-gradient-to-position",
];

const DIRECTIONS: &[(&str, &str)] = &[
    ("t", "to top"),
    ("tr", "to top right"),
    ("r", "to right"),
    ("br", "to bottom right"),
    ("b", "to bottom"),
    ("bl", "to bottom left"),
    ("l", "to left"),
    ("tl", "to top left"),
];

const STOPS_FROM_TO: &str = "var(--tw-gradient-via-stops, var(--tw-gradient-position), var(--tw-gradient-from) var(--tw-gradient-from-position), var(--tw-gradient-to) var(--tw-gradient-to-position))";
const STOPS_VIA: &str = "var(--tw-gradient-position), var(--tw-gradient-from) var(--tw-gradient-from-position), var(--tw-gradient-via) var(--tw-gradient-via-position), var(--tw-gradient-to) var(--tw-gradient-to-position)";

pub fn compile(request: &Request) -> Option<Out> {
    if request.negative {
        return None;
    }
    match request.root {
        "bg" => {
            let value = arbitrary(request.value)?;
            let is_image = value.starts_with("url(")
                || value.contains("gradient(")
                || super::hint(request.value) == Some("image");
            is_image.then(|| Out::same(&["background-image"], value))
        }
        "bg-size" | "bg-position" | "object" => {
            let value = arbitrary(request.value)?;
            let property = match request.root {
                "bg-size" => "background-size",
                "bg-position" => "background-position",
                _ => "object-position",
            };
            Some(Out::same(&[property], value))
        }
        "bg-linear" => {
            let name = request.value.named()?;
            if !super::is_integer(name) {
                return None;
            }
            let angle = super::negate(&format!("{name}deg"), request.negative);
            Some(linear(&angle))
        }
        "bg-linear-to" | "bg-gradient-to" => {
            let name = request.value.named()?;
            let (_, direction) = DIRECTIONS.iter().find(|(k, _)| *k == name)?;
            if request.root == "bg-linear-to" {
                let space = match request.modifier {
                    None => "oklab".to_string(),
                    Some(m) => interpolation(m)?,
                };
                return Some(linear_in(direction, &space));
            }
            let nodes = if request.root == "bg-gradient-to" {
                vec![Node::decl(
                    "--tw-gradient-position",
                    format!("{direction} in oklab"),
                )]
            } else {
                vec![
                    Node::decl("--tw-gradient-position", *direction),
                    Node::at_rule(
                        "supports",
                        "(background-image: linear-gradient(in lab, red, red))",
                        vec![Node::decl(
                            "--tw-gradient-position",
                            format!("{direction} in oklab"),
                        )],
                    ),
                ]
            };
            let mut nodes = nodes;
            nodes.push(Node::decl(
                "background-image",
                "linear-gradient(var(--tw-gradient-stops))",
            ));
            Some(Out {
                nodes,
                properties: Vec::new(),
            })
        }
        "from" | "via" | "to" => stop(request),
        _ => None,
    }
}

/// `bg-linear-to-r/srgb`: the color space (or hue method) to interpolate in.
fn interpolation(modifier: &crate::candidate::Value) -> Option<String> {
    const SPACES: &[&str] = &[
        "srgb",
        "srgb-linear",
        "display-p3",
        "a98-rgb",
        "prophoto-rgb",
        "rec2020",
        "lab",
        "oklab",
        "xyz",
        "xyz-d50",
        "xyz-d65",
        "hsl",
        "hwb",
        "lch",
        "oklch",
    ];
    let name = modifier.named()?;
    match name {
        "shorter" | "longer" | "increasing" | "decreasing" => Some(format!("oklch {name} hue")),
        _ if SPACES.contains(&name) => Some(name.to_string()),
        _ => None,
    }
}

fn linear(position: &str) -> Out {
    linear_in(position, "oklab")
}

/// `linear-gradient` at `position`, interpolated (the stops, not the direction, register the
/// gradient properties) `in {space}` where the browser supports it.
fn linear_in(position: &str, space: &str) -> Out {
    Out {
        nodes: vec![
            Node::decl("--tw-gradient-position", position),
            Node::at_rule(
                "supports",
                "(background-image: linear-gradient(in lab, red, red))",
                vec![Node::decl(
                    "--tw-gradient-position",
                    format!("{position} in {space}"),
                )],
            ),
            Node::decl(
                "background-image",
                "linear-gradient(var(--tw-gradient-stops))",
            ),
        ],
        properties: Vec::new(),
    }
}

fn stop(request: &Request) -> Option<Out> {
    let name = request.root;
    if let Some(value) = arbitrary(request.value)
        && (super::hint(request.value) == Some("percentage") || value.ends_with('%'))
    {
        let property = format!("--tw-gradient-{name}-position");
        return Some(Out::same(&[&property], value).with(GRADIENT_PROPERTIES));
    }
    if let Some(n) = request.value.named().and_then(|v| v.strip_suffix('%'))
        && is_number(n)
        && request.modifier.is_none()
    {
        let property = format!("--tw-gradient-{name}-position");
        return Some(Out::same(&[&property], &format!("{n}%")).with(GRADIENT_PROPERTIES));
    }
    let color = super::color::resolve(request)?;
    let mut nodes = vec![Node::decl("--tw-sort", format!("--tw-gradient-{name}"))];
    nodes.extend(color.declarations(&format!("--tw-gradient-{name}")));
    if name == "via" {
        nodes.push(Node::decl("--tw-gradient-via-stops", STOPS_VIA));
        nodes.push(Node::decl(
            "--tw-gradient-stops",
            "var(--tw-gradient-via-stops)",
        ));
    } else {
        nodes.push(Node::decl("--tw-gradient-stops", STOPS_FROM_TO));
    }
    Some(Out {
        nodes,
        properties: GRADIENT_PROPERTIES.to_vec(),
    })
}
