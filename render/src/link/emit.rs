//! Writes one analysed module as a registry entry,
//! `__bext_define("<id>", function (module, exports, require) { … });`.
//!
//! The preamble (strict mode, `__esModule`, export getters, hoisted requires) sits on the
//! same line as `__bext_define(`, so line N of the module's code is line N of the entry after
//! its first line.

use std::fmt::Write as _;

use super::analyze::{
    Binding, ESM_REQUIRE, Edit, Format, IMPORT_META_LOCAL, Imported, ModuleRecord, Replace,
};

/// What a dependency resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A module of the bundle.
    Module { id: String, format: Format },
    /// An id the runtime provides (`react`, `bext/server`): format unknown, treated as
    /// CommonJS for interop.
    Builtin(String),
    /// Unresolved, tolerated (a `require()` or `import()` in `node_modules`): left to fail
    /// at run time, if that code path ever runs.
    Missing,
}

impl Target {
    fn is_esm(&self) -> bool {
        matches!(
            self,
            Target::Module {
                format: Format::Esm,
                ..
            }
        )
    }

    fn id(&self) -> Option<&str> {
        match self {
            Target::Module { id, .. } | Target::Builtin(id) => Some(id),
            Target::Missing => None,
        }
    }
}

/// A star re-export, expanded when the linker knows every name it brings.
pub(crate) enum Star {
    /// The names (without `default`) the target exports, all ESM: installed as getters.
    Names(Vec<String>),
    /// Not known statically (CommonJS or a builtin): copied at run time after the require.
    Runtime,
}

/// Appends `record` as the registry entry `id`. `targets[i]` is what dep `i` resolved to;
/// `stars[i]` goes with `record.stars[i]`.
/// Returns the offset in `out` where the module's own code starts (its first line).
/// `client_refs`: a `"use client"` module registers its exports with PRISM (the server's
/// bundle; the browser's has no PRISM).
pub(crate) fn emit_module(
    out: &mut String,
    id: &str,
    record: &ModuleRecord,
    targets: &[Target],
    stars: &[Star],
    client_refs: bool,
) -> usize {
    debug_assert_eq!(targets.len(), record.deps.len());
    debug_assert_eq!(stars.len(), record.stars.len());
    let code_at;
    match record.format {
        Format::Json => {
            let _ = write!(
                out,
                "__bext_define({}, function (module, exports, require) {{\nmodule.exports = ",
                json(id)
            );
            code_at = out.len();
            out.push_str(record.code.trim());
            out.push_str(";\n});\n");
        }
        Format::Cjs => {
            let _ = writeln!(
                out,
                "__bext_define({}, function (module, exports, require) {{",
                json(id)
            );
            code_at = out.len();
            splice(out, record, targets, "require");
            out.push_str("\n});\n");
        }
        Format::Esm => {
            // Own parameter names: ESM code may declare a top-level `module`, `exports` or
            // `require` of its own, which would clash with parameters of those names.
            let _ = write!(
                out,
                "__bext_define({}, function (__bext_module, __bext_exports, {ESM_REQUIRE}) {{\"use strict\"; __bext_exports.__esModule = true; ",
                json(id)
            );
            preamble(out, id, record, targets, stars);
            out.push('\n');
            code_at = out.len();
            splice(out, record, targets, ESM_REQUIRE);
            if record.use_client && client_refs {
                // Its exports are client components: where server code renders one, the
                // runtime leaves a boundary the browser hydrates.
                let _ = write!(out, "\n__prism.clientRef(__bext_exports, {});", json(id));
            }
            out.push_str("\n});\n");
        }
    }
    code_at
}

/// Appends a module that failed to compile: requiring it throws the diagnostic, so the dev
/// server can show it while the rest of the app keeps working.
pub(crate) fn emit_failed(out: &mut String, id: &str, error_json: &str) {
    let _ = writeln!(
        out,
        "__bext_define({}, function () {{ throw __bext_compile_error({error_json}); }});",
        json(id)
    );
}

/// Export getters first (so a cycle that re-enters this module finds them, and hoisted
/// functions are callable, as in ESM), then the requires in import order, then interop
/// values for CommonJS dependencies, then run-time star copies.
fn preamble(out: &mut String, id: &str, record: &ModuleRecord, targets: &[Target], stars: &[Star]) {
    let mut getters: Vec<(&str, String)> = Vec::new();
    for (name, binding) in &record.exports {
        let read = match binding {
            Binding::Local(local) => local.clone(),
            Binding::Import { dep, name } => import_read(*dep, name, targets),
        };
        getters.push((name, read));
    }
    for (&dep, star) in record.stars.iter().zip(stars) {
        if let Star::Names(names) = star {
            for name in names {
                if !getters.iter().any(|(n, _)| n == name) {
                    getters.push((
                        name,
                        import_read(dep, &Imported::Named(name.clone()), targets),
                    ));
                }
            }
        }
    }
    if !getters.is_empty() {
        out.push_str("__bext_export(__bext_exports, {");
        for (i, (name, read)) in getters.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{}: () => {read}", property_key(name));
        }
        out.push_str("}); ");
    }

    let mut hoisted: Vec<(u32, u32)> = record
        .deps
        .iter()
        .enumerate()
        .filter_map(|(i, d)| Some((d.hoisted_at?, i as u32)))
        .collect();
    hoisted.sort_unstable();
    for &(_, dep) in &hoisted {
        let specifier = targets[dep as usize]
            .id()
            .unwrap_or(&record.deps[dep as usize].specifier);
        let _ = write!(
            out,
            "var __bext_m{dep} = {ESM_REQUIRE}({}); ",
            json(specifier)
        );
    }
    for &(_, dep) in &hoisted {
        if targets[dep as usize].is_esm() {
            continue;
        }
        if uses(record, dep, &Imported::Default) {
            let _ = write!(out, "var __bext_m{dep}d = __bext_default(__bext_m{dep}); ");
        }
        if uses(record, dep, &Imported::Namespace) {
            let _ = write!(
                out,
                "var __bext_m{dep}n = {}; ",
                namespace_of(&format!("__bext_m{dep}"))
            );
        }
    }
    for (&dep, star) in record.stars.iter().zip(stars) {
        if let Star::Runtime = star {
            let _ = write!(
                out,
                "Object.keys(__bext_m{dep}).forEach(function (k) {{ if (k !== \"default\" && !Object.prototype.hasOwnProperty.call(__bext_exports, k)) Object.defineProperty(__bext_exports, k, {{enumerable: true, get: function () {{ return __bext_m{dep}[k]; }}}}); }}); "
            );
        }
    }
    if record.uses_import_meta {
        // The runtime knows where the app is (`__bext_import_meta`: url, filename, dirname).
        let _ = write!(
            out,
            "var {IMPORT_META_LOCAL} = __bext_import_meta({}); ",
            json(id)
        );
    }
}

