//! The opening handshake: `ws::accept` on a request's fields, one `check` per rule.

use bext_net::ws::{accept, accept_connect, accept_key_for, client_key};

/// Renders `accept`'s outcome: the accept key and extension answer, or the status.
fn render(method: &str, fields: &[(&str, &str)], deflate: bool) -> String {
    match accept(method.as_bytes(), fields.iter().copied(), deflate) {
        Ok(accepted) => {
            let mut out = accepted.accept_key.clone().unwrap_or_default();
            if let Some(deflate) = accepted.deflate {
                out += &format!(" ext={}", deflate.response_value());
            }
            out
        }
        Err(error) => format!("{} {error:?}", error.status()),
    }
}

const KEY: (&str, &str) = ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");

fn check(method: &str, fields: &[(&str, &str)], expect: &str) {
    assert_eq!(render(method, fields, true), expect, "{method} {fields:?}");
}

fn base() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Host", "example.com"),
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        KEY,
        ("Sec-WebSocket-Version", "13"),
    ]
}

fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut fields = base();
    fields.extend_from_slice(extra);
    fields
}

fn without(name: &str) -> Vec<(&'static str, &'static str)> {
    base().into_iter().filter(|(n, _)| *n != name).collect()
}

#[test]
fn handshake_rules() {
    // RFC 6455 §1.3's example.
    check("GET", &base(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    check(
        "GET",
        &[
            ("upgrade", "WebSocket"),
            ("connection", "keep-alive, Upgrade"),
            KEY,
            ("sec-websocket-version", " 13 "),
        ],
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    );
    check("POST", &base(), "405 Method");
    check("GET", &without("Upgrade"), "426 NotUpgrade");
    check(
        "GET",
        &with(&[])
            .into_iter()
            .map(|(n, v)| if n == "Upgrade" { (n, "h2c") } else { (n, v) })
            .collect::<Vec<_>>(),
        "426 NotUpgrade",
    );
    check("GET", &without("Connection"), "400 Connection");
    check("GET", &without("Sec-WebSocket-Version"), "426 Version");
    check("GET", &without("Sec-WebSocket-Key"), "400 Key");
    let mut version_8 = without("Sec-WebSocket-Version");
    version_8.push(("Sec-WebSocket-Version", "8"));
    check("GET", &version_8, "426 Version");
    check(
        "GET",
        &with(&[("Sec-WebSocket-Version", "13")]),
        "426 Version",
    );
    check("GET", &with(&[KEY]), "400 Key");
    for bad in [
        "dGhlIHNhbXBsZSBub25jZQ",
        "dGhlIHNhbXBsZSBub25jZQ=",
        "dGhlIHNhbXBsZSBub25j*Q==",
        "dGhlIHNhbXBsZSBub25jZQdGhl==",
    ] {
        let mut fields = without("Sec-WebSocket-Key");
        fields.push(("Sec-WebSocket-Key", bad));
        check("GET", &fields, "400 Key");
    }
}

#[test]
fn handshake_error_answers() {
    let error = accept(b"GET", without("Sec-WebSocket-Version"), false).unwrap_err();
    let fields: Vec<_> = error.fields().iter().map(|f| format!("{f:?}")).collect();
    assert_eq!(fields, ["sec-websocket-version: 13"]);
    let accepted = accept(
        b"GET",
        with(&[("Sec-WebSocket-Extensions", "permessage-deflate")]),
        true,
    )
    .unwrap();
    let fields: Vec<_> = accepted.fields().iter().map(|f| format!("{f:?}")).collect();
    assert_eq!(
        fields,
        [
            "upgrade: websocket",
            "connection: upgrade",
            "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            "sec-websocket-extensions: permessage-deflate"
        ]
    );
}

/// RFC 7692 §5 and §7.1: the first acceptable offer wins; a bad parameter declines its offer.
#[test]
fn deflate_negotiation() {
    let key = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    let cases = [
        ("permessage-deflate", "permessage-deflate"),
        (
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate",
        ),
        (
            "permessage-deflate; client_max_window_bits=10",
            "permessage-deflate",
        ),
        (
            "permessage-deflate; server_no_context_takeover",
            "permessage-deflate; server_no_context_takeover",
        ),
        (
            "permessage-deflate; client_no_context_takeover",
            "permessage-deflate; client_no_context_takeover",
        ),
        (
            "permessage-deflate; server_max_window_bits=10",
            "permessage-deflate; server_max_window_bits=10",
        ),
        (
            "permessage-deflate; server_max_window_bits=\"12\"",
            "permessage-deflate; server_max_window_bits=12",
        ),
        // 13.3.x/13.5.x: a window of 256 bytes is one zlib cannot compress with: declined.
        ("permessage-deflate; server_max_window_bits=8", ""),
        (
            "permessage-deflate; server_max_window_bits=8, permessage-deflate",
            "permessage-deflate",
        ),
        ("permessage-deflate; server_max_window_bits", ""),
        ("permessage-deflate; server_max_window_bits=16", ""),
        ("permessage-deflate; server_max_window_bits=09", ""),
        ("permessage-deflate; client_max_window_bits=7", ""),
        (
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "",
        ),
        ("permessage-deflate; server_no_context_takeover=1", ""),
        ("permessage-deflate; mystery", ""),
        (
            "x-webkit-deflate-frame, permessage-deflate; client_max_window_bits",
            "permessage-deflate",
        ),
        (
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9",
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9",
        ),
    ];
    for (offer, answer) in cases {
        let expect = if answer.is_empty() {
            key.to_string()
        } else {
            format!("{key} ext={answer}")
        };
        check(
            "GET",
            &with(&[("Sec-WebSocket-Extensions", offer)]),
            &expect,
        );
    }
    // Split over two fields, and refused when the server does not compress.
    check(
        "GET",
        &with(&[
            ("Sec-WebSocket-Extensions", "foo"),
            ("Sec-WebSocket-Extensions", "permessage-deflate"),
        ]),
        &format!("{key} ext=permessage-deflate"),
    );
    assert_eq!(
        render(
            "GET",
            &with(&[("Sec-WebSocket-Extensions", "permessage-deflate")]),
            false
        ),
        key
    );
}

/// A request's fields, as a test case writes them.
type Fields<'a> = &'a [(&'a str, &'a str)];

/// Renders `accept_connect`'s outcome as `render` does, with the status first.
fn render_connect(fields: &[(&str, &str)], deflate: bool) -> String {
    match accept_connect(fields.iter().copied(), deflate) {
        Ok(accepted) => {
            let mut out = accepted.status().to_string();
            for field in accepted.fields() {
                out += &format!(
                    " {}={}",
                    String::from_utf8_lossy(field.name()),
                    String::from_utf8_lossy(field.value())
                );
            }
            out
        }
        Err(error) => format!("{} {error:?}", error.status()),
    }
}

#[test]
fn extended_connect_rules() {
    // RFC 8441 §5: the version as over HTTP/1.1, no key, no Upgrade or Connection.
    let cases: &[(Fields, bool, &str)] = &[
        (&[("sec-websocket-version", "13")], true, "200"),
        (&[], true, "426 Version"),
        (&[("sec-websocket-version", "8")], true, "426 Version"),
        (
            &[
                ("sec-websocket-version", "13"),
                ("sec-websocket-version", "13"),
            ],
            true,
            "426 Version",
        ),
        // A key sent anyway is not answered: there is no 101 to carry it.
        (&[("sec-websocket-version", "13"), KEY], true, "200"),
        (
            &[
                ("sec-websocket-version", "13"),
                (
                    "sec-websocket-extensions",
                    "permessage-deflate; client_max_window_bits",
                ),
            ],
            true,
            "200 sec-websocket-extensions=permessage-deflate",
        ),
        (
            &[
                ("sec-websocket-version", "13"),
                ("sec-websocket-extensions", "permessage-deflate"),
            ],
            false,
            "200",
        ),
    ];
    for (fields, deflate, expect) in cases {
        assert_eq!(render_connect(fields, *deflate), *expect, "{fields:?}");
    }
}

#[test]
fn a_client_key_is_one_the_server_side_accepts() {
    let key = client_key();
    let fields = [
        ("upgrade", "websocket"),
        ("connection", "upgrade"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", key.as_str()),
    ];
    let accepted = accept(b"GET", fields, false).expect("a generated key is well formed");
    assert_eq!(accepted.accept_key, Some(accept_key_for(key.as_bytes())));
    assert_ne!(client_key(), key, "each key is new");
    // RFC 6455 §1.3's example.
    assert_eq!(
        accept_key_for(b"dGhlIHNhbXBsZSBub25jZQ=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}
