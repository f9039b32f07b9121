//! The Autobahn testsuite's server cases 1–7 as byte scripts. Ids are Autobahn's; where a
//! case echoes, the script checks the event the echo would be made from instead (the realtime
//! hub answers nothing). Most scripts end with the client's close 1000, echoed.

use crate::client::*;

fn bye() -> Vec<u8> {
    close(1000, b"")
}

const BYE: &str = "close 1000 \"\"";

/// 1.x: text and binary messages of the sizes around each length encoding.
#[test]
fn framing_1() {
    for (id, size) in [
        ("1.1.1", 0),
        ("1.1.2", 125),
        ("1.1.3", 126),
        ("1.1.4", 127),
        ("1.1.5", 128),
        ("1.1.6", 65535),
        ("1.1.7", 65536),
    ] {
        let body = "*".repeat(size);
        let shown = if size <= 40 {
            format!("text {body:?}")
        } else {
            format!("text {size} bytes")
        };
        check(
            id,
            &script(&[text(&body), bye()]),
            &format!("{shown}\n{BYE}\n> close 1000\nclosed"),
        );
    }
    for (id, size) in [
        ("1.2.1", 0),
        ("1.2.2", 125),
        ("1.2.3", 126),
        ("1.2.4", 127),
        ("1.2.5", 128),
        ("1.2.6", 65535),
        ("1.2.7", 65536),
    ] {
        let body = vec![0xfe; size];
        check(
            id,
            &script(&[binary(&body), bye()]),
            &format!("binary {size} bytes\n{BYE}\n> close 1000\nclosed"),
        );
    }
}

/// 1.1.8 and 1.2.8: 65536 bytes fed in chunks of 997, and the message's bytes intact.
#[test]
fn framing_1_chunked_content() {
    let body: String = (0..65536)
        .map(|i| (b'a' + (i % 26) as u8) as char)
        .collect();
    let input = text(&body);
    let mut session = bext_net::ws::Session::new(Default::default(), None);
    let mut got = Vec::new();
    for chunk in input.chunks(997) {
        session.feed(chunk);
        while let Some(event) = session.poll_event() {
            got.push(event);
        }
    }
    assert_eq!(got, vec![bext_net::ws::Event::Text(body)]);
}

/// 2.x: pings are answered with their payload, pongs ignored, control frames over 125 bytes
/// refused.
#[test]
fn ping_pong_2() {
    check(
        "2.1",
        &script(&[ping(b""), bye()]),
        &format!("{BYE}\n> pong \"\"\n> close 1000\nclosed"),
    );
    check(
        "2.2",
        &script(&[ping(b"Hello, world!"), bye()]),
        &format!("{BYE}\n> pong \"Hello, world!\"\n> close 1000\nclosed"),
    );
    check(
        "2.3",
        &script(&[
            ping(&[0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]),
            bye(),
        ]),
        &format!("{BYE}\n> pong 8 bytes\n> close 1000\nclosed"),
    );
    check(
        "2.4",
        &script(&[ping(&[0xfe; 125]), bye()]),
        &format!("{BYE}\n> pong 125 bytes\n> close 1000\nclosed"),
    );
    check(
        "2.5",
        &script(&[ping(&[0xfe; 126]), bye()]),
        "failed 1002\n> close 1002\nclosed",
    );
    check(
        "2.7",
        &script(&[pong(b""), bye()]),
        &format!("{BYE}\n> close 1000\nclosed"),
    );
    check(
        "2.8",
        &script(&[pong(b"unsolicited pong payload"), bye()]),
        &format!("{BYE}\n> close 1000\nclosed"),
    );
    check(
        "2.9",
        &script(&[
            pong(b"unsolicited pong payload"),
            ping(b"ping payload"),
            bye(),
        ]),
        &format!("{BYE}\n> pong \"ping payload\"\n> close 1000\nclosed"),
    );
    let mut pings = Vec::new();
    let mut pongs = String::new();
    for i in 0..10 {
        pings.push(ping(format!("payload-{i}").as_bytes()));
        pongs += &format!("> pong \"payload-{i}\"\n");
    }
    pings.push(bye());
    check(
        "2.10",
        &script(&pings),
        &format!("{BYE}\n{pongs}> close 1000\nclosed"),
    );
}

