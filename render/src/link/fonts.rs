//! `next/font`: font loader calls evaluated when the app is compiled, as Next's SWC transform
//! and font loaders do at build time.
//!
//! Next requires each call (`const sans = localFont({ … })`, `const inter = Inter({ … })`)
//! to be assigned to a `const` at a module's top level, with literal options. So the linker
//! can evaluate it: this pass reads the options, reads the font files (`next/font/local`,
//! paths relative to the module), writes the `@font-face` CSS with Next's rules
//! (`postcss-next-font`: the family named after the variable as Turbopack names it, a
//! `'<family> Fallback'` face on a local font, the `className` and `variable` rules, and
//! the `style` object), and replaces the call with `__bext_font({…})`, a plain object. The
//! font files and the stylesheet are served from memory at content-hashed URLs with
//! immutable caching; a page that reads the font's `className`, `variable` or `style` gets
//! the stylesheet and (unless `preload: false`) the font preloads in its `<head>`, through
//! react-dom's `preinit` / `preload`, as Next emits them for the fonts a route uses.
//!
//! Two things differ, and are said at start: the fallback face has no metric overrides
//! (Next computes `size-adjust` and the ascent/descent overrides from the font file with
//! fontkit); and `next/font/google` downloads nothing (bext serves offline): its class,
//! variable and style are Next's, and the browser uses a locally installed copy of the
//! family, else the fallback.
//!
//! The replacement keeps the call's line count (it is padded with the newlines the call
//! spanned), so positions after it still map back to the source.

use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use oxc::allocator::Allocator;
use oxc::ast::ast::{
    BindingPattern, Declaration, Expression, ImportDeclarationSpecifier, ModuleExportName,
    ObjectPropertyKind, PropertyKey, Statement, VariableDeclaration,
};
use oxc::parser::Parser;
use oxc::span::{GetSpan, SourceType};
use serde_json::{Map, Value};

use crate::media::StaticFile;

/// What the pass did to one module.
pub(crate) struct Fonts {
    pub code: String,
    /// Font files and stylesheets to serve.
    pub files: Vec<Arc<StaticFile>>,
    /// Lines for the start-up log (Google fonts not downloaded).
    pub notes: Vec<String>,
}

/// A font loader call that cannot be evaluated: the byte offset and Next's message.
pub(crate) type FontError = (u32, String);

const LOCAL: &str = "next/font/local";
const GOOGLE: &str = "next/font/google";

/// Rewrites the font loader calls of `code` (a module at `path`, under `root`); `None` when it
/// has none.
pub(crate) fn rewrite(code: &str, path: &Path, root: &Path) -> Result<Option<Fonts>, FontError> {
    if !code.contains("next/font/") {
        return Ok(None);
    }
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, code, SourceType::mjs()).parse();
    if parsed.diagnostics.errors().next().is_some() {
        // The analyzer reports syntax errors with its own positions.
        return Ok(None);
    }
    // Local names of the loaders: `localFont` → local, `Inter` → the Google family.
    let mut loaders: Vec<(String, Loader)> = Vec::new();
    for statement in &parsed.program.body {
        let Statement::ImportDeclaration(import) = statement else {
            continue;
        };
        let source = import.source.value.as_str();
        if source != LOCAL && source != GOOGLE {
            continue;
        }
        for specifier in import.specifiers.iter().flatten() {
            match specifier {
                ImportDeclarationSpecifier::ImportDefaultSpecifier(s) if source == LOCAL => {
                    loaders.push((s.local.name.to_string(), Loader::Local));
                }
                ImportDeclarationSpecifier::ImportSpecifier(s) if source == GOOGLE => {
                    let imported = match &s.imported {
                        ModuleExportName::IdentifierName(n) => n.name.to_string(),
                        ModuleExportName::IdentifierReference(n) => n.name.to_string(),
                        ModuleExportName::StringLiteral(n) => n.value.to_string(),
                    };
                    loaders.push((
                        s.local.name.to_string(),
                        Loader::Google(imported.replace('_', " ")),
                    ));
                }
                _ => {}
            }
        }
    }
    if loaders.is_empty() {
        return Ok(None);
    }
    let mut out = Fonts {
        code: String::with_capacity(code.len()),
        files: Vec::new(),
        notes: Vec::new(),
    };
    let mut edits: Vec<(u32, u32, String)> = Vec::new();
    for statement in &parsed.program.body {
        let declaration = match statement {
            Statement::VariableDeclaration(d) => d,
            Statement::ExportDeclaration(e) => match &e.declaration {
                Declaration::VariableDeclaration(d) => d,
                _ => continue,
            },
            _ => continue,
        };
        calls(
            declaration,
            &loaders,
            code,
            path,
            root,
            &mut edits,
            &mut out,
        )?;
    }
    let mut at = 0usize;
    for (start, end, with) in edits {
        out.code.push_str(&code[at..start as usize]);
        out.code.push_str(&with);
        at = end as usize;
    }
    out.code.push_str(&code[at..]);
    Ok(Some(out))
}

