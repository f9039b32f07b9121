//! `POST /__bext/realtime/publish` with `Authorization: Bearer <publish_token>` and
//! `{"topic": "chat.42", "data": …, "event": "message"}`: 202 once the event is on its way
//! to its topic's owner shard.

use std::rc::Rc;

use bext_core::isr::token_matches;
use bext_core::realtime::wire::parse_publish;
use bext_net::Method;

use super::super::route::Route;
use super::super::{Request, Response, Service};

pub(crate) fn publish(service: &Rc<Service>, route: &Route, request: &Request<'_>) -> Response {
    let Some(config) = route.state.snapshot.config.realtime.as_ref() else {
        return Response::error(404);
    };
    if request.method != Method::Post {
        return answer(405, "publish with POST");
    }
    let Some(token) = config.publish_token.as_deref() else {
        return answer(
            404,
            "no [realtime] publish_token is configured: publishing over HTTP is off",
        );
    };
    let presented = super::super::ops::bearer(request).unwrap_or_default();
    if !token_matches(token.as_bytes(), presented) {
        return answer(401, "bad or missing bearer token");
    }
    match parse_publish(request.body.unwrap_or_default()) {
        Ok(published) => {
            service.realtime_publish(published);
            answer(202, "accepted")
        }
        Err(why) => answer(400, &why),
    }
}

fn answer(status: u16, text: &str) -> Response {
    Response::bytes(
        status,
        "application/json",
        format!(
            "{{\"status\":{status},\"message\":{}}}\n",
            json_string(text)
        ),
    )
}

/// `text` as a JSON string.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
