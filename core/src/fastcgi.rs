//! `[site.fastcgi]`'s decisions, sans-I/O: which script a path names, and the CGI
//! parameters (RFC 3875 §4.1, plus what PHP-FPM reads) a request is run with.
//!
//! A path names a script when one of its segments ends in a script extension (`.php`):
//! that segment and those before it are `SCRIPT_NAME`, what follows is `PATH_INFO`, as
//! nginx's `fastcgi_split_path_info ^(.+\.php)(/.+)$` has it. Paths arrive decoded and
//! normalised by [`crate::static_files::resolve_path`], so a script is always beneath the
//! site root.

/// The script a request runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// `/blog/index.php`: the script's path from the site root, decoded.
    pub name: String,
    /// `/2024/hello` of `/blog/index.php/2024/hello`; empty when nothing follows.
    pub path_info: String,
}

/// The script `rel` (a [`SafePath`](crate::static_files::SafePath)'s `rel`, no leading
/// `/`) names: its first segment ending in `.EXT` for one of `extensions`.
pub fn script(rel: &str, extensions: &[String]) -> Option<Script> {
    let mut end = 0;
    for segment in rel.split('/') {
        end += segment.len();
        let named = segment.rsplit_once('.').is_some_and(|(stem, ext)| {
            !stem.is_empty() && extensions.iter().any(|e| e.eq_ignore_ascii_case(ext))
        });
        if named {
            return Some(Script {
                name: format!("/{}", &rel[..end]),
                path_info: rel[end..].to_owned(),
            });
        }
        end += 1;
    }
    None
}

/// What a request's CGI parameters are made of.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a [u8],
    /// The request-target as sent (`REQUEST_URI`): a front controller reads the original
    /// path from it.
    pub target: &'a [u8],
    pub query: &'a [u8],
    /// `HTTP/1.1`, `HTTP/2.0`, `HTTP/3.0`.
    pub protocol: &'a str,
    pub headers: &'a [(&'a [u8], &'a [u8])],
    pub body_len: usize,
    pub remote_addr: &'a str,
    pub remote_port: u16,
    pub server_addr: &'a str,
    pub server_port: u16,
    /// The Host without its port.
    pub server_name: &'a [u8],
    pub https: bool,
}