/// 3.x: reserved bits with no extension to define them fail the connection, also after a
/// good message and on control frames.
#[test]
fn reserved_bits_3() {
    let cases: &[(&str, Vec<u8>, &str)] = &[
        ("3.1", frame(FIN | RSV3 | TEXT, b"Hello, world!"), ""),
        (
            "3.2",
            script(&[
                text("Hello, world!"),
                frame(FIN | RSV2 | TEXT, b"Hello, world!"),
                ping(b""),
            ]),
            "text \"Hello, world!\"\n",
        ),
        (
            "3.3",
            script(&[
                text("Hello, world!"),
                frame(FIN | RSV3 | RSV2 | TEXT, b"Hello, world!"),
                ping(b""),
            ]),
            "text \"Hello, world!\"\n",
        ),
        (
            "3.4",
            script(&[
                text("Hello, world!"),
                frame(FIN | RSV1 | TEXT, b"Hello, world!"),
                ping(b""),
            ]),
            "text \"Hello, world!\"\n",
        ),
        ("3.5", frame(FIN | RSV1 | RSV3 | BINARY, &[0xff; 8]), ""),
        ("3.6", frame(FIN | RSV1 | RSV2 | PING, b"Hello, world!"), ""),
        (
            "3.7",
            frame(FIN | RSV1 | RSV2 | RSV3 | CLOSE, &1000u16.to_be_bytes()),
            "",
        ),
    ];
    for (id, input, before) in cases {
        check(
            id,
            input,
            &format!("{before}failed 1002\n> close 1002\nclosed"),
        );
    }
}

/// 4.x: reserved opcodes, data (3–7) and control (11–15), alone or after a good message.
#[test]
fn reserved_opcodes_4() {
    for (i, opcode) in [3u8, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]
        .into_iter()
        .enumerate()
    {
        let id = format!("4.{}.x opcode {opcode}", 1 + i / 5);
        check(
            &id,
            &frame(FIN | opcode, b""),
            "failed 1002\n> close 1002\nclosed",
        );
        check(
            &id,
            &script(&[
                text("Hello, world!"),
                frame(FIN | opcode, b"reserved opcode payload"),
                ping(b""),
            ]),
            "text \"Hello, world!\"\nfailed 1002\n> close 1002\nclosed",
        );
    }
}

/// 5.x: fragmentation, control frames between fragments, continuations with nothing to
/// continue.
#[test]
fn fragmentation_5() {
    let failed = "failed 1002\n> close 1002\nclosed";
    check(
        "5.1",
        &script(&[frame(PING, b"fragment1"), frame(FIN, b"fragment2")]),
        failed,
    );
    check(
        "5.2",
        &script(&[frame(PONG, b"fragment1"), frame(FIN, b"fragment2")]),
        failed,
    );
    check(
        "5.3",
        &script(&[fragments(TEXT, &[b"fragment1", b"fragment2"]), bye()]),
        &format!("text \"fragment1fragment2\"\n{BYE}\n> close 1000\nclosed"),
    );
    check(
        "5.6",
        &script(&[
            frame(TEXT, b"fragment1"),
            ping(b"pongme!"),
            frame(FIN, b"fragment2"),
            bye(),
        ]),
        &format!("text \"fragment1fragment2\"\n{BYE}\n> pong \"pongme!\"\n> close 1000\nclosed"),
    );
    check(
        "5.9",
        &script(&[
            frame(FIN, b"non-continuation payload"),
            text("Hello, world!"),
        ]),
        failed,
    );
    check(
        "5.12",
        &script(&[frame(0, b"non-continuation payload"), text("Hello, world!")]),
        failed,
    );
    check(
        "5.15",
        &script(&[
            fragments(TEXT, &[b"fragment1", b"fragment2"]),
            frame(0, b"fragment3"),
            text("fragment4"),
        ]),
        &format!("text \"fragment1fragment2\"\n{failed}"),
    );
    check(
        "5.16",
        &script(&[
            frame(0, b"fragment1"),
            frame(TEXT, b"fragment2"),
            frame(FIN, b"fragment3"),
        ]),
        failed,
    );
    check(
        "5.18",
        &script(&[frame(TEXT, b"fragment1"), frame(FIN | TEXT, b"fragment2")]),
        failed,
    );
    let mut parts = Vec::new();
    for i in 1..=5 {
        let fin = if i == 5 { FIN } else { 0 };
        let op = if i == 1 { TEXT } else { 0 };
        parts.push(frame(fin | op, format!("fragment{i}").as_bytes()));
        if i < 5 {
            parts.push(ping(format!("pongme {i}!").as_bytes()));
        }
    }
    parts.push(bye());
    check(
        "5.19",
        &script(&parts),
        &format!(
            "text 45 bytes\n{BYE}\n\
             > pong \"pongme 1!\"\n> pong \"pongme 2!\"\n> pong \"pongme 3!\"\n> pong \"pongme 4!\"\n\
             > close 1000\nclosed"
        ),
    );
    // A fragmented binary message, empty fragments included.
    check(
        "5.x binary",
        &script(&[fragments(BINARY, &[b"", b"ab", b"", b"c"]), bye()]),
        &format!("binary 3 bytes\n{BYE}\n> close 1000\nclosed"),
    );
}

