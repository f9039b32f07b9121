//! MDX (`page.mdx`, `import Post from "./post.mdx"`) compiled to a JSX module, as
//! `@mdx-js/mdx` compiles it for `@next/mdx`: markdown-rs parses the document (CommonMark
//! plus MDX: ESM, expressions, JSX; no GFM, as `@next/mdx` has none by default), and this
//! pass writes what `mdast-util-to-hast` and MDX's JSX rewrite would: the ESM as it is, an
//! `MDXContent` default export whose markdown elements go through `_components` (so
//! `mdx-components.tsx`'s `useMDXComponents()` and a `components` prop replace them), the
//! newlines between blocks React renders as text, and `wrapper` support. The result is
//! compiled by PRISM like any `.jsx` module.
//!
//! remark and rehype plugins are JavaScript and are not run (a next.config that passes some
//! is told so at start).

use std::fmt::Write as _;

use markdown::mdast::{AttributeContent, AttributeValue, Node};
use markdown::{MdxSignal, ParseOptions};

/// The JSX module for an MDX document; `provider` is the specifier of the app's
/// `mdx-components` module, when it has one. The error is a line, column and message.
pub(crate) fn compile(
    source: &str,
    provider: Option<&str>,
) -> Result<String, (usize, usize, String)> {
    let options = ParseOptions {
        mdx_esm_parse: Some(Box::new(esm_signal)),
        ..ParseOptions::mdx()
    };
    let tree = markdown::to_mdast(source, &options).map_err(|message| {
        let (line, column) = message
            .place
            .as_ref()
            .map(|place| match &**place {
                markdown::message::Place::Point(p) => (p.line, p.column),
                markdown::message::Place::Position(p) => (p.start.line, p.start.column),
            })
            .unwrap_or((1, 1));
        (line, column, message.reason.clone())
    })?;
    let Node::Root(root) = &tree else {
        return Err((1, 1, String::from("not a document")));
    };
    let mut writer = Writer::default();
    collect_definitions(&tree, &mut writer.definitions);
    let mut esm = String::new();
    let mut blocks = Vec::new();
    for child in &root.children {
        if let Node::MdxjsEsm(node) = child {
            esm.push_str(&node.value);
            esm.push('\n');
            writer.scope_from_esm(&node.value);
        } else {
            blocks.push(child);
        }
    }
    let body = writer.wrap(&blocks, false);
    let mut out = String::new();
    match provider {
        Some(spec) => {
            let _ = writeln!(
                out,
                "import {{ useMDXComponents as _provideComponents }} from {};",
                json(spec)
            );
        }
        None => out.push_str("const _provideComponents = () => ({});\n"),
    }
    out.push_str(&esm);
    out.push_str("function _createMdxContent(props) {\n  const _components = {");
    for tag in &writer.tags {
        let _ = write!(out, "{tag}: {}, ", json(tag));
    }
    out.push_str("..._provideComponents(), ...props.components};\n");
    for name in &writer.components {
        let _ = writeln!(
            out,
            "  const {name} = _components.{name};\n  if (!{name}) throw new Error(\"Expected component `{name}` to be defined: you likely forgot to import, pass, or provide it.\");"
        );
    }
    let _ = write!(out, "  return <>{body}</>;\n}}\n");
    out.push_str(
        "export default function MDXContent(props = {}) {\n  const { wrapper: MDXLayout } = { ..._provideComponents(), ...props.components };\n  return MDXLayout ? <MDXLayout {...props}><_createMdxContent {...props} /></MDXLayout> : _createMdxContent(props);\n}\n",
    );
    Ok(out)
}

