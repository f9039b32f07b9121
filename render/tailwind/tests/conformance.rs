//! Conformance with Tailwind's own compiler: each case in `tests/conformance/cases/` (an
//! `input.css` and content files) is compiled by `@tailwindcss/cli` 4.3.5 (pinned in
//! `tests/conformance/node`, installed with `npm ci` once per lockfile into a cache dir) and
//! by this crate; both outputs are parsed and re-printed minified by lightningcss and
//! compared class by class (the rules of each class in `@layer utilities`), in order, and
//! for everything outside the utilities (theme variables, preflight, `@apply`d rules,
//! `@property` rules).
//!
//! `tests/conformance/known-deviations.txt` lists what does not match yet, one
//! `case class` (or `case :order`, `case :rest`) a line. Everything not listed must match,
//! and everything listed must still deviate, so the list cannot go stale. The score is
//! printed: `cargo test -p bext-tailwind --test conformance -- --nocapture`.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

use bext_tailwind::Design;

const CACHE_DIR: &str = "/var/cache/bext/tailwind";

#[test]
fn matches_tailwind_cli() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let modules = install(&root.join("node"));
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root.join("cases"))
        .expect("cases dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();

    let known = known_deviations(&root.join("known-deviations.txt"));
    let mut deviations = BTreeSet::new();
    let mut report = String::new();
    let (mut classes_total, mut classes_exact) = (0, 0);
    let (mut cases_total, mut cases_exact) = (0, 0);
    let mut order_exact = 0;
    let mut all_classes = BTreeSet::new();
    let mut timings = Vec::new();
    for case in &cases {
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let expected = reference_output(case, &modules);
        let started = std::time::Instant::now();
        let actual = our_output(case, &modules);
        timings.push(format!(
            "{name} {:.2} ms",
            started.elapsed().as_secs_f64() * 1000.0
        ));
        let expected = Sections::of(&expected);
        let actual = Sections::of(&actual);

        let class_names: BTreeSet<&String> = expected
            .classes
            .keys()
            .chain(actual.classes.keys())
            .collect();
        for class in class_names {
            classes_total += 1;
            all_classes.insert(class.clone());
            let (e, a) = (expected.classes.get(class), actual.classes.get(class));
            if e == a {
                classes_exact += 1;
            } else {
                deviations.insert(format!("{name} {class}"));
                report.push_str(&format!(
                    "--- {name} {class}\n  tailwind: {}\n  ours:     {}\n",
                    e.map_or("(none)", String::as_str),
                    a.map_or("(none)", String::as_str)
                ));
            }
        }
        cases_total += 1;
        if expected.order == actual.order {
            order_exact += 1;
        } else {
            deviations.insert(format!("{name} :order"));
            report.push_str(&format!(
                "--- {name} :order\n  tailwind: {}\n  ours:     {}\n",
                expected.order.join(" "),
                actual.order.join(" ")
            ));
        }
        if expected.rest == actual.rest {
            cases_exact += 1;
        } else {
            deviations.insert(format!("{name} :rest"));
            for (i, (e, a)) in expected.rest.iter().zip(&actual.rest).enumerate() {
                if e != a {
                    report.push_str(&format!(
                        "--- {name} :rest #{i}\n  tailwind: {e}\n  ours:     {a}\n"
                    ));
                }
            }
            if expected.rest.len() != actual.rest.len() {
                report.push_str(&format!(
                    "--- {name} :rest count tailwind {} ours {}\n  tailwind tail: {:?}\n  ours tail: {:?}\n",
                    expected.rest.len(),
                    actual.rest.len(),
                    expected.rest.iter().skip(actual.rest.len()).collect::<Vec<_>>(),
                    actual.rest.iter().skip(expected.rest.len()).collect::<Vec<_>>()
                ));
            }
        }
    }
    std::fs::create_dir_all(CACHE_DIR).expect("cache dir");
    std::fs::write(Path::new(CACHE_DIR).join("conformance-report.txt"), &report).expect("report");
    println!(
        "conformance: {classes_exact}/{classes_total} classes exact ({} distinct class names), \
         {order_exact}/{cases_total} cases in Tailwind's order, {cases_exact}/{cases_total} cases exact outside the utilities; \
         {} known deviations (details in {CACHE_DIR}/conformance-report.txt)",
        all_classes.len(),
        known.len()
    );
    println!(
        "our compile (parse, scan, build) per case: {}",
        timings.join(", ")
    );
    let unexpected: Vec<&String> = deviations.difference(&known).collect();
    let fixed: Vec<&String> = known.difference(&deviations).collect();
    if !unexpected.is_empty() {
        eprintln!("{report}");
    }
    assert!(
        unexpected.is_empty(),
        "new deviations from Tailwind: {unexpected:#?}"
    );
    assert!(
        fixed.is_empty(),
        "these now match Tailwind; remove them from known-deviations.txt: {fixed:#?}"
    );
}

