//! HTML assembled by string concatenation: literal HTML merged at compile time, constants and
//! runtime helper calls in between.

use super::text::js_string;

#[derive(Debug)]
enum Part {
    /// HTML known at compile time, already escaped.
    Html(String),
    /// A hoisted constant holding an HTML string: static, but not inlined.
    Const(String),
    /// An expression that evaluates to an HTML string.
    Dynamic(String),
}

#[derive(Debug, Default)]
pub(crate) struct Concat {
    parts: Vec<Part>,
}

impl Concat {
    pub(crate) fn html(&mut self, html: &str) {
        if html.is_empty() {
            return;
        }
        if let Some(Part::Html(last)) = self.parts.last_mut() {
            last.push_str(html);
        } else {
            self.parts.push(Part::Html(html.to_string()));
        }
    }

    pub(crate) fn constant(&mut self, name: String) {
        self.parts.push(Part::Const(name));
    }

    pub(crate) fn dynamic(&mut self, code: String) {
        self.parts.push(Part::Dynamic(code));
    }

    /// True when nothing depends on the render (only literal HTML and hoisted constants).
    pub(crate) fn is_static(&self) -> bool {
        self.parts
            .iter()
            .all(|part| !matches!(part, Part::Dynamic(_)))
    }

    /// The expression that builds the string. Every part is a string, so `+` concatenates.
    pub(crate) fn to_js(&self) -> String {
        if self.parts.is_empty() {
            return "\"\"".into();
        }
        let mut out = String::new();
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push_str(" + ");
            }
            match part {
                Part::Html(html) => out.push_str(&js_string(html)),
                Part::Const(code) | Part::Dynamic(code) => out.push_str(code),
            }
        }
        out
    }
}
