//! `Design::parse`: the input stylesheet's Tailwind directives taken out into a theme,
//! sources, custom utilities and custom variants; what remains is the template the output
//! is printed from.

use crate::css::{self, Node};
use crate::error::Error;
use crate::theme::{Options, Theme};
use crate::variants::{self, Custom};

/// The parsed design system of one stylesheet. Build it once per stylesheet, then call
/// [`Design::build`] for each set of candidates.
#[derive(Clone, Debug)]
pub struct Design {
    pub(crate) source: String,
    pub(crate) theme: Theme,
    pub(crate) template: Vec<Node>,
    pub(crate) sources: Vec<Source>,
    pub(crate) utilities: Vec<CustomUtility>,
    pub(crate) variants: Vec<Custom>,
}

/// One `@source` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// `@source "../components"` — a path or glob relative to the stylesheet.
    Path(String),
    /// `@source not "../legacy"`.
    Not(String),
    /// `@source inline("underline {sm,md}:p-{2,4}")`, brace-expanded into candidates.
    Inline(Vec<String>),
    /// `@source not inline(…)`: candidates never to generate.
    NotInline(Vec<String>),
    /// `@import "tailwindcss" source(none)` — no automatic detection.
    NoAutomatic,
}

/// An `@utility` rule: `tab-4` (static) or `tab-*` (functional, with `--value()`).
#[derive(Clone, Debug)]
pub struct CustomUtility {
    pub name: String,
    pub functional: bool,
    pub body: Vec<Node>,
}

/// The marker left where the theme variables are printed.
pub(crate) const THEME_MARKER: &str = "tailwind-theme-variables";

impl Design {
    /// Parses a stylesheet whose `@import "tailwindcss"` was already inlined.
    pub fn parse(css: &str) -> Result<Design, Error> {
        let nodes = css::parse(css)?;
        let mut design = Design {
            source: css.to_string(),
            theme: Theme::default(),
            template: Vec::new(),
            sources: Vec::new(),
            utilities: Vec::new(),
            variants: Vec::new(),
        };
        let mut theme_placed = false;
        design.template = design.collect(nodes, &mut theme_placed)?;
        if !theme_placed {
            // A stylesheet without `@theme` still gets its variables printed first.
            design.template.insert(0, marker());
        }
        design.theme.resolve_theme_functions();
        Ok(design)
    }

