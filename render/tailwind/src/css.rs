//! A small CSS tree: enough to find Tailwind's at-rules in the input stylesheet and to print
//! the output. Values and selectors stay text; only the block structure is parsed, with each
//! node's byte offset kept for error positions.

use crate::error::Error;
use crate::limits::nesting_depth_max;

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Rule {
        selector: String,
        nodes: Vec<Node>,
    },
    AtRule {
        /// Without the `@`.
        name: String,
        params: String,
        /// `None` for a statement (`@import "x";`).
        nodes: Option<Vec<Node>>,
        at: usize,
    },
    Decl {
        property: String,
        value: String,
        important: bool,
    },
    Comment(String),
}

impl Node {
    pub fn rule(selector: impl Into<String>, nodes: Vec<Node>) -> Node {
        Node::Rule {
            selector: selector.into(),
            nodes,
        }
    }

    pub fn at_rule(name: impl Into<String>, params: impl Into<String>, nodes: Vec<Node>) -> Node {
        Node::AtRule {
            name: name.into(),
            params: params.into(),
            nodes: Some(nodes),
            at: 0,
        }
    }

    pub fn decl(property: impl Into<String>, value: impl Into<String>) -> Node {
        Node::Decl {
            property: property.into(),
            value: value.into(),
            important: false,
        }
    }
}

/// Parses a stylesheet into nodes.
pub fn parse(css: &str) -> Result<Vec<Node>, Error> {
    let mut parser = Parser {
        src: css.as_bytes(),
        text: css,
        pos: 0,
    };
    let nodes = parser.block(0)?;
    if parser.pos < css.len() {
        return Err(Error::at(css, parser.pos, "unexpected `}`"));
    }
    Ok(nodes)
}

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    /// Parses nodes until a `}` at this level (left unconsumed) or the end.
    fn block(&mut self, depth: usize) -> Result<Vec<Node>, Error> {
        if depth > nesting_depth_max {
            return Err(Error::at(self.text, self.pos, "blocks nested too deeply"));
        }
        let mut nodes = Vec::new();
        loop {
            self.skip_space();
            if self.pos >= self.src.len() || self.src[self.pos] == b'}' {
                return Ok(nodes);
            }
            if self.src[self.pos..].starts_with(b"/*") {
                let end = find(self.src, self.pos + 2, b"*/")
                    .ok_or_else(|| Error::at(self.text, self.pos, "unclosed comment"))?;
                nodes.push(Node::Comment(self.text[self.pos..end + 2].to_string()));
                self.pos = end + 2;
                continue;
            }
            let start = self.pos;
            let end = self.prelude_end(start)?;
            let prelude = strip_comments(self.text[start..end].trim());
            let terminator = self.src.get(end).copied();
            if terminator == Some(b'{') {
                self.pos = end + 1;
                let children = self.block(depth + 1)?;
                if self.src.get(self.pos) != Some(&b'}') {
                    return Err(Error::at(self.text, start, "unclosed block"));
                }
                self.pos += 1;
                if let Some(rest) = prelude.strip_prefix('@') {
                    let (name, params) = split_at_rule(rest);
                    nodes.push(Node::AtRule {
                        name,
                        params,
                        nodes: Some(children),
                        at: start,
                    });
                } else {
                    nodes.push(Node::rule(prelude, children));
                }
            } else {
                // `;`, `}` or the end: a statement or a declaration.
                self.pos = if terminator == Some(b';') {
                    end + 1
                } else {
                    end
                };
                if prelude.is_empty() {
                    continue;
                }
                if let Some(rest) = prelude.strip_prefix('@') {
                    let (name, params) = split_at_rule(rest);
                    nodes.push(Node::AtRule {
                        name,
                        params,
                        nodes: None,
                        at: start,
                    });
                } else if let Some(colon) = prelude.find(':') {
                    let property = prelude[..colon].trim().to_string();
                    let mut value = prelude[colon + 1..].trim().to_string();
                    let mut important = false;
                    if let Some(v) = value.strip_suffix("!important") {
                        value = v.trim_end().to_string();
                        important = true;
                    }
                    nodes.push(Node::Decl {
                        property,
                        value: collapse_space(&value),
                        important,
                    });
                } else {
                    return Err(Error::at(self.text, start, "expected a declaration"));
                }
            }
        }
    }

    /// The offset of the `{`, `;` or `}` that ends the prelude starting at `start`, skipping
    /// strings, comments and parentheses.
    fn prelude_end(&self, start: usize) -> Result<usize, Error> {
        let mut i = start;
        let mut parens = 0usize;
        let is_custom_property = self.src[start..].starts_with(b"--");
        while i < self.src.len() {
            match self.src[i] {
                b'"' | b'\'' => i = self.string_end(i)?,
                b'/' if self.src.get(i + 1) == Some(&b'*') => {
                    i = find(self.src, i + 2, b"*/")
                        .ok_or_else(|| Error::at(self.text, i, "unclosed comment"))?
                        + 1;
                }
                b'\\' => i += 1,
                b'(' | b'[' => parens += 1,
                b')' | b']' => parens = parens.saturating_sub(1),
                b'{' if parens == 0 && !is_custom_property => return Ok(i),
                b';' | b'}' if parens == 0 => return Ok(i),
                _ => {}
            }
            i += 1;
        }
        Ok(i)
    }

    fn string_end(&self, start: usize) -> Result<usize, Error> {
        let quote = self.src[start];
        let mut i = start + 1;
        while i < self.src.len() {
            match self.src[i] {
                b'\\' => i += 1,
                c if c == quote => return Ok(i),
                _ => {}
            }
            i += 1;
        }
        Err(Error::at(self.text, start, "unclosed string"))
    }

    fn skip_space(&mut self) {
        while self.pos < self.src.len() && self.src[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn split_at_rule(rest: &str) -> (String, String) {
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '\'')
        .unwrap_or(rest.len());
    (rest[..end].to_string(), collapse_space(rest[end..].trim()))
}

/// Removes `/* … */` comments outside strings (preludes may carry them, as preflight's
/// `@supports` does).
fn strip_comments(text: &str) -> String {
    if !text.contains("/*") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    collapse_space(out.trim())
}

/// Runs of whitespace outside strings become one space.
pub fn collapse_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut space = false;
    for c in text.chars() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if c == '"' || c == '\'' {
            quote = Some(c);
        }
        out.push(c);
    }
    out
}