#[derive(Clone)]
enum Loader {
    Local,
    /// The family (`Roboto_Mono` → `Roboto Mono`).
    Google(String),
}

fn calls(
    declaration: &VariableDeclaration<'_>,
    loaders: &[(String, Loader)],
    code: &str,
    path: &Path,
    root: &Path,
    edits: &mut Vec<(u32, u32, String)>,
    out: &mut Fonts,
) -> Result<(), FontError> {
    for declarator in &declaration.declarations {
        let Some(Expression::CallExpression(call)) = &declarator.init else {
            continue;
        };
        let Expression::Identifier(callee) = &call.callee else {
            continue;
        };
        let Some((_, loader)) = loaders
            .iter()
            .find(|(name, _)| name.as_str() == callee.name.as_str())
        else {
            continue;
        };
        let at = call.span.start;
        if !declaration.kind.is_const() {
            return Err((
                at,
                String::from("Font loader calls must be assigned to a const"),
            ));
        }
        let BindingPattern::BindingIdentifier(id) = &declarator.id else {
            return Err((
                at,
                String::from("Font loader calls must be assigned to an identifier"),
            ));
        };
        const NOT_LITERAL: &str = "Font loader values must be explicitly written literals.";
        let options = match call.arguments.first() {
            None => Value::Object(Map::new()),
            Some(argument) => {
                let Some(expression) = argument.as_expression() else {
                    return Err((at, NOT_LITERAL.to_owned()));
                };
                literal(expression).map_err(|offset| (offset, NOT_LITERAL.to_owned()))?
            }
        };
        let family = id.name.to_string();
        let font = match loader {
            Loader::Local => local(&family, &options, path, root).map_err(|m| (at, m))?,
            Loader::Google(name) => {
                out.notes.push(format!(
                    "next/font/google: {name} is not downloaded (bext serves offline); pages use a locally installed {name}, else the fallback"
                ));
                google(name, &options).map_err(|m| (at, m))?
            }
        };
        let span = &code[call.span.start as usize..call.span.end as usize];
        let newlines = span.bytes().filter(|&b| b == b'\n').count();
        let replacement = format!("__bext_font({}{})", font.object, "\n".repeat(newlines));
        edits.push((call.span.start, call.span.end, replacement));
        out.files.extend(font.files);
    }
    Ok(())
}

/// A literal value (object, array, string, number, boolean, null), or the offset of what is
/// not one.
fn literal(expression: &Expression<'_>) -> Result<Value, u32> {
    Ok(match expression {
        Expression::StringLiteral(s) => Value::from(s.value.as_str()),
        Expression::NumericLiteral(n) => {
            serde_json::Number::from_f64(n.value).map_or(Value::Null, Value::Number)
        }
        Expression::BooleanLiteral(b) => Value::Bool(b.value),
        Expression::NullLiteral(_) => Value::Null,
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => Value::from(
            t.quasis
                .iter()
                .map(|q| q.value.cooked.as_ref().map_or("", |c| c.as_str()))
                .collect::<String>(),
        ),
        Expression::ArrayExpression(array) => {
            let mut items = Vec::new();
            for element in &array.elements {
                match element.as_expression() {
                    Some(e) => items.push(literal(e)?),
                    None => return Err(element.span().start),
                }
            }
            Value::Array(items)
        }
        Expression::ObjectExpression(object) => {
            let mut map = Map::new();
            for property in &object.properties {
                let ObjectPropertyKind::ObjectProperty(p) = property else {
                    return Err(property.span().start);
                };
                if p.computed || p.method {
                    return Err(p.span.start);
                }
                let key = match &p.key {
                    PropertyKey::StaticIdentifier(id) => id.name.to_string(),
                    PropertyKey::StringLiteral(s) => s.value.to_string(),
                    _ => return Err(p.key.span().start),
                };
                map.insert(key, literal(&p.value)?);
            }
            Value::Object(map)
        }
        Expression::ParenthesizedExpression(p) => literal(&p.expression)?,
        other => return Err(other.span().start),
    })
}

