//! Pages in a real browser: Debian's Chromium driven by `tests/browser/drive.mjs` through
//! playwright-core (pinned in `tests/browser/package-lock.json`, installed once per lockfile
//! with `npm ci` into `/var/cache/bext/browser/install-<hash>`).
//!
//! A test writes a [`Plan`] of steps, [`Driver::run`] runs it in one Chromium launch (one
//! page, navigated from address to address) and returns an [`Outcome`]: each step's output and
//! everything the pages logged, failed or refused on the way, which
//! [`Outcome::problems_after`] turns into the list a page must not have.
//!
//! ```ignore
//! let driver = Driver::install();
//! let mut plan = Plan::new();
//! let home = plan.goto(&format!("http://{}/", bext.addr));
//! let looks = plan.style_snapshot();
//! plan.screenshot(&screenshots().join("home.png"));
//! let outcome = driver.run(&plan);
//! assert_eq!(outcome.problems_after(home), Vec::<String>::new());
//! let snapshot = outcome.snapshot(looks);
//! ```

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use super::npm;

/// Where the driver's install is kept between runs (outside the clone).
pub const CACHE_DIR: &str = "/var/cache/bext/browser";
/// The browser: Debian's Chromium, which `scripts/test.sh` installs.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// How long one step may take, for all it waits on (leaving the page before and loading the
/// next to its `load` event; a selector, a text; a page settling before its snapshot).
pub const STEP_DEADLINE: Duration = Duration::from_secs(15);
/// How long Node and Chromium may take to start and to shut down, on top of the steps'.
pub const LAUNCH_DEADLINE: Duration = Duration::from_secs(30);
/// The window the pages are laid out in.
pub const VIEWPORT_WIDTH_PX: u32 = 1280;
/// See [`VIEWPORT_WIDTH_PX`].
pub const VIEWPORT_HEIGHT_PX: u32 = 800;
/// How many differences [`differences`] lists before it stops.
pub const DIFFERENCES_SHOWN_MAX: usize = 12;
/// How much of a long value (a data URL) a difference shows of each side.
pub const VALUE_SHOWN_CHARS_MAX: usize = 160;

/// The installed driver: `node drive.mjs` with playwright-core's `node_modules`.
pub struct Driver {
    modules: PathBuf,
}

impl Driver {
    /// `npm ci` of `tests/browser` (once per lockfile), after checking Chromium is there.
    pub fn install() -> Driver {
        assert!(
            Path::new(CHROMIUM).is_file(),
            "{CHROMIUM} is missing: `apt-get install chromium` (scripts/test.sh does)"
        );
        let modules = npm::ci(&root(), Path::new(CACHE_DIR), "tests/browser");
        Driver { modules }
    }

    /// Runs the plan in one Chromium launch; panics if the driver fails or passes its deadline
    /// (a step's failure is not the driver's: it is in the outcome, and reading that step's
    /// output panics with it).
    pub fn run(&self, plan: &Plan) -> Outcome {
        let steps = u32::try_from(plan.steps.len()).expect("a plan of fewer steps");
        let deadline = LAUNCH_DEADLINE + STEP_DEADLINE * steps;
        let plan_json = json!({
            "stepTimeoutMs": STEP_DEADLINE.as_millis() as u64,
            "viewport": { "width": VIEWPORT_WIDTH_PX, "height": VIEWPORT_HEIGHT_PX },
            "ignoreHttpsErrors": plan.ignore_https_errors,
            "steps": plan.steps,
        })
        .to_string();
        let mut child = Command::new("node")
            .arg(root().join("drive.mjs"))
            .arg("--modules")
            .arg(&self.modules)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own group, so Chromium's processes go with it if the deadline kills it.
            .process_group(0)
            .spawn()
            .expect("node runs tests/browser/drive.mjs");
        child
            .stdin
            .take()
            .expect("stdin piped")
            .write_all(plan_json.as_bytes())
            .expect("the plan written to the driver");
        let (mut stdout, mut stderr) = (
            child.stdout.take().expect("stdout piped"),
            child.stderr.take().expect("stderr piped"),
        );
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let (mut out, mut err) = (String::new(), String::new());
            let _ = stdout.read_to_string(&mut out);
            let _ = stderr.read_to_string(&mut err);
            let _ = tx.send((out, err));
        });
        let Ok((out, err)) = rx.recv_timeout(deadline) else {
            super::kill_group(&mut child);
            panic!("the browser driver did not finish its {steps} steps within {deadline:?}");
        };
        let status = child.wait().expect("wait for the driver");
        assert!(
            status.success(),
            "the browser driver failed ({status}):\n{err}"
        );
        let result: Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("the driver's result is not JSON ({e}):\n{out}\n{err}"));
        Outcome { result }
    }
}

/// `tests/browser`: the driver and its lockfile.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Where tests put their screenshots: under the target directory, never in the clone.
pub fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshot directory");
    dir
}

/// A step's place in its plan, to read its output from the [`Outcome`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Step(usize);

/// The steps of one browser session, in order (`drive.mjs` says what each does).
#[derive(Default)]
pub struct Plan {
    steps: Vec<Value>,
    /// Accept any certificate (a site's `tls = "self-signed"`).
    ignore_https_errors: bool,
}

