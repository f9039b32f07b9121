//! Folding ([`bext_core::waf::secrule::fold`]) and the memo ([`bext_core::waf::secrule::memo`])
//! must never change what a rule set decides: every request of the OWASP CRS regression
//! corpus goes through CRS loaded folded and unfolded, at each paranoia level, and through
//! a memo (a miss, a miss that keeps, a hit; from two peers), and the transactions must end
//! alike (what matched, with messages and data, the interruption, and the whole `TX`
//! collection).
//!
//! The requests are the corpus's own, built byte for byte by `tests/crs/run.py
//! --dump-requests` (as it sends them to a server in `tests/waf_rules.rs`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use bext_core::config::{WafMode, WafRules};
use bext_core::waf::secrule::rule::Entry;
use bext_core::waf::secrule::{Builder, Memo, Request, ResponseHead, RuleSet, settings};
use common::TempDir;
use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;

/// The corpus beside the repository, as `tests/waf_rules.rs` finds it.
fn crs() -> PathBuf {
    let crs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/crs");
    assert!(
        crs.join("rules").is_dir(),
        "the CRS corpus is not at {}: shared/ belongs beside the repository",
        crs.display()
    );
    crs
}

/// CRS as its regression tests run it (crs-setup.conf with `tests/crs/setup.conf`),
/// loaded as `[waf]` loads it, folded or not.
fn load(crs: &Path, setup: &Path, paranoia: u8, mode: WafMode, folded: bool) -> RuleSet {
    let rules = WafRules {
        crs: Some(crs.to_path_buf()),
        files: Vec::new(),
        paranoia,
        mode,
        anomaly_threshold: None,
        response_body: true,
        expose_matches: false,
        memo: true,
    };
    let mut builder = Builder::new();
    let mut add = |name: &str, text: &str, dir: &Path| {
        let read = |file: &str| {
            std::fs::read_to_string(dir.join(file)).map_err(|e| format!("{file}: {e}"))
        };
        builder
            .add_file(name, text, &read)
            .unwrap_or_else(|e| panic!("{e}"));
    };
    let read = |path: &Path| {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    add(settings::SETTINGS_FILE, &settings::before(&rules), crs);
    add("crs-setup.conf", &read(setup), crs);
    add(settings::SETTINGS_FILE, &settings::after_setup(&rules), crs);
    let mut files: Vec<PathBuf> = std::fs::read_dir(crs.join("rules"))
        .expect("list CRS's rules")
        .map(|entry| entry.expect("read CRS's rules").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "conf"))
        .collect();
    files.sort();
    for file in &files {
        add(&file.display().to_string(), &read(file), &crs.join("rules"));
    }
    if folded {
        builder.finish()
    } else {
        builder.finish_unfolded()
    }
}

/// A request's bytes as the engine sees them: `None` for what no server would hand on.
struct Parsed {
    method: Vec<u8>,
    target: Vec<u8>,
    protocol: &'static str,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    body: Vec<u8>,
}

fn parse(bytes: &[u8]) -> Option<Parsed> {
    let mut fields = [httparse::EMPTY_HEADER; 128];
    let mut request = httparse::Request::new(&mut fields);
    let httparse::Status::Complete(head) = request.parse(bytes).ok()? else {
        return None;
    };
    let protocol = match request.version? {
        0 => "HTTP/1.0",
        _ => "HTTP/1.1",
    };
    let headers: Vec<(Vec<u8>, Vec<u8>)> = request
        .headers
        .iter()
        .map(|h| (h.name.to_ascii_lowercase().into_bytes(), h.value.to_vec()))
        .collect();
    let length = headers
        .iter()
        .find(|(name, _)| name == b"content-length")
        .and_then(|(_, value)| std::str::from_utf8(value).ok()?.trim().parse().ok())
        .unwrap_or(0usize);
    let body = &bytes[head..];
    Some(Parsed {
        method: request.method?.as_bytes().to_vec(),
        target: request.path?.as_bytes().to_vec(),
        protocol,
        headers,
        body: body[..length.min(body.len())].to_vec(),
    })
}

/// The transaction's end, as comparable text.
fn outcome(set: &RuleSet, parsed: &Parsed) -> String {
    outcome_from(set, None, parsed, peer_a(), "fold-test")
}

/// The usual peer, and one CRS's exceptions treat differently (`905100`: `GET /` from
/// 127.0.0.1 is Apache's own check).
fn peer_a() -> SocketAddr {
    "192.0.2.7:41000".parse().expect("an address")
}

fn peer_b() -> SocketAddr {
    "127.0.0.1:41001".parse().expect("an address")
}

/// A third peer CRS treats as it treats the first.
fn peer_c() -> SocketAddr {
    "198.51.100.20:5000".parse().expect("an address")
}

