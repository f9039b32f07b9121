//! What the realtime endpoints read and write: the subscribe query, the publish body, and
//! Server-Sent Events frames.

use bytes::Bytes;
use serde::Deserialize;

use super::{Event, parse_topics, topic_valid};
use crate::limits::{
    REALTIME_COMMAND_BYTES_MAX, REALTIME_EVENT_BYTES_MAX, REALTIME_TOKEN_BYTES_MAX,
};

/// `GET /__bext/realtime/sse?topics=a,b&token=T&last_event_id=ID` (the token and the last
/// event id may come as `Authorization: Bearer` and `Last-Event-ID` instead: a browser's
/// `EventSource` can set neither, so the query carries them).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SubscribeQuery {
    pub topics: Vec<String>,
    pub token: Option<String>,
    pub last_event_id: Option<String>,
}

/// The subscribe query; `Err` says what is wrong (a 400's body). `topics_needed`: an SSE
/// subscriber must name its topics; a WebSocket one may name none and subscribe later by
/// command ([`parse_command`]).
pub fn parse_subscribe_query(query: &[u8], topics_needed: bool) -> Result<SubscribeQuery, String> {
    let mut topics = None;
    let mut out = SubscribeQuery::default();
    for (name, value) in form_urlencoded::parse(query) {
        match name.as_ref() {
            "topics" => topics = Some(parse_topics(&value)?),
            "token" if value.len() <= REALTIME_TOKEN_BYTES_MAX => out.token = Some(value.into()),
            "token" => return Err("token too long".into()),
            "last_event_id" if value.len() <= REALTIME_TOKEN_BYTES_MAX => {
                out.last_event_id = Some(value.into());
            }
            _ => {}
        }
    }
    out.topics = match topics {
        Some(topics) => topics,
        None if topics_needed => return Err("no topics: `?topics=a,b`".into()),
        None => Vec::new(),
    };
    Ok(out)
}

/// What a WebSocket subscriber asks of its socket, as a text message.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// `{"type": "subscribe", "topics": [...], "token"?, "last_event_id"?}`: more topics,
    /// allowed by `token` (or the one the socket opened with), resumed after
    /// `last_event_id` when given.
    Subscribe {
        topics: Vec<String>,
        token: Option<String>,
        last_event_id: Option<String>,
    },
    /// `{"type": "unsubscribe", "topics": [...]}`.
    Unsubscribe { topics: Vec<String> },
}