/// Prints nodes the way Tailwind does: two-space indent, one declaration a line.
pub fn print(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        print_node(node, 0, &mut out);
    }
    out
}

fn print_node(node: &Node, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    match node {
        Node::Rule { selector, nodes } => {
            out.push_str(&format!("{indent}{selector} {{\n"));
            for child in nodes {
                print_node(child, depth + 1, out);
            }
            out.push_str(&format!("{indent}}}\n"));
        }
        Node::AtRule {
            name,
            params,
            nodes,
            ..
        } => {
            let head = if params.is_empty() {
                format!("@{name}")
            } else {
                format!("@{name} {params}")
            };
            match nodes {
                None => out.push_str(&format!("{indent}{head};\n")),
                Some(children) => {
                    out.push_str(&format!("{indent}{head} {{\n"));
                    for child in children {
                        print_node(child, depth + 1, out);
                    }
                    out.push_str(&format!("{indent}}}\n"));
                }
            }
        }
        Node::Decl {
            property,
            value,
            important,
        } => {
            let bang = if *important { " !important" } else { "" };
            out.push_str(&format!("{indent}{property}: {value}{bang};\n"));
        }
        Node::Comment(text) => {
            if text.starts_with("/*!") {
                out.push_str(&format!("{indent}{text}\n"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_blocks_and_statements() {
        let nodes = parse("@layer a, b;\n@theme { --x: 1; }\n.a { color: red; &:hover { color: blue !important } }")
            .unwrap_or_default();
        assert_eq!(nodes.len(), 3);
        assert_eq!(
            print(&nodes),
            "@layer a, b;\n@theme {\n  --x: 1;\n}\n.a {\n  color: red;\n  &:hover {\n    color: blue !important;\n  }\n}\n"
        );
    }

    #[test]
    fn unclosed_block_has_a_position() {
        let error = parse("a {\n  color: red;").err();
        assert_eq!(error.map(|e| (e.line, e.column)), Some((1, 1)));
    }
}