/// markdown-rs asks whether an ESM block is complete: oxc parses it as a module.
fn esm_signal(value: &str) -> MdxSignal {
    let allocator = oxc::allocator::Allocator::default();
    let parsed = oxc::parser::Parser::new(&allocator, value, oxc::span::SourceType::mjs()).parse();
    match parsed.diagnostics.errors().next() {
        None => MdxSignal::Ok,
        Some(error) => {
            let at = error
                .labels
                .iter()
                .find(|l| l.primary())
                .or(error.labels.last())
                .map_or(value.len(), |l| l.offset() as usize);
            let message = error.message.to_string();
            if at >= value.trim_end().len() {
                MdxSignal::Eof(
                    message,
                    Box::new(String::from("bext")),
                    Box::new(String::from("esm")),
                )
            } else {
                MdxSignal::Error(
                    message,
                    at,
                    Box::new(String::from("bext")),
                    Box::new(String::from("esm")),
                )
            }
        }
    }
}

#[derive(Default)]
struct Writer {
    /// Markdown elements used, each a key of `_components`.
    tags: Vec<&'static str>,
    /// Capitalised JSX names not bound by the document's ESM: read from `_components`.
    components: Vec<String>,
    /// Names the ESM binds (imports, exported consts and functions).
    scope: Vec<String>,
    definitions: Vec<(String, String, Option<String>)>,
}

fn collect_definitions(node: &Node, out: &mut Vec<(String, String, Option<String>)>) {
    if let Node::Definition(d) = node {
        out.push((d.identifier.clone(), d.url.clone(), d.title.clone()));
    }
    if let Some(children) = node.children() {
        for child in children {
            collect_definitions(child, out);
        }
    }
}

impl Writer {
    fn scope_from_esm(&mut self, esm: &str) {
        let allocator = oxc::allocator::Allocator::default();
        let parsed =
            oxc::parser::Parser::new(&allocator, esm, oxc::span::SourceType::mjs()).parse();
        let built = oxc::semantic::SemanticBuilder::new().build(&parsed.program);
        let scoping = built.semantic.scoping();
        for symbol in scoping.symbol_ids() {
            if scoping.symbol_scope_id(symbol) == scoping.root_scope_id() {
                self.scope.push(scoping.symbol_name(symbol).to_string());
            }
        }
    }

    fn tag(&mut self, name: &'static str) -> String {
        if !self.tags.contains(&name) {
            self.tags.push(name);
        }
        format!("_components.{name}")
    }

    /// Nodes joined by newlines (`mdast-util-to-hast`'s `wrap`), with a newline at each end
    /// when `loose`.
    fn wrap(&mut self, nodes: &[&Node], loose: bool) -> String {
        let mut out = String::new();
        let rendered: Vec<String> = nodes.iter().filter_map(|n| self.node(n)).collect();
        if loose {
            out.push_str(NEWLINE);
        }
        for (i, node) in rendered.iter().enumerate() {
            if i > 0 {
                out.push_str(NEWLINE);
            }
            out.push_str(node);
        }
        if loose && !rendered.is_empty() {
            out.push_str(NEWLINE);
        }
        out
    }

    fn all(&mut self, nodes: &[Node]) -> String {
        nodes.iter().filter_map(|n| self.node(n)).collect()
    }

    fn element(&mut self, tag: &'static str, attrs: &str, children: &str) -> String {
        let name = self.tag(tag);
        if children.is_empty() && matches!(tag, "hr" | "br" | "img") {
            return format!("<{name}{attrs} />");
        }
        format!("<{name}{attrs}>{children}</{name}>")
    }