    /// Parses a stylesheet that may still contain `@import`s, inlining them as Tailwind's
    /// CLI does. `resolve` is given, for `@import "tailwindcss"` (and `tailwindcss/theme`,
    /// `/preflight`, `/utilities`), the file name inside the `tailwindcss` package
    /// (`index.css`, `theme.css`, `preflight.css`, `utilities.css`); for a relative import
    /// (`@import "./components.css"`), the path as written, relative to the stylesheet. It
    /// returns the file's text, or `None` (an error for the package, and the `@import` kept
    /// as it is for anything else). `layer(…)` wraps the inlined text in that layer. Error
    /// offsets then refer to the stylesheet with the imports inlined.
    pub fn parse_with(
        css: &str,
        resolve: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Design, Error> {
        let mut automatic = true;
        let inlined = inline_imports(css, resolve, 0, &mut automatic)?;
        let mut design = Design::parse(&inlined)?;
        if !automatic {
            design.sources.push(Source::NoAutomatic);
        }
        Ok(design)
    }

    /// The `@source` directives, in order.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The candidates `@source inline()` adds.
    pub fn inline_candidates(&self) -> impl Iterator<Item = &str> {
        self.sources
            .iter()
            .flat_map(|s| match s {
                Source::Inline(list) => list.as_slice(),
                _ => &[],
            })
            .map(String::as_str)
    }

    fn collect(&mut self, nodes: Vec<Node>, theme_placed: &mut bool) -> Result<Vec<Node>, Error> {
        let mut out = Vec::with_capacity(nodes.len());
        for node in nodes {
            match node {
                Node::AtRule {
                    name,
                    params,
                    nodes,
                    at,
                } => match name.as_str() {
                    "theme" => {
                        self.add_theme(&params, nodes.unwrap_or_default(), at)?;
                        if !*theme_placed {
                            *theme_placed = true;
                            out.push(marker());
                        }
                    }
                    "source" => self.add_source(&params, at)?,
                    "import" if params.contains("source(none)") => {
                        self.sources.push(Source::NoAutomatic);
                        out.push(Node::AtRule {
                            name,
                            params,
                            nodes,
                            at,
                        });
                    }
                    "utility" => self.add_utility(&params, nodes, at)?,
                    "custom-variant" => {
                        let name_end = params
                            .find(|c: char| c.is_whitespace() || c == '(')
                            .unwrap_or(params.len());
                        let (name, rest) = params.split_at(name_end);
                        let template = variants::custom_template(rest.trim(), nodes.as_deref())
                            .ok_or_else(|| {
                                Error::at(
                                    &self.source,
                                    at,
                                    "`@custom-variant` needs a selector or a block",
                                )
                            })?;
                        self.variants.push(Custom {
                            name: name.to_string(),
                            template,
                        });
                    }
                    "plugin" | "config" => {
                        return Err(Error::at(
                            &self.source,
                            at,
                            format!("`@{name}` is not supported"),
                        ));
                    }
                    _ => {
                        let nodes = match nodes {
                            Some(children) => Some(self.collect(children, theme_placed)?),
                            None => None,
                        };
                        out.push(Node::AtRule {
                            name,
                            params,
                            nodes,
                            at,
                        });
                    }
                },
                Node::Rule { selector, nodes } => {
                    let nodes = self.collect(nodes, theme_placed)?;
                    out.push(Node::Rule { selector, nodes });
                }
                other => out.push(other),
            }
        }
        Ok(out)
    }

    fn add_theme(&mut self, params: &str, nodes: Vec<Node>, at: usize) -> Result<(), Error> {
        let mut options = Options::default();
        for word in params.split_whitespace() {
            match word {
                "inline" => options.inline = true,
                "reference" => options.reference = true,
                "static" => options.r#static = true,
                "default" => options.default = true,
                _ if word.starts_with("prefix(") => {
                    return Err(Error::at(
                        &self.source,
                        at,
                        "`@theme prefix()` is not supported",
                    ));
                }
                _ => {
                    return Err(Error::at(
                        &self.source,
                        at,
                        format!("unknown `@theme` option `{word}`"),
                    ));
                }
            }
        }
        for node in nodes {
            match node {
                Node::Decl {
                    property, value, ..
                } if property.starts_with("--") => {
                    self.theme.add(&property, &value, options);
                }
                Node::AtRule {
                    ref name,
                    ref params,
                    ..
                } if name == "keyframes" => {
                    self.theme.keyframes.push((params.clone(), node.clone()));
                }
                Node::Comment(_) => {}
                Node::Decl { property, .. } => {
                    return Err(Error::at(
                        &self.source,
                        at,
                        format!("`@theme` takes custom properties only, not `{property}`"),
                    ));
                }
                _ => {
                    return Err(Error::at(
                        &self.source,
                        at,
                        "`@theme` takes custom properties and `@keyframes` only",
                    ));
                }
            }
        }
        Ok(())
    }

    fn add_source(&mut self, params: &str, at: usize) -> Result<(), Error> {
        let (negated, rest) = match params.strip_prefix("not ") {
            Some(rest) => (true, rest.trim()),
            None => (false, params.trim()),
        };
        if let Some(inner) = rest
            .strip_prefix("inline(")
            .and_then(|r| r.strip_suffix(')'))
        {
            let list = unquote(inner.trim()).ok_or_else(|| {
                Error::at(&self.source, at, "`@source inline()` takes a quoted string")
            })?;
            let candidates: Vec<String> = list
                .split_whitespace()
                .flat_map(crate::scan::expand_braces)
                .collect();
            self.sources.push(if negated {
                Source::NotInline(candidates)
            } else {
                Source::Inline(candidates)
            });
            return Ok(());
        }
        let path = unquote(rest)
            .ok_or_else(|| Error::at(&self.source, at, "`@source` takes a quoted path"))?;
        self.sources.push(if negated {
            Source::Not(path)
        } else {
            Source::Path(path)
        });
        Ok(())
    }

    fn add_utility(
        &mut self,
        params: &str,
        nodes: Option<Vec<Node>>,
        at: usize,
    ) -> Result<(), Error> {
        let name = params.trim();
        let valid = !name.is_empty()
            && name
                .trim_end_matches("-*")
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'/');
        if !valid {
            return Err(Error::at(
                &self.source,
                at,
                format!("`@utility {name}` is not a valid utility name"),
            ));
        }
        let body = nodes.ok_or_else(|| Error::at(&self.source, at, "`@utility` needs a block"))?;
        let (name, functional) = match name.strip_suffix("-*") {
            Some(root) => (root.to_string(), true),
            None => (name.to_string(), false),
        };
        self.utilities.push(CustomUtility {
            name,
            functional,
            body,
        });
        Ok(())
    }
}