/// 6.x: text must be UTF-8, whole, fragmented at any byte, and fails at the first bad byte.
#[test]
fn utf8_6() {
    let valid = [
        ("6.1.1 empty", ""),
        (
            "6.2.1",
            "48656c6c6f2dc2b540c39fc3b6c3a4c3bcc3a0c3a12d5554462d382121",
        ),
        ("6.5.1 kosme", "cebae1bdb9cf83cebcceb5"),
        ("6.7.1", "00"),
        ("6.7.2", "c280"),
        ("6.7.3", "e0a080"),
        ("6.7.4", "f0908080"),
        ("6.9.1", "7f"),
        ("6.9.2", "dfbf"),
        ("6.9.3", "efbfbf"),
        ("6.9.4", "f48fbfbf"),
        ("6.11.1", "ed9fbf"),
        ("6.11.2", "ee8080"),
        ("6.11.3", "efbfbd"),
        ("6.11.4", "f48fbfbf"),
        ("6.22.1 non-character", "efbfbe"),
        ("6.22.2", "f09fbfbe"),
        ("6.22.34", "f48fbfbf"),
        ("6.23.1 replacement", "efbfbd"),
    ];
    for (id, bytes) in valid {
        let bytes = hex(bytes);
        let text = String::from_utf8(bytes.clone()).unwrap();
        let expect = format!("text {text:?}\n{BYE}\n> close 1000\nclosed");
        check(id, &script(&[text_bytes(&bytes), bye()]), &expect);
        // 6.2.3/6.2.4: the same message with every byte its own fragment.
        let parts: Vec<&[u8]> = bytes.chunks(1).collect();
        if !parts.is_empty() {
            check(id, &script(&[fragments(TEXT, &parts), bye()]), &expect);
        }
    }
    let invalid = [
        ("6.3.1", "cebae1bdb9cf83cebcceb5eda080656469746564"),
        ("6.8.1 five bytes", "f888808080"),
        ("6.8.2 six bytes", "fc8480808080"),
        ("6.10.1", "f7bfbfbf"),
        ("6.10.2", "fbbfbfbfbf"),
        ("6.10.3", "fdbfbfbfbfbf"),
        ("6.11.5 past U+10FFFF", "f4908080"),
        ("6.12.1 lone continuation", "80"),
        ("6.12.2", "bf"),
        ("6.12.3", "80bf"),
        ("6.12.8", "808080bf80bf80"),
        ("6.13.1 lonely start", "c020c120"),
        ("6.13.2", "e020e120"),
        ("6.14.1 last byte missing", "c0"),
        ("6.14.2", "e080"),
        ("6.14.3", "f08080"),
        ("6.14.6", "df"),
        ("6.14.7", "efbf"),
        ("6.14.8", "f7bfbf"),
        (
            "6.15.1 incomplete run",
            "c0e080f08080f8808080fc80808080dfefbff7bfbffbbfbfbffdbfbfbfbf",
        ),
        ("6.16.1 impossible", "fe"),
        ("6.16.2", "ff"),
        ("6.16.3", "fefeffff"),
        ("6.17.1 overlong /", "c0af"),
        ("6.17.2", "e080af"),
        ("6.17.3", "f08080af"),
        ("6.18.1 max overlong", "c1bf"),
        ("6.18.2", "e09fbf"),
        ("6.18.3", "f08fbfbf"),
        ("6.19.1 overlong NUL", "c080"),
        ("6.19.2", "e08080"),
        ("6.20.1 surrogate", "eda080"),
        ("6.20.2", "edadbf"),
        ("6.20.7", "edbfbf"),
        ("6.21.1 surrogate pair", "eda080edb080"),
        ("6.21.8", "edafbfedbfbf"),
        ("6.x text then bad end", "48656c6c6fc3"),
    ];
    let failed = "failed 1007\n> close 1007\nclosed";
    for (id, bytes) in invalid {
        let bytes = hex(bytes);
        check(id, &script(&[text_bytes(&bytes), bye()]), failed);
        // 6.3.2: fragmented at every byte.
        let parts: Vec<&[u8]> = bytes.chunks(1).collect();
        check(id, &script(&[fragments(TEXT, &parts), bye()]), failed);
    }
    // 6.2.2: a valid text split inside a character.
    check(
        "6.2.2",
        &script(&[
            fragments(TEXT, &[&hex("48656c6c6f2dc2"), &hex("b540c39fc3b6")]),
            bye(),
        ]),
        &format!("text \"Hello-µ@ßö\"\n{BYE}\n> close 1000\nclosed"),
    );
}

