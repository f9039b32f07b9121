//! The architecture invariants of `ARCHITECTURE.md`, checked mechanically over the source
//! tree (rust-analyzer's `tidy` test is the model), so they cannot drift again.
//!
//! Each check walks the sources of the server's crates and lists every violation as
//! `file:line: what`; a test fails with the whole list. The checks read text, not syntax
//! trees: they are deliberately simple, and each says what it looks for. Test code (files in
//! a `tests/` directory, files named `tests.rs`, and everything after a file's first
//! `#[cfg(test)]`) is exempt unless a check says otherwise.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The crates that make up the server (the tools `bench/` and `perf/` keep their own
/// bounds in their own `limits.rs`).
const SERVER_SOURCES: &[&str] = &[
    "core/src",
    "shards/src",
    "shards/bpf/src",
    "net/src",
    "net/server/src",
    "net/acme/src",
    "render/src",
    "render/prism/src",
    "render/engine/src",
    "src",
];

/// Where `unsafe` may appear outside test code: the syscalls, the executor backends and the
/// JavaScript engines' foreign interfaces.
const UNSAFE_ALLOWED: &[&str] = &[
    "shards/src/sys",
    "shards/src/rt/monoio",
    "shards/src/rt/glommio",
    "render/engine/src/jsc/ffi.rs",
    "render/engine/src/quickjs/heap.rs",
    "render/engine/src/v8.rs",
];

/// Crate roots that opt out of `forbid(unsafe_code)` (they `deny` it and let the modules
/// above opt in). Every other crate root forbids it.
const UNSAFE_DENY_ROOTS: &[&str] = &["shards/src/lib.rs", "render/engine/src/lib.rs"];

/// Name endings that make a constant a bound (a limit, a deadline, a size).
const LIMIT_SUFFIXES: &[&str] = &[
    "_MAX",
    "_MIN",
    "_BYTES",
    "_MS",
    "_SECS",
    "_CEILING",
    "_FLOOR",
    "_DEPTH",
    "_TIMEOUT",
    "_INTERVAL",
    "_LIMIT",
    "_SLACK",
    "_ENTRIES",
    "_PERIOD",
    "_DEADLINE",
];