struct Font {
    /// The JavaScript object the call becomes.
    object: String,
    files: Vec<Arc<StaticFile>>,
}

const DISPLAY_VALUES: &[&str] = &["auto", "block", "swap", "fallback", "optional"];

fn string_of<'v>(options: &'v Value, key: &str) -> Result<Option<&'v str>, String> {
    match options.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("`{key}` must be a string, not {other}")),
    }
}

/// `next/font/local`.
fn local(family: &str, options: &Value, path: &Path, root: &Path) -> Result<Font, String> {
    let display = string_of(options, "display")?.unwrap_or("swap");
    if !DISPLAY_VALUES.contains(&display) {
        return Err(format!(
            "Invalid display value `{display}`.\nAvailable display values: `{}`",
            DISPLAY_VALUES.join("`, `")
        ));
    }
    let weight = string_of(options, "weight")?;
    let style = string_of(options, "style")?;
    let sources: Vec<(String, Option<String>, Option<String>)> = match options.get("src") {
        Some(Value::String(p)) => vec![(
            p.clone(),
            weight.map(str::to_owned),
            style.map(str::to_owned),
        )],
        Some(Value::Array(list)) if !list.is_empty() => list
            .iter()
            .map(|item| {
                let p = item
                    .get("path")
                    .and_then(Value::as_str)
                    .ok_or_else(|| String::from("each `src` entry needs a `path`"))?;
                Ok((
                    p.to_owned(),
                    string_of(item, "weight")?.map(str::to_owned),
                    string_of(item, "style")?.map(str::to_owned),
                ))
            })
            .collect::<Result<_, String>>()?,
        Some(Value::Array(_)) => return Err(String::from("Unexpected empty `src` array.")),
        _ => return Err(String::from("Missing required `src` property")),
    };
    let preload = options.get("preload") != Some(&Value::Bool(false));
    let adjust = options.get("adjustFontFallback") != Some(&Value::Bool(false));
    let dir = path.parent().unwrap_or(root);
    let mut css = String::new();
    let mut files = Vec::new();
    let mut preloads = Vec::new();
    for (file, face_weight, face_style) in &sources {
        let ext = Path::new(file)
            .extension()
            .and_then(|e| e.to_str())
            .filter(|e| matches!(*e, "woff" | "woff2" | "eot" | "ttf" | "otf"))
            .ok_or_else(|| format!("Unexpected file `{file}`"))?;
        let format = match ext {
            "woff" => "woff",
            "woff2" => "woff2",
            "ttf" => "truetype",
            "otf" => "opentype",
            _ => "embedded-opentype",
        };
        let resolved = normalize(&dir.join(file));
        if !resolved.starts_with(root) {
            return Err(format!("`{file}` is outside the app's directory"));
        }
        let bytes = std::fs::read(&resolved).map_err(|e| format!("cannot read `{file}`: {e}"))?;
        let stem = Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("font")
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '_', "_");
        let url = format!(
            "/_next/static/media/{stem}.{:08x}{}.{ext}",
            hash(&bytes),
            if preload { ".p" } else { "" }
        );
        // Relative to the stylesheet (`/_next/static/css/`), so it holds under a base path.
        let relative = url.trim_start_matches("/_next/static/");
        css.push_str(&format!(
            "@font-face{{font-family:'{family}';src:url(../{relative}) format('{format}');font-display:{display}"
        ));
        if let Some(w) = face_weight.as_deref().or(weight) {
            css.push_str(&format!(";font-weight:{w}"));
        }
        if let Some(s) = face_style.as_deref().or(style) {
            css.push_str(&format!(";font-style:{s}"));
        }
        if let Some(Value::Array(declarations)) = options.get("declarations") {
            for d in declarations {
                if let (Some(prop), Some(value)) = (
                    d.get("prop").and_then(Value::as_str),
                    d.get("value").and_then(Value::as_str),
                ) {
                    if matches!(prop, "src" | "font-display" | "font-weight" | "font-style") {
                        return Err(format!("Invalid declaration prop: `{prop}`"));
                    }
                    css.push_str(&format!(";{prop}:{value}"));
                }
            }
        }
        css.push_str("}\n");
        if preload {
            preloads.push((url.clone(), format!("font/{ext}")));
        }
        files.push(Arc::new(StaticFile::new(url, bytes.into(), font_type(ext))));
    }
    let single = sources.len() == 1;
    let weight = if single { sources[0].1.clone() } else { None };
    let style = if single { sources[0].2.clone() } else { None };
    let fallback = if adjust {
        let font = match options.get("adjustFontFallback") {
            Some(Value::String(f)) if f == "Times New Roman" => "Times New Roman",
            _ => "Arial",
        };
        Some(font)
    } else {
        None
    };
    finish(
        family, options, css, fallback, weight, style, preloads, files,
    )
}