/// True when the module reads dep's default or namespace somewhere (so the interop variable
/// must be declared).
fn uses(record: &ModuleRecord, dep: u32, wanted: &Imported) -> bool {
    let in_edits = record.edits.iter().any(
        |e| matches!(&e.with, Replace::Import { dep: d, name, .. } if *d == dep && name == wanted),
    );
    let in_exports = record
        .exports
        .iter()
        .any(|(_, b)| matches!(b, Binding::Import { dep: d, name } if *d == dep && name == wanted));
    in_edits || in_exports
}

/// The code with every edit applied.
fn splice(out: &mut String, record: &ModuleRecord, targets: &[Target], require: &str) {
    let code = &record.code;
    let mut at = 0usize;
    for Edit { start, end, with } in &record.edits {
        out.push_str(&code[at..*start as usize]);
        match with {
            Replace::Text(text) => out.push_str(text),
            Replace::Import {
                dep,
                name,
                callee,
                shorthand,
            } => {
                if let Some(key) = shorthand {
                    let _ = write!(out, "{key}: ");
                }
                let read = import_read(*dep, name, targets);
                if *callee && read.contains(['.', '[']) {
                    let _ = write!(out, "(0, {read})");
                } else {
                    out.push_str(&read);
                }
            }
            Replace::RequireId { dep } => match targets[*dep as usize].id() {
                Some(id) => out.push_str(&json(id)),
                None => out.push_str(&code[*start as usize..*end as usize]),
            },
            Replace::Dynamic { dep } => out.push_str(&dynamic_import(
                &targets[*dep as usize],
                &record.deps[*dep as usize].specifier,
                require,
            )),
            Replace::Context { files } => {
                out.push_str("__bext_context_import({");
                for (keys, dep) in files {
                    let import = dynamic_import(
                        &targets[*dep as usize],
                        &record.deps[*dep as usize].specifier,
                        require,
                    );
                    for key in keys {
                        let _ = write!(out, "{}: function () {{ return {import}; }}, ", json(key));
                    }
                }
                out.push_str("}, ");
            }
        }
        at = *end as usize;
    }
    out.push_str(&code[at..]);
}

/// How a reference to an imported binding reads. ESM dependencies are read through their
/// exports object every time (live bindings, and safe in cycles); a CommonJS dependency's
/// default and namespace are computed once after its require (CommonJS has no live bindings
/// to keep).
fn import_read(dep: u32, name: &Imported, targets: &[Target]) -> String {
    let module = format!("__bext_m{dep}");
    let esm = targets[dep as usize].is_esm();
    match name {
        Imported::Named(name) => member(&module, name),
        Imported::Default if esm => format!("{module}.default"),
        Imported::Default => format!("{module}d"),
        Imported::Namespace if esm => module,
        Imported::Namespace => format!("{module}n"),
    }
}

fn dynamic_import(target: &Target, specifier: &str, require: &str) -> String {
    match target {
        Target::Missing => format!(
            "Promise.reject(new Error({}))",
            json(&format!("Cannot find module '{specifier}'"))
        ),
        Target::Module {
            id,
            format: Format::Esm,
        } => {
            format!(
                "Promise.resolve().then(function () {{ return {require}({}); }})",
                json(id)
            )
        }
        Target::Module { id, .. } | Target::Builtin(id) => format!(
            "Promise.resolve().then(function () {{ var m = {require}({}); return {}; }})",
            json(id),
            namespace_of("m")
        ),
    }
}

/// The ESM namespace of a CommonJS module value (its exports plus `default`), as Node and
/// the bundlers present it.
fn namespace_of(value: &str) -> String {
    format!(
        "({value} && {value}.__esModule ? {value} : Object.assign({{default: {value}}}, {value}))"
    )
}

fn member(object: &str, name: &str) -> String {
    if is_identifier_name(name) {
        format!("{object}.{name}")
    } else {
        format!("{object}[{}]", json(name))
    }
}

fn property_key(name: &str) -> String {
    if is_identifier_name(name) {
        name.to_owned()
    } else {
        json(name)
    }
}

fn is_identifier_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

fn json(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::is_identifier_name;

    #[test]
    fn identifier_names() {
        for (name, expect) in [
            ("a", true),
            ("_a1", true),
            ("$", true),
            ("default", true),
            ("1a", false),
            ("a-b", false),
            ("", false),
        ] {
            assert_eq!(is_identifier_name(name), expect, "{name}");
        }
    }
}