/// A command and the `ref` the client gave it (a string or a number, echoed in the answer
/// so the client can match them).
#[derive(Debug, PartialEq, Eq)]
pub struct CommandMessage {
    pub command: Command,
    pub reference: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandBody {
    #[serde(rename = "type")]
    kind: String,
    topics: Vec<String>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    last_event_id: Option<String>,
    #[serde(default, rename = "ref")]
    _reference: Option<serde_json::Value>,
}

/// A subscriber's text message as a command; `Err` with what is wrong and the message's
/// `ref`, if it had one to echo.
pub fn parse_command(text: &str) -> Result<CommandMessage, (String, Option<serde_json::Value>)> {
    if text.len() > REALTIME_COMMAND_BYTES_MAX {
        return Err((
            format!("a command is at most {REALTIME_COMMAND_BYTES_MAX} bytes"),
            None,
        ));
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| (format!("not a JSON command: {e}"), None))?;
    let reference = value
        .get("ref")
        .filter(|r| r.is_string() || r.is_number())
        .cloned();
    let fail = |why: String| (why, reference.clone());
    if value.get("ref").is_some() && reference.is_none() {
        return Err(fail("`ref` is a string or a number".into()));
    }
    let body: CommandBody = serde_json::from_value(value).map_err(|e| {
        fail(format!(
            "not a command ({{\"type\": \"subscribe\" or \"unsubscribe\", \"topics\": [...]}}): {e}"
        ))
    })?;
    let topics = parse_topics(&body.topics.join(",")).map_err(fail)?;
    if let Some(bad) = body.topics.iter().find(|t| t.contains(',')) {
        return Err(fail(format!("`{}` is not a topic", bad.escape_debug())));
    }
    let too_long = |field: &Option<String>| {
        field
            .as_ref()
            .is_some_and(|v| v.len() > REALTIME_TOKEN_BYTES_MAX)
    };
    if too_long(&body.token) || too_long(&body.last_event_id) {
        return Err(fail("token or last_event_id too long".into()));
    }
    let command = match body.kind.as_str() {
        "subscribe" => Command::Subscribe {
            topics,
            token: body.token,
            last_event_id: body.last_event_id,
        },
        "unsubscribe" if body.token.is_none() && body.last_event_id.is_none() => {
            Command::Unsubscribe { topics }
        }
        "unsubscribe" => return Err(fail("an unsubscribe takes topics only".into())),
        other => {
            return Err(fail(format!(
                "`{}` is not a command: subscribe or unsubscribe",
                other.escape_debug()
            )));
        }
    };
    Ok(CommandMessage { command, reference })
}

/// The answer to a command that was done: `{"type": "subscribed" | "unsubscribed",
/// "topics": [the socket's topics now], "ref"?}`.
pub fn command_done_json(
    kind: &str,
    topics: &[String],
    reference: Option<&serde_json::Value>,
) -> String {
    let mut doc = serde_json::Map::new();
    doc.insert("type".into(), kind.into());
    doc.insert("topics".into(), topics.to_vec().into());
    if let Some(reference) = reference {
        doc.insert("ref".into(), reference.clone());
    }
    serde_json::Value::Object(doc).to_string()
}

/// The answer to a command that was refused (the socket stays open): `{"type": "error",
/// "message", "ref"?}`.
pub fn command_error_json(message: &str, reference: Option<&serde_json::Value>) -> String {
    let mut doc = serde_json::Map::new();
    doc.insert("type".into(), "error".into());
    doc.insert("message".into(), message.into());
    if let Some(reference) = reference {
        doc.insert("ref".into(), reference.clone());
    }
    serde_json::Value::Object(doc).to_string()
}

/// A publish, as `POST /__bext/realtime/publish` takes it.
#[derive(Debug, PartialEq, Eq)]
pub struct Published {
    pub topic: String,
    /// The SSE event name (`event:`), if given.
    pub name: Option<String>,
    /// The text subscribers get: the body's `data` if it is a string, else that JSON value
    /// written compactly. Line breaks of any kind are LF.
    pub data: Bytes,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishBody {
    topic: String,
    data: serde_json::Value,
    #[serde(default)]
    event: Option<String>,
}

/// The publish body `{"topic": "chat.42", "data": …, "event": "message"}`; `Err` says what
/// is wrong.
pub fn parse_publish(body: &[u8]) -> Result<Published, String> {
    let parsed: PublishBody = serde_json::from_slice(body).map_err(|e| {
        format!("the body is not a publish ({{\"topic\", \"data\", \"event\"?}}): {e}")
    })?;
    let text = match parsed.data {
        serde_json::Value::String(text) => text,
        other => other.to_string(),
    };
    checked(parsed.topic, parsed.event, text)
}

/// An event app code published (`bext/realtime`'s `publish`), as its render's answer carries
/// it: JSON `["topic", "data"]` or `["topic", "data", "event"]`; checked as a publish body
/// is.
pub fn parse_app_publish(field: &str) -> Result<Published, String> {
    let parts: Vec<String> =
        serde_json::from_str(field).map_err(|e| format!("not a published event: {e}"))?;
    let mut parts = parts.into_iter();
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(topic), Some(data), event, None) => checked(topic, event, data),
        _ => Err("not a published event: [topic, data, event?]".into()),
    }
}

fn checked(topic: String, name: Option<String>, text: String) -> Result<Published, String> {
    if !topic_valid(&topic) {
        return Err(format!("`{}` is not a topic", topic.escape_debug()));
    }
    if let Some(name) = &name
        && !topic_valid(name)
    {
        return Err(format!(
            "`{}` is not an event name (the characters of a topic)",
            name.escape_debug()
        ));
    }
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if text.len() > REALTIME_EVENT_BYTES_MAX {
        return Err(format!(
            "data of {} bytes: at most {REALTIME_EVENT_BYTES_MAX}",
            text.len()
        ));
    }
    Ok(Published {
        topic,
        name,
        data: Bytes::from(text),
    })
}

