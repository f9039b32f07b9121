//! 9.x and the session's bounds: a frame or message over its limit fails with 1009 as soon as
//! that is known; a full output refuses sends.

use bext_net::ws::{Config, SendError, Session};

use crate::client::*;

fn small() -> Config {
    Config {
        message_bytes_max: 1000,
        frame_bytes_max: 600,
        output_bytes_max: 2000,
    }
}

const TOO_BIG: &str = "failed 1009\n> close 1009\nclosed";

#[test]
fn message_and_frame_limits() {
    let config = small();
    check_with(
        config,
        "frame at the limit",
        &binary(&[7; 600]),
        "binary 600 bytes",
    );
    check_with(config, "frame over the limit", &binary(&[7; 601]), TOO_BIG);
    check_with(
        config,
        "message at the limit",
        &fragments(BINARY, &[&[7; 500], &[7; 500]]),
        "binary 1000 bytes",
    );
    check_with(
        config,
        "message over the limit",
        &fragments(BINARY, &[&[7; 500], &[7; 501]]),
        TOO_BIG,
    );
    let many: Vec<&[u8]> = std::iter::repeat_n(&[b'x'; 64][..], 16).collect();
    check_with(
        config,
        "9.3.x: many small fragments",
        &fragments(TEXT, &many),
        TOO_BIG,
    );
}

/// 9.1.4: a 4 MiB text frame fails at its head, before any payload arrives.
#[test]
fn frame_over_the_default_limit_fails_at_its_head() {
    let mut session = Session::new(Config::default(), None);
    session.feed(&head(FIN | TEXT, 4 << 20, true));
    let event = session.poll_event().map(|e| render_event(&e));
    assert_eq!(event.as_deref(), Some("failed 1009"));
    assert!(session.is_closed());
}

/// 9.1.3 and 9.2.3: a message of exactly the default limit, fed in 64 KiB reads.
#[test]
fn message_of_the_default_limit() {
    let limit = bext_core::limits::WS_MESSAGE_BYTES_MAX;
    let text = "a".repeat(limit);
    let input = script(&[crate::client::text(&text), close(1000, b"")]);
    assert_eq!(
        run(Config::default(), None, &input, Feed::Chunks(64 * 1024)),
        format!("text {limit} bytes\nclose 1000 \"\"\n> close 1000\nclosed")
    );
    let over = crate::client::text(&"a".repeat(limit + 1));
    assert_eq!(
        run(Config::default(), None, &over, Feed::Chunks(64 * 1024)),
        TOO_BIG
    );
}

/// Sends are refused once the unwritten output reaches its bound, and taken again once the
/// driver writes it; pongs are queued regardless.
#[test]
fn output_is_bounded() {
    let mut session = Session::new(small(), None);
    let mut sent = 0;
    while session.send_binary(&[0; 300]).is_ok() {
        sent += 1;
    }
    assert_eq!(sent, 7, "7 × 304 bytes reach 2000");
    assert!(session.is_output_full());
    assert_eq!(session.send_text("more"), Err(SendError::OutputFull));
    session.feed(&ping(b"still here"));
    assert_eq!(session.poll_event(), None);
    let written = session.take_output();
    assert_eq!(written.len(), 7 * 304 + 12);
    assert!(!session.is_output_full());
    session.recycle_output(written);
    assert!(session.send_text("more").is_ok());
    assert_eq!(
        render_output(&session.take_output(), None),
        ["> text \"more\""]
    );
}

/// A close reason longer than a control frame allows is cut at a character boundary.
#[test]
fn close_reason_is_cut_to_fit() {
    let mut session = Session::new(Config::default(), None);
    session.close(1000, &"é".repeat(100));
    let out = session.take_output();
    assert_eq!(out[1] as usize, 2 + 122, "61 two-byte characters");
    assert!(std::str::from_utf8(&out[4..]).is_ok());
}
