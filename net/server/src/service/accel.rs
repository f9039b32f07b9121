//! `X-Accel-Redirect`: an application behind the proxy or FastCGI decides that a client may
//! have a file, and bext sends it, as nginx does. The application answers with the field
//! naming a path of the site (`X-Accel-Redirect: /protected/report.pdf`); its own body is
//! dropped and the path is served from the site's files as a `GET` (a `HEAD` stays one)
//! with the client's conditions and ranges, whether or not the path is one of the site's
//! `internal` ones, which clients cannot ask for themselves.
//!
//! The file's answer keeps the application's `Set-Cookie`, `Content-Disposition`,
//! `Cache-Control` and `Expires` (the fields nginx carries over); its type, length and
//! validators are the file's. A value that is not a path (no leading `/`) is the
//! application's error: 502, logged. The redirect is followed once: the file's answer is
//! final.

use std::rc::Rc;
use std::time::Instant;

use bext_net::fields::Field;

use super::route::Route;
use super::{Request, Response, Service, static_files};

/// The field that asks for the redirect.
const ACCEL_REDIRECT: &[u8] = b"x-accel-redirect";

/// The application's fields the file's answer keeps.
const KEPT: [&[u8]; 4] = [
    b"set-cookie",
    b"content-disposition",
    b"cache-control",
    b"expires",
];

/// `response`, or the file it redirects to.
pub(super) async fn follow(
    service: &Rc<Service>,
    route: &Route,
    request: &Request<'_>,
    response: Response,
    now: Instant,
) -> Response {
    let Some(value) = response
        .fields
        .iter()
        .find(|f| f.name().eq_ignore_ascii_case(ACCEL_REDIRECT))
        .map(|f| f.value().to_vec())
    else {
        return response;
    };
    if value.first() != Some(&b'/') {
        eprintln!(
            "bext: {} {}: X-Accel-Redirect `{}` is not a path of the site",
            String::from_utf8_lossy(request.method_bytes),
            String::from_utf8_lossy(request.target).escape_debug(),
            String::from_utf8_lossy(&value).escape_debug(),
        );
        return Response::error(502);
    }
    let kept: Vec<Field> = response
        .fields
        .iter()
        .filter(|f| KEPT.iter().any(|k| f.name().eq_ignore_ascii_case(k)))
        .cloned()
        .collect();
    // The application's body is not sent: dropping it closes (or pools) its connection.
    drop(response);
    let (path, query) = match value.iter().position(|&b| b == b'?') {
        Some(at) => (&value[..at], Some(&value[at + 1..])),
        None => (&value[..], None),
    };
    let internal = request.redirected(&value, path, query);
    let mut file = match static_files::hit(service, route, &internal, now) {
        Some(answer) => answer,
        None => static_files::miss(service, route, &internal, now).await,
    };
    if !kept.is_empty() {
        replace_fields(&mut file, kept);
    }
    file
}

/// `kept` in `response`, in place of any of the same name.
fn replace_fields(response: &mut Response, kept: Vec<Field>) {
    let named = |f: &Field| kept.iter().any(|k| k.name().eq_ignore_ascii_case(f.name()));
    if let Some(shared) = response.shared.take() {
        let own = std::mem::take(&mut response.fields);
        response
            .fields
            .extend(shared.fields().iter().filter(|f| !named(f)).cloned());
        response.fields.extend(own);
    }
    response.fields.retain(|f| !named(f));
    response.fields.extend(kept);
}