/// The parameters for running `script` from `document_root` for `request`.
pub fn params(
    request: &Request<'_>,
    document_root: &str,
    script: &Script,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out: Vec<(Vec<u8>, Vec<u8>)> = Vec::with_capacity(24 + request.headers.len());
    let mut put = |name: &str, value: &[u8]| out.push((name.as_bytes().to_vec(), value.to_vec()));
    let root = document_root.trim_end_matches('/');
    put("GATEWAY_INTERFACE", b"CGI/1.1");
    put("SERVER_SOFTWARE", b"bext");
    put("SERVER_PROTOCOL", request.protocol.as_bytes());
    put("REQUEST_METHOD", request.method);
    put("REQUEST_URI", request.target);
    put("QUERY_STRING", request.query);
    put("DOCUMENT_ROOT", root.as_bytes());
    put("SCRIPT_NAME", script.name.as_bytes());
    put(
        "SCRIPT_FILENAME",
        format!("{root}{}", script.name).as_bytes(),
    );
    put(
        "DOCUMENT_URI",
        format!("{}{}", script.name, script.path_info).as_bytes(),
    );
    put("PATH_INFO", script.path_info.as_bytes());
    if !script.path_info.is_empty() {
        put(
            "PATH_TRANSLATED",
            format!("{root}{}", script.path_info).as_bytes(),
        );
    }
    put("REMOTE_ADDR", request.remote_addr.as_bytes());
    put("REMOTE_PORT", request.remote_port.to_string().as_bytes());
    put("SERVER_ADDR", request.server_addr.as_bytes());
    put("SERVER_PORT", request.server_port.to_string().as_bytes());
    put("SERVER_NAME", request.server_name);
    // PHP built with --enable-force-cgi-redirect runs only with this set (php-cgi's guard
    // against being called directly).
    put("REDIRECT_STATUS", b"200");
    if request.https {
        put("HTTPS", b"on");
        put("REQUEST_SCHEME", b"https");
    } else {
        put("REQUEST_SCHEME", b"http");
    }
    let content_type = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(b"content-type"))
        .map(|(_, v)| *v);
    if let Some(content_type) = content_type {
        put("CONTENT_TYPE", content_type);
    }
    if request.body_len > 0 || content_type.is_some() {
        put("CONTENT_LENGTH", request.body_len.to_string().as_bytes());
    }
    for (name, value) in request.headers {
        // httpoxy: a client's `Proxy` field must not become the script's HTTP_PROXY.
        if name.eq_ignore_ascii_case(b"proxy")
            || name.eq_ignore_ascii_case(b"content-type")
            || name.eq_ignore_ascii_case(b"content-length")
        {
            continue;
        }
        let mut key = b"HTTP_".to_vec();
        key.extend(name.iter().map(|&b| match b {
            b'-' => b'_',
            b => b.to_ascii_uppercase(),
        }));
        // A second field of the same name joins the first, as a CGI variable is one value.
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, joined)) => {
                joined.extend_from_slice(b", ");
                joined.extend_from_slice(value);
            }
            None => out.push((key, value.to_vec())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_their_path_info() {
        let php = ["php".to_owned()];
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("index.php", Some(("/index.php", ""))),
            (
                "blog/index.php/2024/hello",
                Some(("/blog/index.php", "/2024/hello")),
            ),
            ("a/B.PHP", Some(("/a/B.PHP", ""))),
            ("style.css", None),
            ("", None),
            ("php/readme", None),
            (".php", None),
            ("x.php.txt", None),
            ("a.php/b.php", Some(("/a.php", "/b.php"))),
        ];
        for &(rel, want) in cases {
            let got = script(rel, &php);
            let want = want.map(|(name, info)| Script {
                name: name.to_owned(),
                path_info: info.to_owned(),
            });
            assert_eq!(got, want, "{rel}");
        }
    }

    #[test]
    fn params_follow_cgi_and_php_fpm() {
        let headers: Vec<(&[u8], &[u8])> = vec![
            (b"Host", b"example.com:8080"),
            (b"Content-Type", b"application/x-www-form-urlencoded"),
            (b"X-Trace-Id", b"a"),
            (b"x-trace-id", b"b"),
            (b"Proxy", b"http://evil/"),
        ];
        let request = Request {
            method: b"POST",
            target: b"/blog/index.php/x?y=1",
            query: b"y=1",
            protocol: "HTTP/1.1",
            headers: &headers,
            body_len: 3,
            remote_addr: "192.0.2.1",
            remote_port: 40000,
            server_addr: "127.0.0.1",
            server_port: 8080,
            server_name: b"example.com",
            https: false,
        };
        let script = Script {
            name: "/blog/index.php".into(),
            path_info: "/x".into(),
        };
        let params = params(&request, "/srv/www/", &script);
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name.as_bytes())
                .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        };
        assert_eq!(
            get("SCRIPT_FILENAME").as_deref(),
            Some("/srv/www/blog/index.php")
        );
        assert_eq!(get("PATH_INFO").as_deref(), Some("/x"));
        assert_eq!(get("PATH_TRANSLATED").as_deref(), Some("/srv/www/x"));
        assert_eq!(get("REQUEST_URI").as_deref(), Some("/blog/index.php/x?y=1"));
        assert_eq!(get("CONTENT_LENGTH").as_deref(), Some("3"));
        assert_eq!(
            get("CONTENT_TYPE").as_deref(),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(get("HTTP_HOST").as_deref(), Some("example.com:8080"));
        assert_eq!(get("HTTP_X_TRACE_ID").as_deref(), Some("a, b"));
        assert_eq!(get("HTTP_PROXY"), None, "httpoxy");
        assert_eq!(get("HTTP_CONTENT_TYPE"), None);
        assert_eq!(get("HTTPS"), None);
        assert_eq!(get("REDIRECT_STATUS").as_deref(), Some("200"));
    }
}
