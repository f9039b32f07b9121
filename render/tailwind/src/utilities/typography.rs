//! Typography: font size (`text-lg/7`), weight, family, leading, tracking, line clamp,
//! decoration thickness and offsets.

use super::{Out, Request, arbitrary, hint, is_integer, is_number, negate, theme_value};
use crate::css::Node;

pub fn compile(request: &Request) -> Option<Out> {
    match request.root {
        "text" => font_size(request),
        "font" => font(request),
        "leading" => leading(request),
        "tracking" => tracking(request),
        "line-clamp" => line_clamp(request),
        "content" => match request.value.named() {
            Some("none") => Some(Out::decls(&[("--tw-content", "none"), ("content", "none")])),
            Some(_) => None,
            None => {
                let value = arbitrary(request.value)?;
                Some(
                    Out::decls(&[("--tw-content", value), ("content", "var(--tw-content)")])
                        .with(&["--tw-content"]),
                )
            }
        },
        "decoration" if request.modifier.is_none() => decoration(request),
        "underline-offset" => underline_offset(request),
        "indent" if request.value.named() == Some("px") => Some(Out::same(
            &["text-indent"],
            if request.negative { "-1px" } else { "1px" },
        )),
        "indent" => {
            let value = spacing_or_arbitrary(request)?;
            Some(Out::same(&["text-indent"], &value))
        }
        _ => None,
    }
}

fn font_size(request: &Request) -> Option<Out> {
    if request.negative {
        return None;
    }
    let (size, line_height) = match arbitrary(request.value) {
        Some(value) => {
            let is_size = matches!(
                hint(request.value),
                Some("length" | "length-percentage" | "absolute-size" | "relative-size")
            ) || (hint(request.value).is_none() && looks_like_length(value));
            if !is_size {
                return None;
            }
            (value.to_string(), None)
        }
        None => {
            let name = request.value.named()?;
            let entry = request.theme.lookup(name, &["--text"])?;
            let line_height = request
                .theme
                .get(&format!("{}--line-height", entry.name))
                .map(|lh| request.theme.reference(lh));
            (request.theme.reference(entry), line_height)
        }
    };
    let mut nodes = vec![Node::decl("font-size", size)];
    match request.modifier {
        Some(modifier) => {
            let line = match modifier {
                crate::candidate::Value::Arbitrary { value, .. } => value.clone(),
                crate::candidate::Value::Named(n) if n == "none" => "1".to_string(),
                crate::candidate::Value::Named(n) => {
                    match request.theme.lookup(n, &["--leading"]) {
                        Some(entry) => request.theme.reference(entry),
                        None if is_number(n) => {
                            format!(
                                "calc({} * {n})",
                                request.theme.reference(request.theme.get("--spacing")?)
                            )
                        }
                        None => return None,
                    }
                }
            };
            nodes.push(Node::decl("line-height", line));
        }
        None => {
            if let Some(line_height) = line_height {
                nodes.push(Node::decl(
                    "line-height",
                    format!("var(--tw-leading, {line_height})"),
                ));
            }
            if let Some(name) = request.value.named() {
                for (suffix, property, variable) in [
                    ("letter-spacing", "letter-spacing", "--tw-tracking"),
                    ("font-weight", "font-weight", "--tw-font-weight"),
                ] {
                    if let Some(entry) = request.theme.get(&format!("--text-{name}--{suffix}")) {
                        nodes.push(Node::decl(
                            property,
                            format!("var({variable}, {})", request.theme.reference(entry)),
                        ));
                    }
                }
            }
        }
    }
    Some(Out {
        nodes,
        properties: Vec::new(),
    })
}

pub fn looks_like_length(value: &str) -> bool {
    let digits_end = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(value.len());
    (digits_end > 0
        && value[digits_end..]
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '%'))
        || ["calc(", "clamp(", "min(", "max("]
            .iter()
            .any(|f| value.starts_with(f))
}