/// What the two outputs are compared by.
struct Sections {
    /// Class name → its rules in `@layer utilities`, normalised.
    classes: BTreeMap<String, String>,
    /// Class names in output order.
    order: Vec<String>,
    /// Every other top-level chunk, normalised, in order (the utilities layer left out).
    rest: Vec<String>,
}

impl Sections {
    fn of(css: &str) -> Sections {
        let mut classes: BTreeMap<String, String> = BTreeMap::new();
        let mut order = Vec::new();
        let mut rest = Vec::new();
        for chunk in top_level_chunks(css) {
            let head = chunk.split('{').next().unwrap_or("").trim().to_string();
            if head == "@layer utilities" {
                let inner = block_inner(&chunk);
                for rule in top_level_chunks(inner).iter().flat_map(|c| per_rule(c)) {
                    let class = main_class(&rule).unwrap_or_else(|| "(no class)".to_string());
                    if order.last() != Some(&class) {
                        order.push(class.clone());
                    }
                    let normalised = normalise(&rule);
                    classes.entry(class).or_default().push_str(&normalised);
                }
            } else if head.starts_with("@layer") && chunk.contains('{') {
                // One entry per rule, so a report points at the rule that differs.
                let inner = block_inner(&chunk);
                for rule in top_level_chunks(inner) {
                    rest.push(format!("{head} > {}", normalise(&rule)));
                }
            } else {
                rest.push(normalise(&chunk));
            }
        }
        Sections {
            classes,
            order,
            rest,
        }
    }
}

