//! What the realtime endpoints read and write: the subscribe query, the publish body, and
//! Server-Sent Events frames.

use bytes::Bytes;
use serde::Deserialize;

use super::{Cursor, Event, parse_topics, topic_valid};
use crate::limits::{REALTIME_EVENT_BYTES_MAX, REALTIME_TOKEN_BYTES_MAX};

/// `GET /__bext/realtime/sse?topics=a,b&token=T&last_event_id=ID` (the token and the last
/// event id may come as `Authorization: Bearer` and `Last-Event-ID` instead: a browser's
/// `EventSource` can set neither, so the query carries them).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SubscribeQuery {
    pub topics: Vec<String>,
    pub token: Option<String>,
    pub last_event_id: Option<String>,
}

/// The subscribe query; `Err` says what is wrong (a 400's body).
pub fn parse_subscribe_query(query: &[u8]) -> Result<SubscribeQuery, String> {
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
    out.topics = topics.ok_or("no topics: `?topics=a,b`")?;
    Ok(out)
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
pub fn write_sse_event(out: &mut Vec<u8>, event: &Event, id: &Cursor) {
    out.extend_from_slice(b"id: ");
    id.write(out);
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

    #[test]
    fn subscribe_queries() {
        let q = parse_subscribe_query(b"topics=a%2Cb,c&token=v1.x.y&last_event_id=7%3Aa%3D1")
            .expect("valid");
        assert_eq!(q.topics, ["a", "b", "c"]);
        assert_eq!(q.token.as_deref(), Some("v1.x.y"));
        assert_eq!(q.last_event_id.as_deref(), Some("7:a=1"));
        assert!(parse_subscribe_query(b"token=x").is_err());
        assert!(parse_subscribe_query(b"topics=a%20b").is_err());
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
        write_sse_event(&mut out, &event, &id);
        assert_eq!(out, b"id: 7:t=3\nevent: msg\ndata: one\ndata: two\n\n");
        assert_eq!(
            ws_event_json(&event, "7:t=3"),
            r#"{"data":"one\ntwo","event":"msg","id":"7:t=3","topic":"t"}"#
        );
    }
}