/// [`outcome`] from `peer`, through `memo` when there is one.
fn outcome_from(
    set: &RuleSet,
    memo: Option<&Rc<RefCell<Memo>>>,
    parsed: &Parsed,
    peer: SocketAddr,
    unique_id: &str,
) -> String {
    let headers: Vec<(&[u8], &[u8])> = parsed
        .headers
        .iter()
        .map(|(n, v)| (&n[..], &v[..]))
        .collect();
    let request = Request {
        method: &parsed.method,
        target: &parsed.target,
        protocol: parsed.protocol,
        headers: &headers,
        body: (!parsed.body.is_empty()).then_some(&parsed.body[..]),
        peer,
        unique_id,
    };
    let mut tx = set.begin_with(memo, &request);
    if tx.verdict().interruption.is_none() {
        let head = ResponseHead {
            status: 200,
            protocol: parsed.protocol,
            headers: &[(b"content-type", b"text/html"), (b"content-length", b"5")],
        };
        tx.check_response_head(set, &head);
        if tx.response_body_wanted(set).is_some() {
            tx.check_response_body(set, b"hello", false);
        }
    }
    let verdict = tx.finish(set).clone();
    format!("{verdict:?}\nTX {:?}", tx.tx_sorted())
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).expect("hex from run.py"))
        .collect()
}

/// The corpus's requests, dumped by `run.py` and parsed, with `setup`, the
/// `crs-setup.conf` its tests run with.
fn corpus(dir: &TempDir, crs: &Path) -> (PathBuf, Vec<(String, Parsed)>) {
    let setup = dir.write(
        "crs-setup.conf",
        std::fs::read_to_string(crs.join("crs-setup.conf.example")).expect("crs-setup")
            + "\n"
            + &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/crs/setup.conf"),
            )
            .expect("tests/crs/setup.conf"),
    );
    let dump = dir.path().join("requests.jsonl");
    let out = Command::new("/usr/bin/python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/crs/run.py"))
        .arg("--corpus")
        .arg(crs.join("tests/regression/tests"))
        .arg("--dump-requests")
        .arg(&dump)
        .output()
        .expect("run tests/crs/run.py");
    assert!(
        out.status.success(),
        "run.py --dump-requests: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = std::fs::read_to_string(&dump).expect("the dumped requests");
    let requests: Vec<(String, Parsed)> = lines
        .lines()
        .filter_map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let key = format!("{} stage {}", value["key"].as_str()?, value["stage"]);
            Some((key, parse(&hex(value["request"].as_str()?))?))
        })
        .collect();
    assert!(
        requests.len() > 4_000,
        "only {} of the corpus's requests parsed",
        requests.len()
    );
    (setup, requests)
}

