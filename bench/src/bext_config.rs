//! The config file of a bext serving HTTPS, HTTP/2 or HTTP/3 (`tls`, `h2`, `h3`), with or
//! without its WAF (`waf`), proxying to an upstream (`proxy`), or with `[realtime]`
//! (`realtime`). bext's command line has no
//! flags for `listen_tls`, a site's certificate, `http2`, `[waf]`, `[[upstream]]` or `[realtime]`, so for
//! those cases the harness
//! writes a config per launch; the shard count stays on the command line (`--shards`), as
//! for every other bext the harness starts.

use std::path::Path;

use crate::cert::CertFiles;
use crate::error::Error;

/// What a bext launched from a config serves.
pub struct BextConfig<'a> {
    pub docroot: &'a Path,
    /// An app to render instead of `docroot` (`[[site]] app`), every request rendered
    /// (`[render] isr = false`: the page's cost, not the ISR cache's).
    pub app: Option<&'a Path>,
    /// Cleartext port: HTTP/1.1, and HTTP/2 with prior knowledge when `http2` is set.
    pub http_port: u16,
    /// HTTPS: its port, the site's certificate and the session-ticket setting.
    pub tls: Option<BextTls<'a>>,
    /// `[server] http2`: ALPN h2 on the HTTPS port, h2c on the cleartext one. Written out
    /// either way, so a case over HTTP/1.1 gets a bext without HTTP/2, as its nginx is.
    pub http2: bool,
    /// `[server] http3`: HTTP/3 on the HTTPS port's number over UDP.
    pub http3: bool,
    /// `[waf]` with the Core Rule Set; none without.
    pub waf: Option<BextWaf<'a>>,
    /// Every request forwarded to one upstream server (`[[upstream]]`, `[[site.proxy]]`
    /// matching `/**`): the site has no root then.
    pub proxy: Option<BextProxy>,
    /// `[realtime]` (`realtime`): SSE subscribers and publishing over HTTP.
    pub realtime: Option<BextRealtime<'a>>,
}

/// `[realtime]` without a subscriber secret (anyone may subscribe), publishing with a token.
#[derive(Clone, Copy, Debug)]
pub struct BextRealtime<'a> {
    /// `publish_token`: at least 32 visible ASCII characters.
    pub publish_token: &'a str,
    /// `queue_max`: events queued for one subscriber before it is evicted.
    pub queue_max: u32,
    /// `replay_max`: events kept per topic for reconnecting subscribers.
    pub replay_max: u32,
}

/// `[[upstream]]` `origin` with one server, and the site's one proxy route to it.
#[derive(Clone, Copy, Debug)]
pub struct BextProxy {
    /// The upstream's port on 127.0.0.1.
    pub upstream_port: u16,
    /// `idle_connections_max`: kept-alive connections to the server (per shard).
    pub idle_connections_max: u32,
    /// `timeout_ms`, when the upstream serves WebSockets: how long a tunnel may be silent
    /// (bext passes `Upgrade` through on every proxy route by itself). `None`: the default.
    pub tunnel_idle_ms: Option<u64>,
    /// `protocol = "http2"`: the upstream speaks h2c.
    pub http2: bool,
}

/// `[waf] crs` and `paranoia`, in `mode = "block"`, and `memo = false` when it is off:
/// what the `waf` scenario measures.
pub struct BextWaf<'a> {
    /// The CRS directory (`crs-setup.conf.example` and `rules/*.conf`).
    pub crs: &'a Path,
    /// CRS's blocking paranoia level, 1 to 4.
    pub paranoia: u8,
    /// `memo` (bext's default, true): repeated requests take their kept outcome.
    pub memo: bool,
}

/// bext's HTTPS listener.
pub struct BextTls<'a> {
    pub port: u16,
    pub cert: &'a CertFiles,
    /// `[server] tls_session_tickets`: written out either way, so the config says which
    /// handshakes a case measures (off: every one is full, see `contender::ServeTls`).
    pub session_tickets: bool,
}

