//! Feeds arbitrary bytes to the HTTP/1.1 codec as one pipelined connection: heads, bodies,
//! next heads. The checks live in `bext_net::h1::fuzz_support` so that the normal test run
//! (`net/tests/fuzz_corpus.rs`) replays this corpus through exactly the same invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    bext_net::h1::fuzz_support::fuzz_parse(input);
});