    fn node(&mut self, node: &Node) -> Option<String> {
        Some(match node {
            Node::Paragraph(p) => {
                let children = self.all(&p.children);
                self.element("p", "", &children)
            }
            Node::Heading(h) => {
                let tag =
                    ["h1", "h2", "h3", "h4", "h5", "h6"][usize::from(h.depth.clamp(1, 6)) - 1];
                let children = self.all(&h.children);
                self.element(tag, "", &children)
            }
            Node::Text(t) => text(&trim_lines(&t.value)),
            Node::Emphasis(e) => {
                let children = self.all(&e.children);
                self.element("em", "", &children)
            }
            Node::Strong(s) => {
                let children = self.all(&s.children);
                self.element("strong", "", &children)
            }
            Node::Delete(d) => {
                let children = self.all(&d.children);
                self.element("del", "", &children)
            }
            Node::InlineCode(c) => {
                let value = c.value.replace(['\r', '\n'], " ");
                self.element("code", "", &text(&value))
            }
            Node::Break(_) => format!("{}{NEWLINE}", self.element("br", "", "")),
            Node::ThematicBreak(_) => self.element("hr", "", ""),
            Node::Code(c) => {
                let class = c
                    .lang
                    .as_ref()
                    .map(|l| format!(" className={}", json(&format!("language-{l}"))))
                    .unwrap_or_default();
                let mut value = c.value.clone();
                value.push('\n');
                let code = self.element("code", &class, &text(&value));
                self.element("pre", "", &code)
            }
            Node::Blockquote(b) => {
                let children: Vec<&Node> = b.children.iter().collect();
                let inner = self.wrap(&children, true);
                self.element("blockquote", "", &inner)
            }
            Node::List(list) => {
                let loose = list.spread
                    || list
                        .children
                        .iter()
                        .any(|item| matches!(item, Node::ListItem(i) if i.spread));
                let mut items = Vec::new();
                for item in &list.children {
                    if let Node::ListItem(li) = item {
                        items.push(self.list_item(li, loose));
                    }
                }
                let mut inner = String::from(NEWLINE);
                inner.push_str(&items.join(NEWLINE));
                if !items.is_empty() {
                    inner.push_str(NEWLINE);
                }
                let (tag, attrs) = match (list.ordered, list.start) {
                    (true, Some(start)) if start != 1 => ("ol", format!(" start={{{start}}}")),
                    (true, _) => ("ol", String::new()),
                    (false, _) => ("ul", String::new()),
                };
                self.element(tag, &attrs, &inner)
            }
            Node::ListItem(li) => self.list_item(li, li.spread),
            Node::Link(l) => {
                let mut attrs = format!(" href={}", json(&l.url));
                if let Some(title) = &l.title {
                    let _ = write!(attrs, " title={}", json(title));
                }
                let children = self.all(&l.children);
                self.element("a", &attrs, &children)
            }
            Node::Image(i) => {
                let mut attrs = format!(" src={} alt={}", json(&i.url), json(&i.alt));
                if let Some(title) = &i.title {
                    let _ = write!(attrs, " title={}", json(title));
                }
                self.element("img", &attrs, "")
            }
            Node::LinkReference(r) => {
                let children = self.all(&r.children);
                match self
                    .definitions
                    .iter()
                    .find(|d| d.0 == r.identifier)
                    .cloned()
                {
                    Some((_, url, title)) => {
                        let mut attrs = format!(" href={}", json(&url));
                        if let Some(title) = title {
                            let _ = write!(attrs, " title={}", json(&title));
                        }
                        self.element("a", &attrs, &children)
                    }
                    None => format!("{}{children}{}", text("["), text("]")),
                }
            }
            Node::ImageReference(r) => {
                match self
                    .definitions
                    .iter()
                    .find(|d| d.0 == r.identifier)
                    .cloned()
                {
                    Some((_, url, title)) => {
                        let mut attrs = format!(" src={} alt={}", json(&url), json(&r.alt));
                        if let Some(title) = title {
                            let _ = write!(attrs, " title={}", json(&title));
                        }
                        self.element("img", &attrs, "")
                    }
                    None => text(&format!("![{}]", r.alt)),
                }
            }
            Node::MdxFlowExpression(e) => format!("{{{}}}", e.value),
            Node::MdxTextExpression(e) => format!("{{{}}}", e.value),
            Node::MdxJsxFlowElement(e) => self.jsx(e.name.as_deref(), &e.attributes, &e.children),
            Node::MdxJsxTextElement(e) => self.jsx(e.name.as_deref(), &e.attributes, &e.children),
            // Definitions are used by references; HTML cannot occur in MDX; the rest (GFM,
            // math, frontmatter) needs plugins `@next/mdx` does not have by default.
            _ => return None,
        })
    }