impl Plan {
    pub fn new() -> Plan {
        Plan::default()
    }

    /// Accepts any certificate: for pages served with `tls = "self-signed"`.
    pub fn ignore_https_errors(&mut self) {
        self.ignore_https_errors = true;
    }

    /// Navigates to `url` and waits for its `load` event; outputs `{status, url}`.
    pub fn goto(&mut self, url: &str) -> Step {
        self.push(json!({ "op": "goto", "url": url }))
    }

    /// Navigates to `url` and goes on as soon as the response has started (a streamed page's
    /// shell may be all there is yet); outputs `{status, url}`.
    pub fn goto_committed(&mut self, url: &str) -> Step {
        self.push(json!({ "op": "goto", "url": url, "waitUntil": "commit" }))
    }

    pub fn click(&mut self, selector: &str) -> Step {
        self.push(json!({ "op": "click", "selector": selector }))
    }

    pub fn fill(&mut self, selector: &str, value: &str) -> Step {
        self.push(json!({ "op": "fill", "selector": selector, "value": value }))
    }

    /// Waits until `selector` matches a visible element.
    pub fn wait_for_selector(&mut self, selector: &str) -> Step {
        self.push(json!({ "op": "waitForSelector", "selector": selector }))
    }

    /// Waits until `selector` matches an element, visible or not (`<html data-…>`).
    pub fn wait_for_attached(&mut self, selector: &str) -> Step {
        self.push(json!({ "op": "waitForSelector", "selector": selector, "state": "attached" }))
    }

    /// Waits until the `innerText` of `selector`'s first match contains `text`.
    pub fn wait_for_text(&mut self, selector: &str, text: &str) -> Step {
        self.push(json!({ "op": "waitForText", "selector": selector, "text": text }))
    }

    /// The computed values of `properties` on `selector`'s first match.
    pub fn computed_style(&mut self, selector: &str, properties: &[&str]) -> Step {
        self.push(json!({ "op": "computedStyle", "selector": selector, "properties": properties }))
    }

    /// Every rendered element under `body` with its computed style (see [`Snapshot`]).
    pub fn style_snapshot(&mut self) -> Step {
        self.push(json!({ "op": "styleSnapshot" }))
    }

    /// A full-page PNG at `path`.
    pub fn screenshot(&mut self, path: &Path) -> Step {
        self.push(json!({ "op": "screenshot", "path": path }))
    }

    /// The value of a JavaScript expression in the page, as JSON.
    pub fn evaluate(&mut self, expression: &str) -> Step {
        self.push(json!({ "op": "evaluate", "expression": expression }))
    }

    fn push(&mut self, step: Value) -> Step {
        self.steps.push(step);
        Step(self.steps.len() - 1)
    }
}

/// What a plan's run gave back.
pub struct Outcome {
    result: Value,
}

impl Outcome {
    /// The output of `step`; panics with the step's error if it failed, or if an earlier
    /// failure stopped the plan before it.
    pub fn output(&self, step: Step) -> &Value {
        let steps = self.result["steps"].as_array().expect("steps");
        let Some(entry) = steps.get(step.0) else {
            let failed = steps.last().map_or(Value::Null, Value::clone);
            panic!("step {} did not run: the plan stopped at {failed}", step.0);
        };
        assert!(
            entry["ok"] == Value::Bool(true),
            "step {} ({}) failed: {}",
            step.0,
            entry["op"],
            entry["error"].as_str().unwrap_or("")
        );
        &entry["output"]
    }

    /// The snapshot a [`Plan::style_snapshot`] step took.
    pub fn snapshot(&self, step: Step) -> Snapshot {
        let output = self.output(step);
        let elements = output["elements"]
            .as_array()
            .expect("a snapshot's elements")
            .iter()
            .map(|e| Element {
                path: e["path"].as_str().expect("path").to_owned(),
                styles: e["styles"]
                    .as_object()
                    .expect("styles")
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                    .collect(),
            })
            .collect();
        let fonts = output["fonts"]
            .as_array()
            .expect("a snapshot's fonts")
            .iter()
            .map(|f| f.as_str().expect("a font face").to_owned())
            .collect();
        Snapshot { elements, fonts }
    }

    /// What went wrong from `step` until the next navigation: console messages of type
    /// `error`, uncaught page errors, and requests answered 400 or more or not answered, one
    /// line each.
    pub fn problems_after(&self, step: Step) -> Vec<String> {
        let end = self.next_goto_after(step);
        let during = |event: &&Value| {
            let at = event["step"].as_u64().unwrap_or(0) as usize;
            at >= step.0 && end.is_none_or(|end| at < end)
        };
        let mut problems = Vec::new();
        for message in self.events("console").iter().filter(during) {
            if message["type"] == "error" {
                problems.push(format!(
                    "console error on {}: {} (at {})",
                    message["page"].as_str().unwrap_or(""),
                    message["text"].as_str().unwrap_or(""),
                    message["location"]["url"].as_str().unwrap_or("")
                ));
            }
        }
        for error in self.events("pageErrors").iter().filter(during) {
            problems.push(format!(
                "page error on {}: {}",
                error["page"].as_str().unwrap_or(""),
                error["stack"].as_str().unwrap_or("")
            ));
        }
        for request in self.events("failedRequests").iter().filter(during) {
            let why = match request["status"].as_u64() {
                Some(status) => status.to_string(),
                None => request["failure"].as_str().unwrap_or("").to_owned(),
            };
            problems.push(format!(
                "failed request on {}: {} {} ({why})",
                request["page"].as_str().unwrap_or(""),
                request["method"].as_str().unwrap_or(""),
                request["url"].as_str().unwrap_or("")
            ));
        }
        problems
    }