/// 6.4.x: fail fast. The connection fails at the fragment (6.4.1, 6.4.2) or at the run of a
/// frame's payload (6.4.3, 6.4.4) that holds the first invalid byte, before the rest arrives.
#[test]
fn utf8_fails_fast_6_4() {
    use bext_net::ws::{Event, Session};
    let fail = |session: &mut Session, bytes: &[u8]| -> Vec<Event> {
        session.feed(bytes);
        std::iter::from_fn(|| session.poll_event()).collect()
    };
    let failed_1007 = |events: &[Event]| matches!(events, [Event::Failed { code: 1007, .. }]);
    // 6.4.1: three fragments, the second holds U+110000.
    let mut session = Session::new(Default::default(), None);
    assert!(fail(&mut session, &frame(TEXT, &hex("cebae1bdb9cf83cebcceb5"))).is_empty());
    assert!(failed_1007(&fail(
        &mut session,
        &frame(0, &hex("f4908080"))
    )));
    // 6.4.2: the bad byte is the second fragment's only byte.
    let mut session = Session::new(Default::default(), None);
    assert!(fail(&mut session, &frame(TEXT, &hex("cebae1bdb9cf83cebcceb5f4"))).is_empty());
    assert!(failed_1007(&fail(&mut session, &frame(0, &hex("90")))));
    // 6.4.3: one frame, its payload sent in three runs; it fails in the second.
    for (first, second) in [
        ("cebae1bdb9cf83cebcceb5", "f4908080"),
        ("cebae1bdb9cf83cebcceb5f4", "90"),
    ] {
        let payload = hex(&format!("{first}{second}656469746564"));
        let whole = frame(FIN | TEXT, &payload);
        let head_len = whole.len() - payload.len();
        let cut = head_len + hex(first).len();
        let mut session = Session::new(Default::default(), None);
        assert!(fail(&mut session, &whole[..cut]).is_empty());
        let events = fail(&mut session, &whole[cut..cut + hex(second).len()]);
        assert!(failed_1007(&events), "6.4.3/4: {events:?}");
        assert!(session.is_closed());
    }
}