/// Parses and re-prints with lightningcss, minified.
fn normalise(css: &str) -> String {
    use lightningcss::stylesheet::{ParserOptions, PrinterOptions, StyleSheet};
    let Ok(sheet) = StyleSheet::parse(css, ParserOptions::default()) else {
        return format!(
            "(unparsable) {}",
            css.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    };
    match sheet.to_css(PrinterOptions {
        minify: true,
        ..PrinterOptions::default()
    }) {
        Ok(out) => out.code,
        Err(_) => format!("(unprintable) {css}"),
    }
}

/// Top-level statements and blocks of a stylesheet, comments dropped.
fn top_level_chunks(css: &str) -> Vec<String> {
    let bytes = css.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = css[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
                if depth == 0 {
                    let before = css[start..i].trim();
                    if !before.is_empty() {
                        // A comment inside a prelude: keep the prelude going.
                        i = end;
                        continue;
                    }
                    start = end;
                }
                i = end;
                continue;
            }
            b'\\' => i += 1,
            b'"' | b'\'' => {
                let quote = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    out.push(css[start..=i].trim().to_string());
                    start = i + 1;
                }
            }
            b';' if depth == 0 => {
                out.push(css[start..=i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.retain(|c| !c.is_empty());
    out
}

fn block_inner(chunk: &str) -> &str {
    let open = chunk.find('{').map_or(0, |i| i + 1);
    let close = chunk.rfind('}').unwrap_or(chunk.len());
    &chunk[open..close.max(open)]
}

/// An at-rule holding several rules (Tailwind merges `@media` blocks of adjacent
/// utilities) as one chunk a rule, each wrapped in the at-rule.
fn per_rule(chunk: &str) -> Vec<String> {
    if !chunk.starts_with('@') {
        return vec![chunk.to_string()];
    }
    let prelude = chunk.split('{').next().unwrap_or("").trim();
    let inner = top_level_chunks(block_inner(chunk));
    if inner.iter().any(|c| !c.ends_with('}')) {
        // Declarations directly inside: not a wrapper of rules.
        return vec![chunk.to_string()];
    }
    inner
        .iter()
        .flat_map(|c| per_rule(c))
        .map(|rule| format!("{prelude} {{ {rule} }}"))
        .collect()
}

/// The utility a rule belongs to: the longest class in its selector (`.group` is shorter
/// than `.group-hover:underline`), unescaped.
fn main_class(rule: &str) -> Option<String> {
    let selector_end = rule.rfind('{').unwrap_or(rule.len());
    let mut best: Option<String> = None;
    let mut rest = &rule[..selector_end];
    while let Some(found) = first_class(rest) {
        let (name, consumed) = found;
        if best.as_ref().is_none_or(|b| name.len() > b.len()) {
            best = Some(name);
        }
        rest = &rest[consumed..];
    }
    best
}

/// The first class selector in `rule`, unescaped, and the byte offset after it.
fn first_class(rule: &str) -> Option<(String, usize)> {
    let chars: Vec<(usize, char)> = rule.char_indices().collect();
    let byte_at = |j: usize| chars.get(j).map_or(rule.len(), |(b, _)| *b);
    let chars: Vec<char> = chars.iter().map(|(_, c)| *c).collect();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i] == '.'
            && (i == 0 || matches!(chars[i - 1], '{' | ',' | ' ' | '(' | '>' | '+' | '~' | '\n'))
            && chars
                .get(i + 1)
                .is_some_and(|c| c.is_alphanumeric() || *c == '\\' || *c == '-' || *c == '_');
        if starts {
            let mut name = String::new();
            let mut j = i + 1;
            while j < chars.len() {
                let c = chars[j];
                if c == '\\' {
                    let hex: String = chars[j + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_hexdigit())
                        .take(6)
                        .collect();
                    if !hex.is_empty() {
                        name.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                        j += 1 + hex.len();
                        if chars.get(j) == Some(&' ') {
                            j += 1;
                        }
                        continue;
                    }
                    if let Some(next) = chars.get(j + 1) {
                        name.push(*next);
                    }
                    j += 2;
                    continue;
                }
                if c.is_alphanumeric() || c == '-' || c == '_' || !c.is_ascii() {
                    name.push(c);
                    j += 1;
                    continue;
                }
                break;
            }
            return Some((name, byte_at(j)));
        }
        i += 1;
    }
    None
}

fn known_deviations(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn our_output(case: &Path, modules: &Path) -> String {
    let input = std::fs::read_to_string(case.join("input.css")).expect("input.css");
    let package = modules.join("tailwindcss");
    let resolve = |file: &str| match file.starts_with('.') {
        true => std::fs::read_to_string(case.join(file)).ok(),
        false => std::fs::read_to_string(package.join(file)).ok(),
    };
    let design =
        Design::parse_with(&input, &resolve).unwrap_or_else(|e| panic!("{}: {e}", case.display()));
    let candidates = bext_tailwind::sources::scan(case, design.sources());
    design
        .build(candidates.iter().map(String::as_str))
        .unwrap_or_else(|e| panic!("{}: {e}", case.display()))
}

/// The CLI's output for a case, cached by the case's files and the lockfile.
fn reference_output(case: &Path, modules: &Path) -> String {
    let mut files = Vec::new();
    collect_files(case, &mut files);
    files.sort();
    files.push(modules.join(".package-lock.json"));
    let name = case
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    // Inside the install, so the CLI resolves `@import "tailwindcss"` by walking up.
    let install = modules.parent().expect("the install dir");
    let dir = install.join(format!("expected-{name}-{}", hash_of(&files)));
    let output = dir.join("expected.css");
    if let Ok(css) = std::fs::read_to_string(&output) {
        return css;
    }
    let work = dir.join("case");
    let _ = std::fs::remove_dir_all(&work);
    copy_tree(case, &work);
    let status = Command::new("node")
        .arg(modules.join("@tailwindcss/cli/dist/index.mjs"))
        .args(["-i", "input.css", "-o"])
        .arg(&output)
        .current_dir(&work)
        .status()
        .expect("run @tailwindcss/cli");
    assert!(
        status.success(),
        "@tailwindcss/cli failed on {}",
        case.display()
    );
    std::fs::read_to_string(&output).expect("expected.css")
}

/// `npm ci` of the lockfile into the cache, once per lockfile; returns its `node_modules`.
fn install(root: &Path) -> PathBuf {
    let lock = root.join("package-lock.json");
    let dir = Path::new(CACHE_DIR).join(format!(
        "install-{}",
        hash_of(&[root.join("package.json"), lock.clone()])
    ));
    let modules = dir.join("node_modules");
    if modules.join(".package-lock.json").is_file() {
        return modules;
    }
    std::fs::create_dir_all(&dir).expect("cache dir");
    std::fs::copy(root.join("package.json"), dir.join("package.json")).expect("copy");
    std::fs::copy(&lock, dir.join("package-lock.json")).expect("copy");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .status()
        .expect("npm ci");
    assert!(status.success(), "npm ci for tests/conformance/node failed");
    modules
}

fn hash_of(paths: &[PathBuf]) -> String {
    let mut hasher = DefaultHasher::new();
    for path in paths {
        path.file_name().hash(&mut hasher);
        std::fs::read(path)
            .expect("read for hashing")
            .hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}