/// The TOML text of `config`. The access log is off, as for every bext the harness measures.
pub fn render(config: &BextConfig<'_>) -> Result<String, Error> {
    let mut text = format!(
        "# Written by bext-bench (bench/src/bext_config.rs).\n\
         [server]\n\
         listen = [\"127.0.0.1:{}\"]\n",
        config.http_port
    );
    if let Some(tls) = &config.tls {
        text.push_str(&format!(
            "listen_tls = [\"127.0.0.1:{}\"]\ntls_session_tickets = {}\n",
            tls.port, tls.session_tickets
        ));
    }
    text.push_str(&format!(
        "http2 = {}\nhttp3 = {}\naccess_log = \"off\"\n\n",
        config.http2, config.http3,
    ));
    if config.app.is_some() {
        text.push_str("[render]\nisr = false\n\n");
    }
    if let Some(waf) = &config.waf {
        text.push_str(&format!(
            "[waf]\ncrs = {}\nparanoia = {}\nmode = \"block\"\n{}\n",
            toml_path(waf.crs)?,
            waf.paranoia,
            if waf.memo { "" } else { "memo = false\n" }
        ));
    }
    if let Some(realtime) = &config.realtime {
        text.push_str(&format!(
            "[realtime]\npublish_token = {}\nqueue_max = {}\nreplay_max = {}\n\n",
            toml_string(realtime.publish_token),
            realtime.queue_max,
            realtime.replay_max
        ));
    }
    if let Some(proxy) = &config.proxy {
        text.push_str(&format!(
            "[[upstream]]\nname = \"origin\"\nservers = [\"127.0.0.1:{}\"]\n\
             idle_connections_max = {}\n",
            proxy.upstream_port, proxy.idle_connections_max
        ));
        if let Some(timeout_ms) = proxy.tunnel_idle_ms {
            text.push_str(&format!("timeout_ms = {timeout_ms}\n"));
        }
        if proxy.http2 {
            text.push_str("protocol = \"http2\"\n");
        }
        text.push('\n');
    }
    text.push_str("[[site]]\n");
    match (config.proxy, config.app) {
        (Some(_), Some(_)) => {
            return Err(Error::run(
                "internal: a bext either proxies or renders an app",
            ));
        }
        // The site is its proxy route alone (below).
        (Some(_), None) => {}
        (None, Some(app)) => text.push_str(&format!("app = {}\n", toml_path(app)?)),
        (None, None) => text.push_str(&format!("root = {}\n", toml_path(config.docroot)?)),
    }
    if let Some(tls) = &config.tls {
        text.push_str(&format!(
            "tls = {{ cert = {}, key = {} }}\n",
            toml_path(&tls.cert.cert)?,
            toml_path(&tls.cert.key)?
        ));
    }
    // Last: the site's own keys must come before its first sub-table.
    if config.proxy.is_some() {
        text.push_str("[[site.proxy]]\nmatch = \"/**\"\nupstream = \"origin\"\n");
    }
    Ok(text)
}