/// 7.x: the closing handshake.
#[test]
fn close_7() {
    let echo = |code: u16| format!("close {code} \"\"\n> close {code}\nclosed");
    check(
        "7.1.1",
        &script(&[text("Hello World!"), bye()]),
        &format!("text \"Hello World!\"\n{}", echo(1000)),
    );
    check("7.1.2 close twice", &script(&[bye(), bye()]), &echo(1000));
    check(
        "7.1.3 ping after close",
        &script(&[bye(), ping(b"")]),
        &echo(1000),
    );
    check(
        "7.1.4 text after close",
        &script(&[bye(), text("Hello World!")]),
        &echo(1000),
    );
    check(
        "7.1.5 close between fragments",
        &script(&[frame(TEXT, b"fragment1"), bye(), frame(FIN, b"fragment2")]),
        &echo(1000),
    );
    check(
        "7.3.1 empty close",
        &frame(FIN | CLOSE, b""),
        "close 1005 \"\"\n> close\nclosed",
    );
    check(
        "7.3.2 one byte",
        &frame(FIN | CLOSE, b"a"),
        "failed 1002\n> close 1002\nclosed",
    );
    check("7.3.3", &close(1000, b""), &echo(1000));
    check(
        "7.3.4 reason",
        &close(1000, b"Hello World!"),
        "close 1000 \"Hello World!\"\n> close 1000\nclosed",
    );
    let reason = "*".repeat(123);
    check(
        "7.3.5 123-byte reason",
        &close(1000, reason.as_bytes()),
        &format!("close 1000 {reason:?}\n> close 1000\nclosed"),
    );
    check(
        "7.3.6 124-byte reason",
        &close(1000, &[b'*'; 124]),
        "failed 1002\n> close 1002\nclosed",
    );
    check(
        "7.5.1 reason not UTF-8",
        &close(1000, &hex("cebae1bdb9cf83cebcceb5eda080656469746564")),
        "failed 1007\n> close 1007\nclosed",
    );
    for code in [
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000,
        4999,
    ] {
        check(
            &format!("7.7.x code {code}"),
            &close(code, b""),
            &echo(code),
        );
    }
    for code in [
        0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
    ] {
        check(
            &format!("7.9.x/7.13.x code {code}"),
            &close(code, b""),
            "failed 1002\n> close 1002\nclosed",
        );
    }
}

/// The server closes first: the client's answer ends the handshake; what the client sends in
/// between is dropped, pings unanswered, and nothing is sent after the close frame.
#[test]
fn server_initiated_close() {
    use bext_net::ws::{SendError, Session};
    let mut session = Session::new(Default::default(), None);
    session.close(1001, "going away");
    assert!(session.wants_close() && !session.is_closed());
    assert_eq!(session.send_text("late"), Err(SendError::Closing));
    session.feed(&script(&[
        text("dropped"),
        ping(b"unanswered"),
        close(1001, b""),
    ]));
    let events: Vec<_> = std::iter::from_fn(|| session.poll_event())
        .map(|e| render_event(&e))
        .collect();
    assert_eq!(events, ["close 1001 \"\""]);
    assert_eq!(
        render_output(&session.take_output(), None),
        ["> close 1001"]
    );
    assert!(session.is_closed());
}

/// A client frame must be masked (RFC 6455 §5.1); the server's never are.
#[test]
fn masking() {
    check(
        "unmasked text",
        &unmasked(FIN | TEXT, b"Hello"),
        "failed 1002\n> close 1002\nclosed",
    );
    check(
        "unmasked close",
        &unmasked(FIN | CLOSE, &1000u16.to_be_bytes()),
        "failed 1002\n> close 1002\nclosed",
    );
    let mut session = bext_net::ws::Session::new(Default::default(), None);
    session.send_text("Hello").unwrap();
    session.send_binary(&[1, 2, 3]).unwrap();
    session.send_ping(b"are you there").unwrap();
    assert_eq!(
        render_output(&session.take_output(), None),
        [
            "> text \"Hello\"",
            "> binary 3 bytes",
            "> ping \"are you there\""
        ]
    );
}