/// The stylesheet with its `@import` lines replaced by the imported text.
fn inline_imports(
    css: &str,
    resolve: &dyn Fn(&str) -> Option<String>,
    depth: usize,
    automatic: &mut bool,
) -> Result<String, Error> {
    if depth > crate::limits::expansion_depth_max {
        return Err(Error::at(css, 0, "`@import`s nested too deeply"));
    }
    let mut inlined = String::with_capacity(css.len());
    let mut offset = 0;
    for line in css.split_inclusive('\n') {
        let line_offset = offset;
        offset += line.len();
        let Some((target, tail)) = import_of(line) else {
            inlined.push_str(line);
            continue;
        };
        let package_file = match target {
            "tailwindcss" => Some("index.css"),
            "tailwindcss/theme" | "tailwindcss/theme.css" => Some("theme.css"),
            "tailwindcss/preflight" | "tailwindcss/preflight.css" => Some("preflight.css"),
            "tailwindcss/utilities" | "tailwindcss/utilities.css" => Some("utilities.css"),
            _ => None,
        };
        let text = match package_file {
            Some(file) => resolve(file).ok_or_else(|| {
                Error::at(
                    css,
                    line_offset,
                    format!("cannot resolve `@import \"{target}\"`"),
                )
            })?,
            None if target.starts_with("./") || target.starts_with("../") => {
                match resolve(target) {
                    Some(text) => inline_imports(&text, resolve, depth + 1, automatic)?,
                    None => {
                        inlined.push_str(line);
                        continue;
                    }
                }
            }
            None => {
                inlined.push_str(line);
                continue;
            }
        };
        if tail.contains("source(none)") {
            *automatic = false;
        }
        match layer_of(tail) {
            Some(layer) => inlined.push_str(&format!("@layer {layer} {{\n{text}\n}}\n")),
            None => inlined.push_str(&format!("{text}\n")),
        }
    }
    Ok(inlined)
}

/// `@import "target" tail;` on one line → (`target`, `tail`).
fn import_of(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim().strip_prefix("@import")?;
    let rest = rest.trim().trim_end_matches(';').trim();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let (target, tail) = rest[1..].split_once(quote)?;
    Some((target, tail.trim()))
}

fn marker() -> Node {
    Node::AtRule {
        name: THEME_MARKER.to_string(),
        params: String::new(),
        nodes: None,
        at: 0,
    }
}

fn layer_of(tail: &str) -> Option<&str> {
    let start = tail.find("layer(")? + "layer(".len();
    let end = tail[start..].find(')')? + start;
    Some(tail[start..end].trim())
}

fn unquote(text: &str) -> Option<String> {
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
    Some(inner.to_string())
}
