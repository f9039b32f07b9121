//! Web Crypto in an engine that has none (QuickJS; JavaScriptCore's C API contexts too): the
//! digests and the ChaCha20 keystream behind `getRandomValues` against Node's `crypto`
//! (`createHash`, and the `chacha20` cipher over zeros, recorded with `node -e`), and the
//! error cases Web Crypto specifies.

mod renderer_support;

use std::cell::RefCell;

use bext_engine::{Engine, EngineKind};
use renderer_support::*;

/// Byte helpers for the cases below.
const HELPERS: &str = r#"
globalThis.hex = function (buffer) {
  return Array.from(new Uint8Array(buffer), function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
};
globalThis.bytes = function (text) {
  var out = new Uint8Array(text.length);
  for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
};
"#;

/// Key 00 01 02 … 1f: `crypto.createCipheriv("chacha20", key, Buffer.alloc(16))` over 150 zero
/// bytes in Node.
const KEYSTREAM_HEX: &str = "39fd2b7dd9c5196a8dbd0377b8dc4a498a35d86fbcde6accb2cc7d4cd8ea24922b23cce7a26023ab3f0eef693ac87f64258235eab1f7a32dc22762a0485b410c18b84231ade6a6d113615c61af434e27f8b1f3f5e1ad5b5cecf8fc122a35755c7208086dd1ee3c5d9d815824640e003c9ba0f65ede5d59ce0d2a4a7f31955acd42f22ddca74a92d56ca78aef298e723b60237f3647ea";

/// (algorithm, JavaScript expression for the input text, Node's hex digest).
const DIGESTS: &[(&str, &str, &str)] = &[
    ("SHA-1", r#""""#, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    (
        "SHA-1",
        r#""abc""#,
        "a9993e364706816aba3e25717850c26c9cd0d89d",
    ),
    (
        "SHA-1",
        r#""a".repeat(55)"#,
        "c1c8bbdc22796e28c0e15163d20899b65621d65a",
    ),
    (
        "SHA-1",
        r#""a".repeat(56)"#,
        "c2db330f6083854c99d4b5bfb6e8f29f201be699",
    ),
    (
        "SHA-1",
        r#""a".repeat(64)"#,
        "0098ba824b5c16427bd7a1122a5a442a25ec644d",
    ),
    (
        "SHA-1",
        r#""b".repeat(111)"#,
        "9e9a141d08c1eddadfba282fdcdd9997021fcd29",
    ),
    (
        "SHA-1",
        r#""b".repeat(112)"#,
        "7613e3edd19e38b9f5b8df789c0a948eec6a0f04",
    ),
    (
        "SHA-1",
        r#""c".repeat(128)"#,
        "eea5cd304fb8ebe3b434a06b2be809c621c9622d",
    ),
    (
        "SHA-1",
        r#""0123456789".repeat(100)"#,
        "f2b2f38b074c387a1415c3afb834c7232f31b097",
    ),
    (
        "SHA-256",
        r#""""#,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ),
    (
        "SHA-256",
        r#""abc""#,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    ),
    (
        "SHA-256",
        r#""a".repeat(55)"#,
        "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
    ),
    (
        "SHA-256",
        r#""a".repeat(56)"#,
        "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
    ),
    (
        "SHA-256",
        r#""a".repeat(64)"#,
        "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
    ),
    (
        "SHA-256",
        r#""b".repeat(111)"#,
        "56772b647d5a52b68f7f4b577a1f8f9f901bb20d0eebb5f1006b7d337b7e3eec",
    ),
    (
        "SHA-256",
        r#""b".repeat(112)"#,
        "2e00e3a07d2633eb2a2ae7a01effd634d3b07dfefe3189a24eccb50829c0d1f1",
    ),
    (
        "SHA-256",
        r#""c".repeat(128)"#,
        "e5dc28d67309c1f3b41b160e5e06c7881007cde8f74949c9cf6c890ad1bdd032",
    ),
    (
        "SHA-256",
        r#""0123456789".repeat(100)"#,
        "ab6c5f3237f551d208fc2ca5225a4cca20b3fd638794a804f0ed5549d5041734",
    ),
    (
        "SHA-384",
        r#""""#,
        "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
    ),
    (
        "SHA-384",
        r#""abc""#,
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
    ),
    (
        "SHA-384",
        r#""a".repeat(55)"#,
        "5d91ac7e74e62b5c728904b40f10784d66b7af9cb6302123e48c92f0432ceb8d2a92c02de77dcb29ed75c4b42bde46f4",
    ),
    (
        "SHA-384",
        r#""a".repeat(56)"#,
        "8a8d9649ea04e993a6ca7135af7e3392cc5fca84f8531cac7aa3feed4eb98f55dcbe0f3284b61c6f35f98b02cc644b4c",
    ),
    (
        "SHA-384",
        r#""a".repeat(64)"#,
        "2e404b9339da795776e510d96930b3be2904c500395b8cb7413334b82d4dec413b4b8113045a05bbbcff846f027423f6",
    ),
    (
        "SHA-384",
        r#""b".repeat(111)"#,
        "a47bc504cd628dbc1abac61dd4fb95c14a5ce395ce0a2ba23e29f065159ab694335cd8664a63cdc8a1b1ce318cf99187",
    ),
    (
        "SHA-384",
        r#""b".repeat(112)"#,
        "b003f8ded297822e4acefca9d46dc977eaa4ff2ce1a629baafc4eef2e7b7eaf5224fd2b83e97398bdbc36345677f45f8",
    ),
    (
        "SHA-384",
        r#""c".repeat(128)"#,
        "a22f3f5bc8764a8d57307185e800b0255afa83366eeacaf789e25f8886b27bc4d8e180d79533476ba4415662c2df3a0a",
    ),
    (
        "SHA-384",
        r#""0123456789".repeat(100)"#,
        "a38444770a3b0811f193ca02b1de3291e79e51f7bad116ed7cf16c8c028a80561350974199f85d32f4e67d236440c925",
    ),
    (
        "SHA-512",
        r#""""#,
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
    ),
    (
        "SHA-512",
        r#""abc""#,
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    ),
    (
        "SHA-512",
        r#""a".repeat(55)"#,
        "b0220c772cbf6c1822e2cb38a437d0e1d58772417a4bbb21c961364f8b6143e05aa6316dca8d1d7b19e16448419076395f6086cb55101fbd6d5497b148e1745f",
    ),
    (
        "SHA-512",
        r#""a".repeat(56)"#,
        "962b64aae357d2a4fee3ded8b539bdc9d325081822b0bfc55583133aab44f18bafe11d72a7ae16c79ce2ba620ae2242d5144809161945f1367f41b3972e26e04",
    ),
    (
        "SHA-512",
        r#""a".repeat(64)"#,
        "01d35c10c6c38c2dcf48f7eebb3235fb5ad74a65ec4cd016e2354c637a8fb49b695ef3c1d6f7ae4cd74d78cc9c9bcac9d4f23a73019998a7f73038a5c9b2dbde",
    ),
    (
        "SHA-512",
        r#""b".repeat(111)"#,
        "419c4a5a61a60515b115bc4c67f412b9d5e3a9b044451cccf91fd9cf917ff1488c05942ea6598d2fc40183befd85786cff8ac0bcd5fd7fff666968a198f22e21",
    ),
    (
        "SHA-512",
        r#""b".repeat(112)"#,
        "fd29e3caf85c0e469f0f157a3d8dad942e776c4cf8fcd1e10fc5592af6024ade7e2c163a127cee9f6053311cae50c40d682260c8f1d4d2b63608a55a66e44f1d",
    ),
    (
        "SHA-512",
        r#""c".repeat(128)"#,
        "1cadae2171fd051aa72f31d7d11d232d867e9823e0da1fab3f40288c46c009aba8a378454514fa6756d00c1037ffbc32b3716df881569c545a2e190ce426c79b",
    ),
    (
        "SHA-512",
        r#""0123456789".repeat(100)"#,
        "0d12453640105df025424f8d339f9eb73b49c172d527294d47d078b2df8caa8d8d1e7cd27231442e18d03bc464d2b6c1bb3aa274fadfae4341d0fca44b3a48e1",
    ),
];

thread_local! {
    static ENGINE: RefCell<Box<dyn Engine>> = RefCell::new({
        let mut engine = probe_engine(EngineKind::QuickJs, HELPERS);
        let key: String = (0u8..32).map(|b| format!("{b:02x}")).collect();
        let mut ignored = Vec::new();
        engine
            .call("__bext_configure", &format!(r#"{{"seed":"{key}"}}"#), &mut ignored)
            .expect("configure");
        engine
    });
}

fn probe(expr: &str) -> String {
    let mut out = Vec::new();
    ENGINE
        .with(|engine| engine.borrow_mut().call("probe", expr, &mut out))
        .expect("probe runs");
    out.concat()
}

#[test]
fn crypto_matches_node() {
    // Order matters: the keystream is consumed from its start (one engine, one test).
    let first = probe("hex(crypto.getRandomValues(new Uint8Array(100)).buffer)");
    let rest = probe("hex(crypto.getRandomValues(new Uint8Array(50)).buffer)");
    assert_eq!(format!("{first}{rest}"), KEYSTREAM_HEX);

    let mut failures = Vec::new();
    for (algorithm, input, want) in DIGESTS {
        probe(&format!(
            "crypto.subtle.digest({algorithm:?}, bytes({input})).then(function (b) {{ globalThis.got = hex(b); }}, function (e) {{ globalThis.got = e.name; }})"
        ));
        let got = probe("got");
        if got != *want {
            failures.push(format!("{algorithm} of {input}: want {want}, got {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    for (expr, want) in [
        (
            "crypto.getRandomValues(new Float64Array(2))",
            "throws TypeMismatchError",
        ),
        (
            "crypto.getRandomValues(new Uint8Array(65537))",
            "throws QuotaExceededError",
        ),
        (
            "crypto.getRandomValues(new Uint32Array(16384)).length",
            "16384",
        ),
        (
            "/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID())",
            "true",
        ),
        ("crypto.randomUUID() !== crypto.randomUUID()", "true"),
    ] {
        assert_eq!(probe(expr), want, "{expr}");
    }
    probe(
        "crypto.subtle.digest('MD5', bytes('x')).then(null, function (e) { globalThis.got = e.name; })",
    );
    assert_eq!(probe("got"), "NotSupportedError");
    probe(
        "crypto.subtle.sign('HMAC', null, bytes('x')).then(null, function (e) { globalThis.got = e.name; })",
    );
    assert_eq!(probe("got"), "NotSupportedError");
}

#[test]
fn an_engine_without_a_seed_refuses_to_make_up_randomness() {
    let mut engine = probe_engine(EngineKind::QuickJs, HELPERS);
    let mut out = Vec::new();
    engine
        .call(
            "probe",
            "crypto.getRandomValues(new Uint8Array(4))",
            &mut out,
        )
        .expect("probe runs");
    assert_eq!(out, ["throws OperationError"]);
}

#[test]
fn renderers_seed_their_engines_from_the_os() {
    // Through the real renderer (which configures the seed): a page can draw random ids.
    let mut r = app(
        r#"
__bext_define("app/id/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => h('<p>' + crypto.randomUUID().length + '</p>') });
});
"#,
        &[page_route("app/id/page.tsx")],
    );
    let page = render(&mut r, get(1, 0, "/id"));
    assert_eq!(page.status, 200);
    assert!(body(&page).contains("<p>36</p>"), "{}", body(&page));
}