    fn list_item(&mut self, item: &markdown::mdast::ListItem, loose: bool) -> String {
        let mut inner = String::new();
        let count = item.children.len();
        for (index, child) in item.children.iter().enumerate() {
            let is_paragraph = matches!(child, Node::Paragraph(_));
            if loose || index != 0 || !is_paragraph {
                inner.push_str(NEWLINE);
            }
            match child {
                Node::Paragraph(p) if !loose => inner.push_str(&self.all(&p.children)),
                other => inner.extend(self.node(other)),
            }
            let last = index + 1 == count;
            if last && (loose || !is_paragraph) {
                inner.push_str(NEWLINE);
            }
        }
        self.element("li", "", &inner)
    }

    /// JSX written in the document: intrinsic names stay, a capitalised name the ESM does not
    /// bind comes from `_components`.
    fn jsx(
        &mut self,
        name: Option<&str>,
        attributes: &[AttributeContent],
        children: &[Node],
    ) -> String {
        let Some(name) = name else {
            return format!("<>{}</>", self.all(children));
        };
        let root = name.split(['.', ':']).next().unwrap_or(name);
        let capitalised = root.chars().next().is_some_and(|c| c.is_ascii_uppercase());
        if capitalised
            && !self.scope.iter().any(|s| s == root)
            && !self.components.iter().any(|c| c == root)
        {
            self.components.push(root.to_owned());
        }
        let mut attrs = String::new();
        for attribute in attributes {
            match attribute {
                AttributeContent::Expression(e) => {
                    let _ = write!(attrs, " {{{}}}", e.value);
                }
                AttributeContent::Property(p) => match &p.value {
                    None => {
                        let _ = write!(attrs, " {}", p.name);
                    }
                    Some(AttributeValue::Literal(v)) => {
                        let _ = write!(attrs, " {}={}", p.name, json(v));
                    }
                    Some(AttributeValue::Expression(e)) => {
                        let _ = write!(attrs, " {}={{{}}}", p.name, e.value);
                    }
                },
            }
        }
        let inner = self.all(children);
        if inner.is_empty() {
            format!("<{name}{attrs} />")
        } else {
            format!("<{name}{attrs}>{inner}</{name}>")
        }
    }
}

/// A newline between blocks: React renders it as text, as MDX's output does.
const NEWLINE: &str = "{\"\\n\"}";

fn text(value: &str) -> String {
    format!("{{{}}}", json(value))
}

fn json(value: &str) -> String {
    serde_json::Value::from(value).to_string()
}

/// Spaces and tabs around line endings removed (`trim-lines`, as `mdast-util-to-hast` does
/// to text).
fn trim_lines(value: &str) -> String {
    let lines: Vec<&str> = value.split('\n').collect();
    let last = lines.len() - 1;
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let line = if i > 0 {
                line.trim_start_matches([' ', '\t'])
            } else {
                line
            };
            if i < last {
                line.trim_end_matches([' ', '\t', '\r'])
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_becomes_a_module_with_its_esm_first() {
        let out = compile(
            "import { X } from \"./x\";\nexport const meta = 1;\n\n# Hi {meta}\n\n<X a=\"1\" b={2} />\n\n<Y />\n",
            Some("../mdx-components"),
        )
        .expect("compiles");
        let esm = out.find("export const meta").expect("ESM kept");
        let content = out.find("function _createMdxContent").expect("content");
        assert!(esm < content, "{out}");
        assert!(out.contains("from \"../mdx-components\""), "{out}");
        assert!(
            out.contains("<_components.h1>{\"Hi \"}{meta}</_components.h1>"),
            "{out}"
        );
        // `X` is imported: used as it is; `Y` is not: it must come from the components.
        assert!(out.contains("<X a=\"1\" b={2} />"), "{out}");
        assert!(out.contains("const Y = _components.Y;"), "{out}");
        assert!(!out.contains("const X = _components.X;"), "{out}");
    }

    #[test]
    fn errors_name_the_line() {
        let (line, _, message) =
            compile("# Title\n\n<Open>\n\ntext\n", None).expect_err("unclosed");
        assert!(line >= 3, "{line}: {message}");
        assert!(!message.is_empty());
    }
}