    fn events(&self, kind: &str) -> Vec<Value> {
        self.result[kind].as_array().cloned().unwrap_or_default()
    }

    fn next_goto_after(&self, step: Step) -> Option<usize> {
        let steps = self.result["steps"].as_array().expect("steps");
        (step.0 + 1..steps.len()).find(|&i| steps[i]["op"] == "goto")
    }
}

/// The rendered elements of a page in document order, each with its computed style, and the
/// web fonts the document declared with their state (`family weight style: loaded`).
/// `drive.mjs`'s `snapshot()` says what is left out (scripts, hidden elements, Next's custom
/// elements) and which properties are read.
#[derive(Debug)]
pub struct Snapshot {
    pub elements: Vec<Element>,
    pub fonts: Vec<String>,
}

#[derive(Debug)]
pub struct Element {
    /// `body > main > p[2]`: tags, numbered among kept siblings of the same tag from the second.
    pub path: String,
    pub styles: Vec<(String, String)>,
}

/// How `got` differs from `want`, element by element, at most [`DIFFERENCES_SHOWN_MAX`]
/// lines: a property that differs names the element's path, the property and both values;
/// where the elements themselves differ the comparison stops there (what follows would not
/// line up).
/// A computed value with each `url("http://host:port/_next/static/media/name.HASH.ext")` as
/// `url(/_next/static/media/name.ext)`: the two servers listen on different ports and hash a
/// file's content differently; which file it is, is what is compared.
fn same_file_urls(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find("url(\"http://") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "url(\"http://".len()..];
        let Some(end) = after.find("\")") else {
            out.push_str(&rest[at..]);
            return out;
        };
        let url = &after[..end];
        let path = url.find('/').map_or("", |slash| &url[slash..]);
        let path = match path.strip_prefix("/_next/static/media/") {
            Some(file) => {
                let parts: Vec<&str> = file.split('.').collect();
                match parts.as_slice() {
                    [name, _hash, ext] => format!("/_next/static/media/{name}.{ext}"),
                    _ => path.to_owned(),
                }
            }
            None => path.to_owned(),
        };
        out.push_str(&format!("url({path})"));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

pub fn differences(
    want: &Snapshot,
    got: &Snapshot,
    (want_name, got_name): (&str, &str),
) -> Vec<String> {
    let mut out = Vec::new();
    if want.fonts != got.fonts {
        out.push(format!(
            "web fonts: {want_name} {:?}, {got_name} {:?}",
            want.fonts, got.fonts
        ));
    }
    for (index, (w, g)) in want.elements.iter().zip(&got.elements).enumerate() {
        if w.path != g.path {
            out.push(format!(
                "element {index}: {want_name} has `{}`, {got_name} has `{}`",
                w.path, g.path
            ));
            return truncated(out);
        }
        let names = w
            .styles
            .iter()
            .chain(&g.styles)
            .map(|(name, _)| name.as_str());
        let mut seen = Vec::new();
        for name in names {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name);
            let value = |e: &Element| {
                e.styles
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| same_file_urls(v))
            };
            let (wv, gv) = (value(w), value(g));
            if wv != gv {
                let shown = |v: Option<String>| match v {
                    None => "(not set)".to_owned(),
                    Some(v) if v.chars().count() > VALUE_SHOWN_CHARS_MAX => {
                        format!(
                            "{}…",
                            v.chars().take(VALUE_SHOWN_CHARS_MAX).collect::<String>()
                        )
                    }
                    Some(v) => v,
                };
                out.push(format!(
                    "`{}` {name}: {want_name} {}, {got_name} {}",
                    w.path,
                    shown(wv),
                    shown(gv)
                ));
            }
        }
    }
    let (w, g) = (want.elements.len(), got.elements.len());
    if w != g {
        let (longer, name) = if w > g {
            (want, want_name)
        } else {
            (got, got_name)
        };
        out.push(format!(
            "{want_name} has {w} elements, {got_name} {g}; the first extra is {name}'s `{}`",
            longer.elements[w.min(g)].path
        ));
    }
    truncated(out)
}

fn truncated(mut lines: Vec<String>) -> Vec<String> {
    if lines.len() > DIFFERENCES_SHOWN_MAX {
        let more = lines.len() - DIFFERENCES_SHOWN_MAX;
        lines.truncate(DIFFERENCES_SHOWN_MAX);
        lines.push(format!("… and {more} more"));
    }
    lines
}
