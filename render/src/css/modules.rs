//! A CSS module's exports, and the JavaScript module that stands for it in the bundle.
//!
//! lightningcss's bundler inlines a `composes: x from "./other.module.css"` dependency into
//! the stylesheet and reports the composed class by its scoped name, so every export here is
//! a list of class names. Composition is transitive, as css-loader makes it: `.big { composes:
//! title }` where `.title { composes: root from … }` exports all three.

use lightningcss::css_modules::{CssModuleExports, CssModuleReference};

/// One exported name of a CSS module and the classes it stands for (its own first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Export {
    /// The name as written (`.title` → `title`).
    pub name: String,
    pub classes: Vec<String>,
}

/// lightningcss's exports, composition expanded, sorted by name (its map has no order; the
/// output must be stable).
pub(super) fn exports(exports: CssModuleExports) -> Vec<Export> {
    let mut out: Vec<Export> = exports
        .into_iter()
        .map(|(name, export)| {
            let mut classes = vec![export.name];
            for reference in export.composes {
                match reference {
                    CssModuleReference::Local { name } | CssModuleReference::Global { name } => {
                        classes.push(name)
                    }
                    // Not bundled (an external stylesheet): nothing to name.
                    CssModuleReference::Dependency { .. } => {}
                }
            }
            Export { name, classes }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    let direct = out.clone();
    for export in &mut out {
        export.classes = expand(&direct, &export.classes[0], &mut Vec::new());
    }
    out
}

/// The classes `own` stands for: itself, then what it composes, each expanded in turn.
fn expand(direct: &[Export], own: &str, seen: &mut Vec<String>) -> Vec<String> {
    let mut classes = Vec::new();
    if seen.iter().any(|s| s == own) {
        return classes;
    }
    seen.push(own.to_owned());
    classes.push(own.to_owned());
    let composed = direct
        .iter()
        .find(|e| e.classes[0] == own)
        .map(|e| &e.classes[1..])
        .unwrap_or_default();
    for class in composed {
        for name in expand(direct, class, seen) {
            if !classes.contains(&name) {
                classes.push(name);
            }
        }
    }
    classes
}

/// The module a stylesheet import evaluates to: `{}` for global CSS, the object of class
/// lists for a CSS module.
pub(crate) fn module_code(exports: &[Export]) -> String {
    let fields: Vec<String> = exports
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                js_string(&e.name),
                js_string(&e.classes.join(" "))
            )
        })
        .collect();
    format!("module.exports = {{{}}};\n", fields.join(", "))
}

fn js_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composition_is_transitive_and_cycles_end() {
        let export = |name: &str, classes: &[&str]| Export {
            name: name.into(),
            classes: classes.iter().map(|c| (*c).to_owned()).collect(),
        };
        let direct = vec![
            export("a", &["m_a", "m_b"]),
            export("b", &["m_b", "base_root", "m_a"]),
            export("c", &["m_c", "global"]),
        ];
        assert_eq!(
            expand(&direct, "m_a", &mut Vec::new()),
            ["m_a", "m_b", "base_root"]
        );
        assert_eq!(expand(&direct, "m_c", &mut Vec::new()), ["m_c", "global"]);
        assert_eq!(
            module_code(&direct[2..]),
            "module.exports = {\"c\": \"m_c global\"};\n"
        );
        assert_eq!(module_code(&[]), "module.exports = {};\n");
    }
}