/// `next/font/google`, offline: the family by name, with a local source.
fn google(name: &str, options: &Value) -> Result<Font, String> {
    let display = string_of(options, "display")?.unwrap_or("swap");
    let weight = match options.get("weight") {
        Some(Value::String(w)) => Some(w.clone()),
        _ => None,
    };
    let style = match options.get("style") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let css =
        format!("@font-face{{font-family:'{name}';src:local('{name}');font-display:{display}}}\n");
    let adjust = options.get("adjustFontFallback") != Some(&Value::Bool(false));
    finish(
        name,
        options,
        css,
        adjust.then_some("Arial"),
        weight,
        style,
        Vec::new(),
        Vec::new(),
    )
}

#[allow(clippy::too_many_arguments)]
fn finish(
    family: &str,
    options: &Value,
    mut css: String,
    fallback: Option<&str>,
    weight: Option<String>,
    style: Option<String>,
    preloads: Vec<(String, String)>,
    mut files: Vec<Arc<StaticFile>>,
) -> Result<Font, String> {
    let fallback_family = fallback.map(|f| {
        css.push_str(&format!(
            "@font-face{{font-family:'{family} Fallback';src:local(\"{f}\")}}\n"
        ));
        format!("{family} Fallback")
    });
    let mut families = vec![format!("'{family}'")];
    families.extend(fallback_family.map(|f| format!("'{f}'")));
    if let Some(Value::Array(list)) = options.get("fallback") {
        families.extend(list.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    let families = families.join(", ");
    let class_hash = format!("{:06x}", hash(css.as_bytes()) & 0xff_ffff);
    let class_name = format!("__{class_hash}_className");
    let is_range = |v: &str| v.trim().contains(' ');
    css.push_str(&format!(".{class_name}{{font-family:{families}"));
    if let Some(w) = weight.as_deref().filter(|w| !is_range(w)) {
        css.push_str(&format!(";font-weight:{w}"));
    }
    if let Some(s) = style.as_deref().filter(|s| !is_range(s)) {
        css.push_str(&format!(";font-style:{s}"));
    }
    css.push_str("}\n");
    let variable = string_of(options, "variable")?;
    let variable_class = variable.map(|v| {
        let class = format!("__{class_hash}_variable");
        css.push_str(&format!(".{class}{{{v}:{families}}}\n"));
        class
    });
    let stylesheet = format!("/_next/static/css/{:08x}.css", hash(css.as_bytes()));
    files.push(Arc::new(StaticFile::precompressed(
        stylesheet.clone(),
        css.into_bytes().into(),
        "text/css; charset=utf-8",
    )));
    let font_weight = weight
        .as_deref()
        .and_then(|w| w.trim().parse::<f64>().ok())
        .map_or(Value::Null, Value::from);
    let font_style = style
        .filter(|s| !is_range(s))
        .map_or(Value::Null, Value::from);
    let object = serde_json::json!({
        "className": class_name,
        "variable": variable_class,
        "style": {"fontFamily": families, "fontWeight": font_weight, "fontStyle": font_style},
        "stylesheet": stylesheet,
        "preload": preloads,
    });
    Ok(Font {
        object: object.to_string(),
        files,
    })
}

fn font_type(ext: &str) -> &'static str {
    match ext {
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        _ => "application/vnd.ms-fontobject",
    }
}

fn hash(bytes: &[u8]) -> u32 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    hasher.write(bytes);
    hasher.finish() as u32
}