/// What the top level of the repository may hold.
const TOP_LEVEL: &[&str] = &[
    ".ci",
    ".git",
    ".gitignore",
    "ARCHITECTURE.md",
    "Cargo.lock",
    "Cargo.toml",
    "README.md",
    "bench",
    "core",
    "examples",
    "net",
    "perf",
    "render",
    "scripts",
    "shards",
    "src",
    "target",
    "tests",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One source file: its path from the repository root, and its lines (test code cut off
/// unless `with_tests`).
struct Source {
    path: String,
    lines: Vec<String>,
    is_test: bool,
}

fn sources(dirs: &[&str]) -> Vec<Source> {
    let mut files = Vec::new();
    for dir in dirs {
        walk(&root().join(dir), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let path = file
                .strip_prefix(root())
                .unwrap_or(&file)
                .display()
                .to_string();
            let text = fs::read_to_string(&file).unwrap_or_default();
            let is_test = path.split('/').any(|part| part == "tests")
                || path.ends_with("/tests.rs")
                || path.ends_with("fuzz_support.rs");
            let lines = text.lines().map(str::to_string).collect();
            Source {
                path,
                lines,
                is_test,
            }
        })
        .collect()
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    if dir.is_file() {
        files.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.ends_with("target") && !path.ends_with("node_modules") {
                walk(&path, files);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

impl Source {
    /// The lines before the file's first `#[cfg(test)]` (test modules sit at the bottom),
    /// numbered from 1; nothing for a test file.
    fn code(&self) -> impl Iterator<Item = (usize, &str)> {
        let end = if self.is_test {
            0
        } else {
            self.lines
                .iter()
                .position(|l| l.trim() == "#[cfg(test)]")
                .unwrap_or(self.lines.len())
        };
        self.lines[..end]
            .iter()
            .enumerate()
            .map(|(i, l)| (i + 1, l.as_str()))
    }

    /// Every line, test code included.
    fn all(&self) -> impl Iterator<Item = (usize, &str)> {
        self.lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i + 1, l.as_str()))
    }

    /// The comment lines directly above line `number` (1-based), joined.
    fn comment_above(&self, number: usize) -> String {
        let mut lines = Vec::new();
        for line in self.lines[..number - 1].iter().rev() {
            let t = line.trim();
            if t.starts_with("//") || t.starts_with("#[") {
                lines.push(t.to_string());
            } else {
                break;
            }
        }
        lines.join(" ")
    }
}

/// The code part of a line: without a trailing `//` comment (string literals holding `//`
/// are rare enough in these checks' patterns not to matter).
fn code_part(line: &str) -> &str {
    match line.find("//") {
        Some(at) => &line[..at],
        None => line,
    }
}

fn has_word(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        boundary(before) && boundary(after)
    })
}

fn report(what: &str, violations: Vec<String>) {
    assert!(
        violations.is_empty(),
        "{what}: {} violation(s):\n{}",
        violations.len(),
        violations.join("\n")
    );
}

/// A `const NAME: Type = value;` declaration: the name and the initializer's text.
fn const_decl(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start();
    let t = t
        .strip_prefix("pub(crate) ")
        .or_else(|| t.strip_prefix("pub(super) "))
        .or_else(|| t.strip_prefix("pub "))
        .unwrap_or(t);
    let rest = t.strip_prefix("const ")?;
    let (name, rest) = rest.split_once(':')?;
    let name = name.trim();
    if name == "_"
        || !name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let value = rest.split_once('=').map_or("", |(_, v)| v);
    Some((name, value))
}

fn limit_names() -> BTreeSet<String> {
    sources(&["core/src/limits.rs"])
        .iter()
        .flat_map(|s| {
            s.code()
                .filter_map(|(_, l)| const_decl(l).map(|(n, _)| n.to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

// --- core ----------------------------------------------------------------------------------

/// `core` never opens a socket or a file, never reads the clock, contains no `unsafe`.
#[test]
fn core_is_pure_logic() {
    const FORBIDDEN: &[&str] = &[
        "TcpStream",
        "TcpListener",
        "UdpSocket",
        "std::fs",
        "File::open",
        "OpenOptions",
        "Instant::now",
        "SystemTime::now",
        "thread::sleep",
    ];
    let mut violations = Vec::new();
    for source in sources(&["core/src"]) {
        for (n, line) in source.code() {
            let code = code_part(line);
            for word in FORBIDDEN {
                if code.contains(word) {
                    violations.push(format!("{}:{n}: `{word}` in core", source.path));
                }
            }
            if has_word(code, "unsafe") {
                violations.push(format!("{}:{n}: `unsafe` in core", source.path));
            }
        }
    }
    report("core is pure logic", violations);
}

// --- unsafe ---------------------------------------------------------------------------------

/// `unsafe` appears only in the allowed modules (and in tests), every block and impl with a
/// `SAFETY:` comment; crate roots forbid it, or deny it where modules opt in.
#[test]
fn unsafe_is_fenced_and_explained() {
    let mut violations = Vec::new();
    let mut dirs: Vec<&str> = SERVER_SOURCES.to_vec();
    dirs.extend([
        "bench/src",
        "perf/src",
        "tests",
        "net/tests",
        "net/server/tests",
    ]);
    for source in sources(&dirs) {
        // This file names `unsafe` in its checks.
        if source.path == "tests/tidy.rs" {
            continue;
        }
        let allowed = source.is_test || UNSAFE_ALLOWED.iter().any(|p| source.path.starts_with(p));
        for (n, line) in source.all() {
            let code = code_part(line);
            if !has_word(code, "unsafe") {
                continue;
            }
            if !allowed {
                violations.push(format!(
                    "{}:{n}: `unsafe` outside the allowed modules",
                    source.path
                ));
                continue;
            }
            // An `unsafe fn` states its contract in a `# Safety` section; its callers explain.
            let declares_fn = code.contains("unsafe fn") || code.contains("unsafe extern \"C\" fn");
            let explained = line.contains("SAFETY:")
                || source.comment_above(n).contains("SAFETY:")
                || source.lines[n.saturating_sub(4)..n - 1]
                    .iter()
                    .any(|l| l.contains("SAFETY:"));
            if !declares_fn && !explained {
                violations.push(format!(
                    "{}:{n}: `unsafe` without a `// SAFETY:` comment",
                    source.path
                ));
            }
        }
    }
    for crate_root in crate_roots() {
        let text = fs::read_to_string(root().join(&crate_root)).unwrap_or_default();
        let want = if UNSAFE_DENY_ROOTS.contains(&crate_root.as_str()) {
            "#![deny(unsafe_code)]"
        } else {
            "#![forbid(unsafe_code)]"
        };
        if !text.contains(want) {
            violations.push(format!("{crate_root}: the crate root lacks `{want}`"));
        }
    }
    report("unsafe is fenced", violations);
}

/// Every `lib.rs` and `main.rs` that roots a crate of the workspace.
fn crate_roots() -> Vec<String> {
    let mut roots = Vec::new();
    for dir in SERVER_SOURCES
        .iter()
        .chain(["bench/src", "perf/src"].iter())
    {
        for name in ["lib.rs", "main.rs"] {
            let path = format!("{dir}/{name}");
            if root().join(&path).exists() {
                roots.push(path);
            }
        }
    }
    roots
}

// --- the runtime ----------------------------------------------------------------------------

/// Nothing outside `shards/src/rt/` names monoio or glommio.
#[test]
fn executor_backends_are_named_only_in_rt() {
    let mut violations = Vec::new();
    let mut dirs: Vec<&str> = SERVER_SOURCES.to_vec();
    dirs.extend(["bench/src", "perf/src", "tests", "net/server/tests"]);
    for source in sources(&dirs) {
        if source.path.starts_with("shards/src/rt/") {
            continue;
        }
        for (n, line) in source.all() {
            let code = code_part(line);
            for backend in ["monoio", "glommio"] {
                if code.contains(&format!("{backend}::"))
                    || code.contains(&format!("use {backend}"))
                {
                    violations.push(format!("{}:{n}: names `{backend}`", source.path));
                }
            }
        }
    }
    report("backends are named only in shards/src/rt", violations);
}

/// Mesh sends are never discarded with `let _ =`: a full inbox is handled, and counted.
#[test]
fn mesh_sends_are_never_discarded() {
    let mut violations = Vec::new();
    for source in sources(&["shards/src", "net/server/src", "src"]) {
        let lines: Vec<(usize, &str)> = source.code().collect();
        for (i, (n, line)) in lines.iter().enumerate() {
            if !code_part(line).contains("let _ =") {
                continue;
            }
            // The statement: this line and the following ones up to its `;`.
            let statement: String = lines[i..]
                .iter()
                .map(|(_, l)| code_part(l))
                .scan(false, |ended, l| {
                    if *ended {
                        return None;
                    }
                    *ended = l.contains(';');
                    Some(l.to_string())
                })
                .collect();
            // Mesh sends carry a `Message`; other channels (a start-up handshake, the file
            // watcher) may be dropped deliberately.
            if statement.contains(".send(") && statement.contains("Message") {
                violations.push(format!("{}:{n}: a send's result is discarded", source.path));
            }
        }
    }
    report("mesh sends are handled", violations);
}

// --- limits ---------------------------------------------------------------------------------

/// Every bound of the server is a named constant in `core/src/limits.rs`. A constant whose
/// name says it is a bound (see `LIMIT_SUFFIXES`) may live elsewhere only if it is made from
/// limits (a `Duration` of a `*_MS` limit) or says why it is not one (`tidy: not a limit`).
#[test]
fn limits_live_in_limits_rs() {
    let limits = limit_names();
    let mut violations = Vec::new();
    for source in sources(SERVER_SOURCES) {
        if source.path == "core/src/limits.rs" {
            continue;
        }
        for (n, line) in source.code() {
            let Some((name, value)) = const_decl(line) else {
                continue;
            };
            if !LIMIT_SUFFIXES.iter().any(|s| name.ends_with(s)) {
                continue;
            }
            let from_limits = limits.iter().any(|l| has_word(value, l));
            let excused = source.comment_above(n).contains("tidy: not a limit");
            if !from_limits && !excused {
                violations.push(format!(
                    "{}:{n}: `{name}` is a bound outside core/src/limits.rs (move it, or say `tidy: not a limit` and why)",
                    source.path
                ));
            }
        }
    }
    report("limits live in limits.rs", violations);
}

/// Every limit is documented, is one name for one bound (no constant that only renames
/// another), and is enforced somewhere: a limit nothing reads is a limit nobody enforces.
#[test]
fn every_limit_is_documented_named_once_and_used() {
    let limits_rs = sources(&["core/src/limits.rs"]);
    let limits_rs = &limits_rs[0];
    let others = sources(SERVER_SOURCES);
    let mut violations = Vec::new();
    for (n, line) in limits_rs.code() {
        let Some((name, value)) = const_decl(line) else {
            continue;
        };
        if !limits_rs.comment_above(n).contains("///") {
            violations.push(format!(
                "core/src/limits.rs:{n}: `{name}` has no doc comment"
            ));
        }
        let value = value.trim().trim_end_matches(';').trim();
        let bare = value.split(" as ").next().unwrap_or(value).trim();
        if !bare.is_empty()
            && bare
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && bare.chars().any(|c| c.is_ascii_uppercase())
        {
            violations.push(format!(
                "core/src/limits.rs:{n}: `{name}` is another name for `{bare}`"
            ));
        }
        // Read by code, or by another limit's definition, or tied to another limit by a
        // compile-time assertion (a stack size that must cover the engines' needs).
        let used = others.iter().any(|s| {
            s.path != "core/src/limits.rs" && s.code().any(|(_, l)| has_word(code_part(l), name))
        }) || limits_rs.code().any(|(m, l)| {
            let defines_another =
                const_decl(l).is_some() && has_word(l.split_once('=').map_or("", |(_, v)| v), name);
            let relates = l.trim_start().starts_with("const _")
                && has_word(l, name)
                && limit_names()
                    .iter()
                    .any(|other| other != name && has_word(l, other));
            m != n && (defines_another || relates)
        });
        if !used {
            violations.push(format!(
                "core/src/limits.rs:{n}: `{name}` is enforced nowhere (no code reads it)"
            ));
        }
    }
    report("every limit is documented, named once and used", violations);
}

// --- the server's layers --------------------------------------------------------------------

/// Drivers → service → handlers: the service never frames a response (no HTTP/1.1 writer, no
/// CRLF), never reaches for a driver or a transport; transports know no request logic; the
/// shard's runtime modules know no service (only its main loop wires them).
#[test]
fn server_layers_depend_one_way() {
    struct Rule {
        under: &'static str,
        except: &'static [&'static str],
        forbidden: &'static [&'static str],
    }
    const RULES: &[Rule] = &[
        Rule {
            under: "net/server/src/service/",
            except: &[],
            forbidden: &[
                "crate::driver",
                "crate::transport",
                "h1::write",
                "write_head",
                "CONTINUE_100",
                "\\r\\n",
            ],
        },
        Rule {
            under: "net/server/src/transport/",
            except: &[],
            forbidden: &["crate::service", "crate::driver", "crate::shard"],
        },
        Rule {
            under: "net/server/src/shard/",
            except: &[
                "net/server/src/shard/mod.rs",
                "net/server/src/shard/accept.rs",
            ],
            forbidden: &["crate::service", "crate::driver", "crate::transport"],
        },
        Rule {
            under: "net/server/src/driver/",
            except: &[],
            forbidden: &["crate::shard::mesh", "static_files", "crate::service::app"],
        },
        Rule {
            under: "net/src/",
            except: &[],
            forbidden: &["bext_shards", "bext_render", "bext_engine", "bext_server"],
        },
    ];
    let mut violations = Vec::new();
    for source in sources(&["net/src", "net/server/src"]) {
        for rule in RULES {
            if !source.path.starts_with(rule.under) || rule.except.contains(&source.path.as_str()) {
                continue;
            }
            for (n, line) in source.code() {
                for word in rule.forbidden {
                    if code_part(line).contains(word) {
                        violations.push(format!(
                            "{}:{n}: `{word}` under {}",
                            source.path, rule.under
                        ));
                    }
                }
            }
        }
    }
    // bext-net is protocols only: it must not depend on the runtime or the engines.
    let manifest = fs::read_to_string(root().join("net/Cargo.toml")).unwrap_or_default();
    for dep in ["bext-shards", "bext-render", "bext-engine", "bext-server"] {
        if manifest.contains(dep) {
            violations.push(format!("net/Cargo.toml: bext-net depends on {dep}"));
        }
    }
    report("server layers depend one way", violations);
}

/// The protocol crate and the server answer bad input with statuses, never panics: no
/// `unwrap()` or `expect(` outside tests.
#[test]
fn no_unwrap_where_network_input_reaches() {
    let mut violations = Vec::new();
    for source in sources(&["net/src", "net/server/src"]) {
        for (n, line) in source.code() {
            let code = code_part(line);
            if code.contains(".unwrap()") || code.contains(".expect(") {
                violations.push(format!("{}:{n}: unwrap/expect", source.path));
            }
        }
    }
    report("no unwrap on request paths", violations);
}

// --- the map --------------------------------------------------------------------------------

/// The repository's top level is the one the design names, and `ARCHITECTURE.md` maps every
/// crate of the workspace.
#[test]
fn the_code_map_is_complete() {
    let mut violations = Vec::new();
    if let Ok(entries) = fs::read_dir(root()) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !TOP_LEVEL.contains(&name.as_str()) {
                violations.push(format!("{name}: not an entry the top level may hold"));
            }
        }
    }
    let manifest = fs::read_to_string(root().join("Cargo.toml")).unwrap_or_default();
    let members = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("members"))
        .unwrap_or("");
    let map = fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap_or_default();
    for member in members.split('"').skip(1).step_by(2) {
        if !map.contains(&format!("`{member}/`")) && !map.contains(&format!("`{member}`")) {
            violations.push(format!("ARCHITECTURE.md does not map the crate `{member}`"));
        }
    }
    if !map.contains("tests/tidy.rs") {
        violations.push("ARCHITECTURE.md does not name tests/tidy.rs".into());
    }
    report("the code map is complete", violations);
}

/// The app runtime's files are joined into one function scope (`render/src/runtime.rs`), so a
/// top-level name declared in two of them is one name: the later declaration silently replaces
/// the earlier for every caller. Each top-level `function`, `var`, `let` and `const` name must
/// be declared in one file only.
#[test]
fn runtime_files_declare_each_top_level_name_once() {
    let root = root();
    let runtime = std::fs::read_to_string(root.join("render/src/runtime.rs")).expect("runtime.rs");
    let mut declared: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for part in runtime.split("include_str!(\"../js/").skip(1) {
        let Some(file) = part.split('"').next() else {
            continue;
        };
        let text =
            std::fs::read_to_string(root.join("render/js").join(file)).expect("a runtime file");
        for line in text.lines() {
            let rest = ["function ", "var ", "let ", "const "]
                .iter()
                .find_map(|keyword| line.strip_prefix(keyword));
            let Some(rest) = rest else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            if !name.is_empty() {
                declared.entry(name).or_default().push(file.to_owned());
            }
        }
    }
    let violations = declared
        .into_iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|(name, files)| format!("`{name}` is declared in {}", files.join(" and ")))
        .collect();
    report("top-level names of the app runtime", violations);
}
