//! Mask gradients: edge masks (`mask-t-from-50%`, `mask-x-to-black`) and radial masks
//! (`mask-radial-from-10%`). Each stop is a position (a percentage, a spacing multiple, a
//! length) or a color.

use super::{Out, Request, arbitrary, is_number};
use crate::css::Node;

const MASK_IMAGE: &str = "var(--tw-mask-linear), var(--tw-mask-radial), var(--tw-mask-conic)";
const MASK_LINEAR: &str =
    "var(--tw-mask-left), var(--tw-mask-right), var(--tw-mask-bottom), var(--tw-mask-top)";
const RADIAL_STOPS: &str = "var(--tw-mask-radial-shape) var(--tw-mask-radial-size) at var(--tw-mask-radial-position), var(--tw-mask-radial-from-color) var(--tw-mask-radial-from-position), var(--tw-mask-radial-to-color) var(--tw-mask-radial-to-position)";

const GRADIENTS: &[&str] = &["--tw-mask-linear", "--tw-mask-radial", "--tw-mask-conic"];
const EDGES: &[&str] = &[
    "--tw-mask-left",
    "--tw-mask-right",
    "--tw-mask-bottom",
    "--tw-mask-top",
];

/// Per edge: its from/to position and color properties, in Tailwind's registration order.
const EDGE_STOPS: &[(&str, [&str; 4])] = &[
    (
        "top",
        [
            "--tw-mask-top-from-position",
            "--tw-mask-top-to-position",
            "--tw-mask-top-from-color",
            "--tw-mask-top-to-color",
        ],
    ),
    (
        "right",
        [
            "--tw-mask-right-from-position",
            "--tw-mask-right-to-position",
            "--tw-mask-right-from-color",
            "--tw-mask-right-to-color",
        ],
    ),
    (
        "bottom",
        [
            "--tw-mask-bottom-from-position",
            "--tw-mask-bottom-to-position",
            "--tw-mask-bottom-from-color",
            "--tw-mask-bottom-to-color",
        ],
    ),
    (
        "left",
        [
            "--tw-mask-left-from-position",
            "--tw-mask-left-to-position",
            "--tw-mask-left-from-color",
            "--tw-mask-left-to-color",
        ],
    ),
];

const RADIAL: &[&str] = &[
    "--tw-mask-radial-from-position",
    "--tw-mask-radial-to-position",
    "--tw-mask-radial-from-color",
    "--tw-mask-radial-to-color",
    "--tw-mask-radial-shape",
    "--tw-mask-radial-size",
    "--tw-mask-radial-position",
];

enum Stop {
    Position(String),
    Color(String),
}

pub fn compile(request: &Request) -> Option<Out> {
    let rest = request.root.strip_prefix("mask-")?;
    let (target, stop) = rest.rsplit_once('-')?;
    if stop != "from" && stop != "to" || request.negative {
        return None;
    }
    let value = stop_value(request)?;
    if target == "radial" {
        return Some(radial(stop, value));
    }
    let edges: &[&str] = match target {
        "t" => &["top"],
        "r" => &["right"],
        "b" => &["bottom"],
        "l" => &["left"],
        "x" => &["right", "left"],
        "y" => &["top", "bottom"],
        _ => return None,
    };
    let mut nodes = vec![
        Node::decl("mask-image", MASK_IMAGE),
        Node::decl("mask-composite", "intersect"),
        Node::decl("--tw-mask-linear", MASK_LINEAR),
    ];
    let mut properties: Vec<&'static str> = GRADIENTS.iter().chain(EDGES).copied().collect();
    for (edge, stops) in EDGE_STOPS {
        if !edges.contains(edge) {
            continue;
        }
        nodes.push(Node::decl(
            format!("--tw-mask-{edge}"),
            format!(
                "linear-gradient(to {edge}, var(--tw-mask-{edge}-from-color) var(--tw-mask-{edge}-from-position), var(--tw-mask-{edge}-to-color) var(--tw-mask-{edge}-to-position))"
            ),
        ));
        properties.extend_from_slice(stops);
        nodes.push(stop_decl(&format!("--tw-mask-{edge}-{stop}"), &value));
    }
    Some(Out { nodes, properties })
}

fn radial(stop: &str, value: Stop) -> Out {
    let nodes = vec![
        Node::decl("mask-image", MASK_IMAGE),
        Node::decl("mask-composite", "intersect"),
        Node::decl("--tw-mask-radial-stops", RADIAL_STOPS),
        Node::decl(
            "--tw-mask-radial",
            "radial-gradient(var(--tw-mask-radial-stops))",
        ),
        stop_decl(&format!("--tw-mask-radial-{stop}"), &value),
    ];
    Out {
        nodes,
        properties: GRADIENTS.iter().chain(RADIAL).copied().collect(),
    }
}

fn stop_decl(prefix: &str, value: &Stop) -> Node {
    match value {
        Stop::Position(p) => Node::decl(format!("{prefix}-position"), p.clone()),
        Stop::Color(c) => Node::decl(format!("{prefix}-color"), c.clone()),
    }
}

fn stop_value(request: &Request) -> Option<Stop> {
    if let Some(name) = request.value.named() {
        if let Some(n) = name.strip_suffix('%')
            && is_number(n)
        {
            return Some(Stop::Position(name.to_string()));
        }
        if is_number(name) {
            let spacing = request.theme.get("--spacing")?;
            return Some(Stop::Position(super::spacing::spacing_multiple(
                &request.theme.reference(spacing),
                name,
                false,
            )));
        }
    } else if let Some(value) = arbitrary(request.value)
        && !super::color::is_color_like(value, super::hint(request.value))
    {
        return Some(Stop::Position(value.to_string()));
    }
    super::color::resolve(request).map(|c| Stop::Color(c.value))
}