/// A TOML basic string.
pub fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_path(path: &Path) -> Result<String, Error> {
    path.to_str()
        .map(toml_string)
        .ok_or_else(|| Error::run(format!("{} is not UTF-8", path.display())))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn writes_tls_and_http2_configs() {
        let cert = CertFiles {
            cert: PathBuf::from("/run/cert.pem"),
            key: PathBuf::from("/run/key.pem"),
        };
        let config = |tls, http2| {
            render(&BextConfig {
                docroot: Path::new("/run/doc \"root\""),
                app: None,
                http_port: 8080,
                tls,
                http2,
                http3: false,
                waf: None,
                proxy: None,
                realtime: None,
            })
            .ok()
        };
        let tls = |session_tickets| {
            Some(BextTls {
                port: 8443,
                cert: &cert,
                session_tickets,
            })
        };
        assert_eq!(
            config(tls(true), false).as_deref(),
            Some(
                "# Written by bext-bench (bench/src/bext_config.rs).\n[server]\n\
                 listen = [\"127.0.0.1:8080\"]\nlisten_tls = [\"127.0.0.1:8443\"]\n\
                 tls_session_tickets = true\nhttp2 = false\nhttp3 = false\n\
                 access_log = \"off\"\n\n[[site]]\nroot = \"/run/doc \\\"root\\\"\"\n\
                 tls = { cert = \"/run/cert.pem\", key = \"/run/key.pem\" }\n"
            )
        );
        assert!(
            config(tls(false), false)
                .is_some_and(|text| text.contains("\ntls_session_tickets = false\n")),
            "tickets off"
        );
        let h3 = render(&BextConfig {
            docroot: Path::new("/run/doc"),
            app: None,
            http_port: 8080,
            tls: tls(true),
            http2: true,
            http3: true,
            waf: None,
            proxy: None,
            realtime: None,
        });
        assert!(
            h3.is_ok_and(|text| text.contains("\nhttp2 = true\nhttp3 = true\n")),
            "HTTP/3 on"
        );
        assert_eq!(
            config(None, true).as_deref(),
            Some(
                "# Written by bext-bench (bench/src/bext_config.rs).\n[server]\n\
                 listen = [\"127.0.0.1:8080\"]\nhttp2 = true\nhttp3 = false\naccess_log = \"off\"\n\n\
                 [[site]]\nroot = \"/run/doc \\\"root\\\"\"\n"
            )
        );
    }

    #[test]
    fn writes_the_waf_section_before_the_site() {
        let config = render(&BextConfig {
            docroot: Path::new("/run/doc"),
            app: None,
            http_port: 8080,
            tls: None,
            http2: false,
            http3: false,
            waf: Some(BextWaf {
                crs: Path::new("/shared/crs"),
                paranoia: 2,
                memo: false,
            }),
            proxy: None,
            realtime: None,
        });
        assert_eq!(
            config.ok().as_deref(),
            Some(
                "# Written by bext-bench (bench/src/bext_config.rs).\n[server]\n\
                 listen = [\"127.0.0.1:8080\"]\nhttp2 = false\nhttp3 = false\n\
                 access_log = \"off\"\n\n\
                 [waf]\ncrs = \"/shared/crs\"\nparanoia = 2\nmode = \"block\"\nmemo = false\n\n\
                 [[site]]\nroot = \"/run/doc\"\n"
            )
        );
    }

    #[test]
    fn an_app_is_rendered_on_every_request() {
        let config = render(&BextConfig {
            docroot: Path::new("/run/doc"),
            app: Some(Path::new("/repo/examples/app")),
            http_port: 8080,
            tls: None,
            http2: false,
            http3: false,
            waf: None,
            proxy: None,
            realtime: None,
        });
        assert!(
            config.is_ok_and(|text| text.ends_with(
                "access_log = \"off\"\n\n[render]\nisr = false\n\n\
                 [[site]]\napp = \"/repo/examples/app\"\n"
            )),
            "app site"
        );
    }

    #[test]
    fn an_http2_upstream_is_spoken_to_in_http2() {
        let config = render(&BextConfig {
            docroot: Path::new("/run/doc"),
            app: None,
            http_port: 8080,
            tls: None,
            http2: true,
            http3: false,
            waf: None,
            proxy: Some(BextProxy {
                upstream_port: 9001,
                idle_connections_max: 64,
                tunnel_idle_ms: None,
                http2: true,
            }),
            realtime: None,
        })
        .unwrap_or_default();
        assert!(
            config.contains(
                "[[upstream]]\nname = \"origin\"\nservers = [\"127.0.0.1:9001\"]\n\
                 idle_connections_max = 64\nprotocol = \"http2\"\n\n"
            ),
            "{config}"
        );
        assert!(config.contains("http2 = true\n"), "{config}");
    }

    #[test]
    fn a_proxy_forwards_every_path_to_one_upstream_server() {
        let config = render(&BextConfig {
            docroot: Path::new("/run/doc"),
            app: None,
            http_port: 8080,
            tls: None,
            http2: false,
            http3: false,
            waf: None,
            proxy: Some(BextProxy {
                upstream_port: 9000,
                idle_connections_max: 64,
                tunnel_idle_ms: None,
                http2: false,
            }),
            realtime: None,
        });
        assert_eq!(
            config.ok().as_deref(),
            Some(
                "# Written by bext-bench (bench/src/bext_config.rs).\n[server]\n\
                 listen = [\"127.0.0.1:8080\"]\nhttp2 = false\nhttp3 = false\n\
                 access_log = \"off\"\n\n\
                 [[upstream]]\nname = \"origin\"\nservers = [\"127.0.0.1:9000\"]\n\
                 idle_connections_max = 64\n\n\
                 [[site]]\n[[site.proxy]]\nmatch = \"/**\"\nupstream = \"origin\"\n"
            )
        );
    }

    #[test]
    fn a_websocket_upstream_gets_the_tunnel_idle_timeout() {
        let config = render(&BextConfig {
            docroot: Path::new("/run/doc"),
            app: None,
            http_port: 8080,
            tls: None,
            http2: false,
            http3: false,
            waf: None,
            proxy: Some(BextProxy {
                upstream_port: 9000,
                idle_connections_max: 64,
                tunnel_idle_ms: Some(600_000),
                http2: false,
            }),
            realtime: None,
        });
        assert!(
            config.as_deref().is_ok_and(|text| text.contains(
                "[[upstream]]\nname = \"origin\"\nservers = [\"127.0.0.1:9000\"]\n\
                 idle_connections_max = 64\ntimeout_ms = 600000\n\n[[site]]\n"
            )),
            "{config:?}"
        );
    }

    #[test]
    fn a_realtime_hub_publishes_with_a_token() {
        let config = render(&BextConfig {
            docroot: Path::new("/run/doc"),
            app: None,
            http_port: 8080,
            tls: None,
            http2: false,
            http3: false,
            waf: None,
            proxy: None,
            realtime: Some(BextRealtime {
                publish_token: "0123456789abcdef0123456789abcdef",
                queue_max: 4096,
                replay_max: 0,
            }),
        });
        assert!(
            config.as_deref().is_ok_and(|text| text.ends_with(
                "access_log = \"off\"\n\n[realtime]\n\
                 publish_token = \"0123456789abcdef0123456789abcdef\"\nqueue_max = 4096\n\
                 replay_max = 0\n\n[[site]]\nroot = \"/run/doc\"\n"
            )),
            "{config:?}"
        );
    }

    #[test]
    fn escapes_toml_strings() {
        assert_eq!(toml_string("a\\b\"c\nd"), "\"a\\\\b\\\"c\\u000Ad\"");
    }
}