fn font(request: &Request) -> Option<Out> {
    if request.negative || request.modifier.is_some() {
        return None;
    }
    if let Some(value) = arbitrary(request.value) {
        if hint(request.value) == Some("family-name") {
            return Some(Out::same(&["font-family"], value));
        }
        let weight =
            hint(request.value) == Some("number") || is_number(value) || value.starts_with("var(");
        return Some(if weight {
            weight_out(value)
        } else {
            Out::same(&["font-family"], value)
        });
    }
    if let Some(family) = theme_value(request, &["--font"]) {
        let name = request.value.named()?;
        let mut nodes = vec![Node::decl("font-family", family)];
        for (suffix, property) in [
            ("font-feature-settings", "font-feature-settings"),
            ("font-variation-settings", "font-variation-settings"),
        ] {
            if let Some(entry) = request.theme.get(&format!("--font-{name}--{suffix}")) {
                nodes.push(Node::decl(property, request.theme.reference(entry)));
            }
        }
        return Some(Out {
            nodes,
            properties: Vec::new(),
        });
    }
    let weight = theme_value(request, &["--font-weight"])?;
    Some(weight_out(&weight))
}

fn weight_out(weight: &str) -> Out {
    Out::decls(&[("--tw-font-weight", weight), ("font-weight", weight)]).with(&["--tw-font-weight"])
}

fn leading(request: &Request) -> Option<Out> {
    if request.negative || request.modifier.is_some() {
        return None;
    }
    let value = match theme_value(request, &["--leading"]) {
        Some(value) => value,
        None => spacing_or_arbitrary(request)?,
    };
    Some(Out::decls(&[("--tw-leading", &value), ("line-height", &value)]).with(&["--tw-leading"]))
}

fn tracking(request: &Request) -> Option<Out> {
    if request.modifier.is_some() {
        return None;
    }
    let value = match arbitrary(request.value) {
        Some(value) => value.to_string(),
        None => theme_value(request, &["--tracking"])?,
    };
    let value = negate(&value, request.negative);
    Some(
        Out::decls(&[("--tw-tracking", &value), ("letter-spacing", &value)])
            .with(&["--tw-tracking"]),
    )
}

fn line_clamp(request: &Request) -> Option<Out> {
    let value = match request.value.named() {
        Some("none") => {
            return Some(Out::decls(&[
                ("overflow", "visible"),
                ("display", "block"),
                ("-webkit-box-orient", "horizontal"),
                ("-webkit-line-clamp", "unset"),
            ]));
        }
        Some(n) if is_integer(n) => n.to_string(),
        _ => arbitrary(request.value)?.to_string(),
    };
    Some(Out::decls(&[
        ("overflow", "hidden"),
        ("display", "-webkit-box"),
        ("-webkit-box-orient", "vertical"),
        ("-webkit-line-clamp", &value),
    ]))
}

fn decoration(request: &Request) -> Option<Out> {
    let value = match request.value.named() {
        Some("auto") => "auto".to_string(),
        Some("from-font") => "from-font".to_string(),
        Some(n) if is_integer(n) => format!("{n}px"),
        Some(_) => return None,
        None => {
            let value = arbitrary(request.value)?;
            let is_length = hint(request.value) == Some("length") || looks_like_length(value);
            if !is_length {
                return None;
            }
            value.to_string()
        }
    };
    Some(Out::same(&["text-decoration-thickness"], &value))
}

fn underline_offset(request: &Request) -> Option<Out> {
    let value = match request.value.named() {
        Some("auto") => "auto".to_string(),
        Some(n) if is_integer(n) => format!("{n}px"),
        _ => arbitrary(request.value)?.to_string(),
    };
    Some(Out::same(
        &["text-underline-offset"],
        &negate(&value, request.negative),
    ))
}

fn spacing_or_arbitrary(request: &Request) -> Option<String> {
    if let Some(value) = arbitrary(request.value) {
        return Some(negate(value, request.negative));
    }
    let name = request.value.named()?;
    if !is_number(name) {
        return None;
    }
    let spacing = request.theme.get("--spacing")?;
    let sign = if request.negative { "-" } else { "" };
    Some(format!(
        "calc({} * {sign}{name})",
        request.theme.reference(spacing)
    ))
}