/// Appends `event` as an SSE frame with `id` (the subscriber's cursor after it): `id:`,
/// `event:` if named, one `data:` line per line of its text, a blank line.
pub fn write_sse_event(out: &mut Vec<u8>, event: &Event, id: &[u8]) {
    out.extend_from_slice(b"id: ");
    out.extend_from_slice(id);
    out.push(b'\n');
    if let Some(name) = &event.name {
        out.extend_from_slice(b"event: ");
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
    }
    for line in event.data.split(|&b| b == b'\n') {
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.push(b'\n');
}

/// `event` as a WebSocket text message: JSON `{"data", "event"?, "id", "topic"}` (`id` the
/// subscriber's cursor after it, `data` the text as published).
pub fn ws_event_json(event: &Event, id: &str) -> String {
    let mut doc = serde_json::Map::new();
    doc.insert("topic".into(), event.topic.clone().into());
    doc.insert("id".into(), id.into());
    if let Some(name) = &event.name {
        doc.insert("event".into(), name.clone().into());
    }
    doc.insert(
        "data".into(),
        String::from_utf8_lossy(&event.data).into_owned().into(),
    );
    serde_json::Value::Object(doc).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::REALTIME_TOPICS_PER_SUBSCRIPTION_MAX;
    use crate::realtime::Cursor;

    #[test]
    fn subscribe_queries() {
        let q = parse_subscribe_query(b"topics=a%2Cb,c&token=v1.x.y&last_event_id=7%3Aa%3D1", true)
            .expect("valid");
        assert_eq!(q.topics, ["a", "b", "c"]);
        assert_eq!(q.token.as_deref(), Some("v1.x.y"));
        assert_eq!(q.last_event_id.as_deref(), Some("7:a=1"));
        assert!(parse_subscribe_query(b"token=x", true).is_err());
        assert!(parse_subscribe_query(b"topics=a%20b", true).is_err());
        // A WebSocket may open with no topics (and subscribe by command).
        let q = parse_subscribe_query(b"token=x", false).expect("valid");
        assert!(q.topics.is_empty());
        assert!(parse_subscribe_query(b"topics=a%20b", false).is_err());
    }

    #[test]
    fn commands_are_subscribe_or_unsubscribe_with_topics_and_refused_otherwise() {
        let subscribe =
            |topics: &[&str], token: Option<&str>, last: Option<&str>| Command::Subscribe {
                topics: topics.iter().map(|t| t.to_string()).collect(),
                token: token.map(str::to_owned),
                last_event_id: last.map(str::to_owned),
            };
        let good: [(&str, Command, Option<serde_json::Value>); 4] = [
            (
                r#"{"type":"subscribe","topics":["a","b","a"]}"#,
                subscribe(&["a", "b"], None, None),
                None,
            ),
            (
                r#"{"type":"subscribe","topics":["a"],"token":"v1.x.y","last_event_id":"7:a=1","ref":3}"#,
                subscribe(&["a"], Some("v1.x.y"), Some("7:a=1")),
                Some(3.into()),
            ),
            (
                r#"{"type":"unsubscribe","topics":["a"],"ref":"r1"}"#,
                Command::Unsubscribe {
                    topics: vec!["a".into()],
                },
                Some("r1".into()),
            ),
            (
                r#"{"ref":"x","topics":["chat.42"],"type":"unsubscribe"}"#,
                Command::Unsubscribe {
                    topics: vec!["chat.42".into()],
                },
                Some("x".into()),
            ),
        ];
        for (text, command, reference) in good {
            assert_eq!(
                parse_command(text),
                Ok(CommandMessage { command, reference }),
                "{text}"
            );
        }
        let many: Vec<String> = (0..=REALTIME_TOPICS_PER_SUBSCRIPTION_MAX)
            .map(|n| format!("\"t{n}\""))
            .collect();
        let too_many = format!(
            r#"{{"type":"subscribe","topics":[{}],"ref":9}}"#,
            many.join(",")
        );
        let bad: [(&str, Option<serde_json::Value>); 10] = [
            ("hello", None),
            (
                r#"{"type":"publish","topics":["a"],"ref":"p"}"#,
                Some("p".into()),
            ),
            (r#"{"type":"subscribe"}"#, None),
            (r#"{"type":"subscribe","topics":[]}"#, None),
            (r#"{"type":"subscribe","topics":["a b"]}"#, None),
            (r#"{"type":"subscribe","topics":["a,b"]}"#, None),
            (
                r#"{"type":"subscribe","topics":["a"],"extra":1,"ref":2}"#,
                Some(2.into()),
            ),
            (r#"{"type":"unsubscribe","topics":["a"],"token":"t"}"#, None),
            (r#"{"type":"subscribe","topics":["a"],"ref":{"o":1}}"#, None),
            (&too_many, Some(9.into())),
        ];
        for (text, reference) in bad {
            match parse_command(text) {
                Err((_, echoed)) => assert_eq!(echoed, reference, "{text}"),
                Ok(parsed) => panic!("{text} parsed as {parsed:?}"),
            }
        }
        let long = format!(
            r#"{{"type":"subscribe","topics":["{}"]}}"#,
            "a".repeat(REALTIME_COMMAND_BYTES_MAX)
        );
        assert!(parse_command(&long).is_err());
        assert_eq!(
            command_done_json("subscribed", &["a".into()], Some(&3.into())),
            r#"{"ref":3,"topics":["a"],"type":"subscribed"}"#
        );
        assert_eq!(
            command_error_json("no", None),
            r#"{"message":"no","type":"error"}"#
        );
    }

    #[test]
    fn publishes_take_text_or_json_and_refuse_the_rest() {
        let p = parse_publish(br#"{"topic":"chat.1","data":"hi\r\nthere","event":"msg"}"#)
            .expect("valid");
        assert_eq!(
            p,
            Published {
                topic: "chat.1".into(),
                name: Some("msg".into()),
                data: Bytes::from_static(b"hi\nthere"),
            }
        );
        let p = parse_publish(br#"{"topic":"t","data":{"n":1}}"#).expect("valid");
        assert_eq!(p.data, Bytes::from_static(br#"{"n":1}"#));
        for bad in [
            &br#"{"topic":"t"}"#[..],
            br#"{"topic":"a b","data":1}"#,
            br#"{"topic":"t","data":1,"event":"x\ny"}"#,
            br#"{"topic":"t","data":1,"extra":2}"#,
            b"not json",
        ] {
            assert!(
                parse_publish(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let big = format!(
            r#"{{"topic":"t","data":"{}"}}"#,
            "x".repeat(REALTIME_EVENT_BYTES_MAX + 1)
        );
        assert!(parse_publish(big.as_bytes()).is_err());
    }

    #[test]
    fn app_publishes_are_checked_like_publish_bodies() {
        let p = parse_app_publish(r#"["chat.1","hi","say"]"#).expect("valid");
        assert_eq!(
            (p.topic.as_str(), p.name.as_deref(), &p.data[..]),
            ("chat.1", Some("say"), &b"hi"[..])
        );
        assert!(parse_app_publish(r#"["chat.1","hi"]"#).is_ok());
        for bad in [
            r#"["a b","x"]"#,
            r#"["t"]"#,
            r#"["t","x","e","more"]"#,
            "{}",
        ] {
            assert!(parse_app_publish(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sse_frames_have_an_id_a_name_and_a_data_line_per_line() {
        let mut out = Vec::new();
        let event = Event {
            topic: "t".into(),
            seq: 3,
            name: Some("msg".into()),
            data: Bytes::from_static(b"one\ntwo"),
        };
        let mut id = Cursor::new(7, &["t".to_owned()]);
        id.advance(&event);
        write_sse_event(&mut out, &event, id.text().as_bytes());
        assert_eq!(out, b"id: 7:t=3\nevent: msg\ndata: one\ndata: two\n\n");
        assert_eq!(
            ws_event_json(&event, "7:t=3"),
            r#"{"data":"one\ntwo","event":"msg","id":"7:t=3","topic":"t"}"#
        );
    }
}