#[test]
fn folded_crs_decides_every_corpus_request_as_unfolded_crs_does() {
    let crs = crs();
    let dir = TempDir::new("waf-fold");
    let (setup, requests) = corpus(&dir, &crs);
    // One thread per configuration: each is a few seconds of rule evaluation per core.
    let configurations = [
        (1, WafMode::Block),
        (2, WafMode::Block),
        (4, WafMode::DetectionOnly),
    ];
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = configurations
            .map(|(paranoia, mode)| {
                let (crs, setup, requests) = (&crs, &setup, &requests);
                scope.spawn(move || compare(crs, setup, paranoia, mode, requests))
            })
            .into_iter()
            .collect();
        runs.into_iter()
            .filter_map(|run| run.join().expect("a comparison thread"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs every request through CRS at `paranoia` in `mode`, folded and not; what differs.
fn compare(
    crs: &Path,
    setup: &Path,
    paranoia: u8,
    mode: WafMode,
    requests: &[(String, Parsed)],
) -> Option<String> {
    let unfolded = load(crs, setup, paranoia, mode, false);
    let folded = load(crs, setup, paranoia, mode, true);
    let folds = folded
        .phases
        .iter()
        .flatten()
        .filter(|entry| matches!(entry, Entry::Folded { .. }))
        .count();
    // The comparison means something only if much was folded: CRS's setup and its
    // paranoia gates are some two hundred rules.
    if folds < 100 {
        return Some(format!(
            "paranoia {paranoia}: only {folds} rules were folded"
        ));
    }
    let differ: Vec<String> = requests
        .iter()
        .filter_map(|(key, parsed)| {
            let (want, got) = (outcome(&unfolded, parsed), outcome(&folded, parsed));
            (want != got).then(|| format!("{key}:\n  unfolded {want}\n  folded   {got}"))
        })
        .collect();
    (!differ.is_empty()).then(|| {
        format!(
            "paranoia {paranoia} ({mode:?}): {} of {} requests end differently, e.g.\n{}",
            differ.len(),
            requests.len(),
            differ[..differ.len().min(3)].join("\n")
        )
    })
}

/// Through a memo, each corpus request ends as it does without one: its first run (a
/// miss), its second (a miss that keeps it), its third (a hit, from the same peer or from
/// one CRS's exceptions treat differently). The requests go in windows, so the memo also
/// fills up and lets entries go while the test runs.
#[test]
fn memo_decides_every_corpus_request_as_the_rules_do() {
    const WINDOW: usize = 64;
    let crs = crs();
    let dir = TempDir::new("waf-memo");
    let (setup, mut requests) = corpus(&dir, &crs);
    // A request whose outcome depends on the peer: a scanner's `GET /` is refused, unless
    // it comes from 127.0.0.1 and says it is Apache's own check (905110 takes CRS out).
    // Fourth in its window, so its third round comes from the other peer.
    let scanner = Parsed {
        method: b"GET".to_vec(),
        target: b"/".to_vec(),
        protocol: "HTTP/1.1",
        headers: vec![
            (b"host".to_vec(), b"localhost".to_vec()),
            (
                b"user-agent".to_vec(),
                b"Nikto/2.5.0 (internal dummy connection)".to_vec(),
            ),
            (b"accept".to_vec(), b"*/*".to_vec()),
        ],
        body: Vec::new(),
    };
    requests.insert(3, ("a scanner's GET /".to_owned(), scanner));
    let configurations = [(1, WafMode::Block), (4, WafMode::DetectionOnly)];
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = configurations
            .map(|(paranoia, mode)| {
                let (crs, setup, requests) = (&crs, &setup, &requests);
                scope.spawn(move || {
                    let set = load(crs, setup, paranoia, mode, true);
                    let memo = Rc::new(RefCell::new(Memo::new()));
                    let mut differ = Vec::new();
                    let scanner = &requests[3].1;
                    if outcome_from(&set, None, scanner, peer_a(), "a")
                        == outcome_from(&set, None, scanner, peer_b(), "b")
                    {
                        differ.push("the scanner's outcome does not depend on its peer".into());
                    }
                    let mut ids = 0u64;
                    // Third rounds from the third peer, of requests without a body, and
                    // how many of them were hits.
                    let (mut third_peer, mut third_peer_hits) = (0u64, 0u64);
                    for window in requests.chunks(WINDOW) {
                        for round in 0..3 {
                            for (i, (key, parsed)) in window.iter().enumerate() {
                                // The third round asks from another peer for half the
                                // requests: one CRS treats as it treats the first (served
                                // what the first made, as 905110 does not match it), and
                                // 127.0.0.1, which 905110 matches (never served it).
                                let peer = match (round, i % 4) {
                                    (2, 1) => peer_c(),
                                    (2, 3) => peer_b(),
                                    _ => peer_a(),
                                };
                                ids += 1;
                                let id = format!("memo-{ids}");
                                let want = outcome_from(&set, None, parsed, peer, &id);
                                let hits = memo.borrow().counts().hits;
                                let got = outcome_from(&set, Some(&memo), parsed, peer, &id);
                                if peer == peer_c() && parsed.body.is_empty() {
                                    third_peer += 1;
                                    third_peer_hits += memo.borrow().counts().hits - hits;
                                }
                                if want != got {
                                    differ.push(format!(
                                        "{key} (round {round}):\n  rules {want}\n  memo  {got}"
                                    ));
                                }
                            }
                        }
                    }
                    let counts = memo.borrow().counts();
                    let (entries, bytes) = memo.borrow().size();
                    if third_peer_hits < third_peer / 2 {
                        differ.push(format!(
                            "only {third_peer_hits} of {third_peer} requests from a third peer \
                             were hits"
                        ));
                    }
                    let mut failures = Vec::new();
                    if !differ.is_empty() {
                        failures.push(format!(
                            "paranoia {paranoia} ({mode:?}): {} runs end differently, e.g.\n{}",
                            differ.len(),
                            differ[..differ.len().min(3)].join("\n")
                        ));
                    }
                    // The third round of a request without a body from the same peer is
                    // a hit (unless the memo let it go): three in four of them.
                    let bodiless = requests.iter().filter(|(_, p)| p.body.is_empty()).count();
                    if counts.hits < bodiless as u64 / 2 {
                        failures.push(format!(
                            "paranoia {paranoia}: only {} hits for {bodiless} requests without \
                             a body ({counts:?})",
                            counts.hits
                        ));
                    }
                    if counts.evicted == 0
                        || entries > bext_core::limits::WAF_MEMO_ENTRIES_MAX
                        || bytes > bext_core::limits::WAF_MEMO_BYTES_MAX
                        || bytes != memo.borrow().recount_bytes()
                    {
                        failures.push(format!(
                            "paranoia {paranoia}: the memo ended with {entries} entries, \
                             {bytes} bytes ({counts:?})"
                        ));
                    }
                    failures
                })
            })
            .into_iter()
            .collect();
        runs.into_iter()
            .flat_map(|run| run.join().expect("a memo thread"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