/// `a/./b/../c` → `a/c`, without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An app root with one font file, for the calls below.
    fn root() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bext-fonts-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("app/fonts")).expect("temp dir");
        std::fs::write(dir.join("app/fonts/a.woff2"), b"wOF2 not really").expect("font");
        dir
    }

    fn run(code: &str) -> Result<Option<Fonts>, FontError> {
        let root = root();
        rewrite(code, &root.join("app/layout.js"), &root)
    }

    /// The object a call became.
    fn object(fonts: &Fonts) -> Value {
        let at = fonts.code.find("__bext_font(").expect("rewritten") + "__bext_font(".len();
        let rest = &fonts.code[at..];
        let end = rest.rfind(')').expect("closed");
        serde_json::from_str(rest[..end].trim_end()).expect("JSON")
    }

    #[test]
    fn a_local_font_becomes_next_s_object_and_css() {
        let fonts = run("import localFont from \"next/font/local\";\nexport const sans = localFont({\n  src: \"./fonts/a.woff2\",\n  weight: \"500\",\n  variable: \"--font-sans\",\n  fallback: [\"system-ui\"],\n});\n")
            .expect("compiles")
            .expect("has fonts");
        // Lines are kept: the call spanned six lines.
        assert_eq!(fonts.code.lines().count(), 7, "{}", fonts.code);
        let o = object(&fonts);
        assert_eq!(
            o["style"]["fontFamily"],
            "'sans', 'sans Fallback', system-ui"
        );
        assert_eq!(o["style"]["fontWeight"], 500.0);
        assert!(o["className"].as_str().unwrap().ends_with("_className"));
        assert!(o["variable"].as_str().unwrap().ends_with("_variable"));
        assert_eq!(o["preload"][0][1], "font/woff2");
        let css = fonts
            .files
            .iter()
            .find(|f| f.url.ends_with(".css"))
            .expect("a stylesheet");
        let css = std::str::from_utf8(&css.body).unwrap();
        assert!(
            css.contains("@font-face{font-family:'sans';src:url(../media/a."),
            "{css}"
        );
        assert!(css.contains("font-display:swap;font-weight:500}"), "{css}");
        assert!(
            css.contains("--font-sans:'sans', 'sans Fallback', system-ui"),
            "{css}"
        );
        assert!(fonts.files.iter().any(|f| f.content_type == "font/woff2"));
    }

    #[test]
    fn google_fonts_are_named_and_said_to_be_local() {
        let fonts = run("import { Roboto_Mono } from \"next/font/google\";\nconst mono = Roboto_Mono({ subsets: [\"latin\"] });\nexport default mono;\n")
            .expect("compiles")
            .expect("has fonts");
        assert_eq!(
            object(&fonts)["style"]["fontFamily"],
            "'Roboto Mono', 'Roboto Mono Fallback'"
        );
        assert_eq!(fonts.notes.len(), 1);
        assert!(fonts.notes[0].contains("Roboto Mono is not downloaded"));
    }

    #[test]
    fn calls_next_refuses_are_refused_with_next_s_words() {
        let cases = [
            (
                "let f = localFont({ src: \"./fonts/a.woff2\" });",
                "Font loader calls must be assigned to a const",
            ),
            (
                "const f = localFont({ src: path });",
                "Font loader values must be explicitly written literals.",
            ),
            (
                "const f = localFont({});",
                "Missing required `src` property",
            ),
            (
                "const f = localFont({ src: \"./fonts/a.woff2\", display: \"soon\" });",
                "Invalid display value `soon`.",
            ),
            (
                "const f = localFont({ src: \"./fonts/a.txt\" });",
                "Unexpected file `./fonts/a.txt`",
            ),
            (
                "const f = localFont({ src: \"../../../etc/passwd.woff\" });",
                "is outside the app's directory",
            ),
        ];
        for (call, want) in cases {
            let code = format!("import localFont from \"next/font/local\";\n{call}\n");
            let (_, message) = run(&code)
                .err()
                .unwrap_or_else(|| panic!("{call} was accepted"));
            assert!(message.contains(want), "{call}: {message}");
        }
        assert!(run("const x = 1;\n").unwrap().is_none());
    }
}
