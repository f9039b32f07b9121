//! Replays the `parse_request` fuzz corpus, and any crash artifacts, through the same invariant
//! checks the fuzzer runs, so every normal test run re-proves what fuzzing once found.

use std::path::Path;

use bext_net::h1::fuzz_support::fuzz_parse;

#[test]
fn replay_parse_request_corpus() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let replayed = replay_dir(&fuzz.join("corpus/parse_request"));
    // Artifacts exist only after the fuzzer found something; each one is a regression test.
    let artifacts = fuzz.join("artifacts/parse_request");
    if artifacts.exists() {
        replay_dir(&artifacts);
    }
    assert!(replayed >= 20, "corpus has only {replayed} files");
}

fn replay_dir(dir: &Path) -> usize {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    entries.sort();
    for path in &entries {
        let input = std::fs::read(path).expect("corpus file");
        let result = std::panic::catch_unwind(|| fuzz_parse(&input));
        assert!(
            result.is_ok(),
            "fuzz invariant broken by {}",
            path.display()
        );
    }
    entries.len()
}
