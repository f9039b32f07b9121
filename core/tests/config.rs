//! `bext.config.toml` parsing: one case per rule. `check_ok` compares the whole parsed
//! [`Config`] with the defaults as changed by the case; `check_err` compares the start of the
//! error line (`file:line:column: key: message`), so each case pins the location too.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use bext_core::config::{
    self, AccessLog, CacheRule, Config, ConfigError, LogFormat, OpsEndpoints, SiteConfig,
};
use bext_core::limits;

const FILE: &str = "bext.config.toml";
const BASE: &str = "/etc/bext";
/// The smallest valid config; most cases add to it.
const SITE: &str = "[[site]]\nroot = \"public\"\n";

fn parse(text: &str) -> Result<Config, ConfigError> {
    config::parse(FILE, Path::new(BASE), text)
}

/// Parses `text` and compares it with the config of a single default site rooted at
/// `/etc/bext/public`, as changed by `expect`.
#[track_caller]
fn check_ok(text: &str, expect: impl FnOnce(&mut Config)) {
    let mut expected = Config::for_directory(PathBuf::from(BASE).join("public"));
    expect(&mut expected);
    match parse(text) {
        Ok(config) => assert_eq!(config, expected, "\n--- config:\n{text}"),
        Err(error) => panic!("unexpected error: {error}\n--- config:\n{text}"),
    }
}

/// Parses `text`, expecting an error whose line starts with `expected`.
#[track_caller]
fn check_err(text: &str, expected: &str) {
    match parse(text) {
        Ok(config) => panic!("expected `{expected}`, parsed {config:#?}\n--- config:\n{text}"),
        Err(error) => {
            let line = error.to_string();
            assert!(
                line.starts_with(expected),
                "\nexpected: {expected}\n     got: {line}\n--- config:\n{text}"
            );
        }
    }
}

fn addr(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

#[test]
fn minimal_config_is_all_defaults() {
    check_ok(SITE, |_| {});
}

#[test]
fn for_directory_is_one_default_site_with_defaults() {
    let config = Config::for_directory(PathBuf::from("/srv/www"));
    assert_eq!(config.server.listen, vec![addr("0.0.0.0:8080")]);
    assert_eq!(config.server.shards, None);
    assert_eq!(config.server.access_log, AccessLog::Off);
    assert_eq!(
        config.server.limits.header_bytes_max,
        limits::HEADER_BYTES_MAX
    );
    assert_eq!(
        config.server.timeouts.drain_deadline_ms,
        limits::DRAIN_DEADLINE_MS
    );
    assert_eq!(config.sites.len(), 1);
    let site = &config.sites[0];
    assert!(site.default && site.hosts.is_empty() && !site.dotfiles && site.precompressed);
    assert_eq!(site.root, PathBuf::from("/srv/www"));
    assert_eq!(site.index, vec!["index.html".to_owned()]);
    assert_eq!(site.body_bytes_max, limits::BODY_BYTES_MAX);
}

#[test]
fn full_example_parses() {
    let text = r#"
[server]
listen = ["0.0.0.0:8080", "[::]:8080"]
shards = 2
access_log = "logs/access.log"
access_log_format = "json"
header_read_timeout_ms = 5000
body_idle_timeout_ms = 6000
keepalive_idle_timeout_ms = 7000
write_stall_timeout_ms = 8000
drain_deadline_ms = 9000
request_line_bytes_max = 4096
header_count_max = 50
header_bytes_max = 32768
pipeline_depth_max = 8
connections_per_shard_max = 1000
file_cache_bytes_max = 1048576
file_cache_entry_bytes_max = 65536
file_cache_revalidate_ms = 2000

[[site]]
hosts = ["Example.COM", "*.example.com"]
root = "./public"
index = ["index.html", "index.htm"]
dotfiles = true
precompressed = false
body_bytes_max = 0
headers = { "X-Frame-Options" = "DENY", "strict-transport-security" = "max-age=63072000" }
[[site.cache_control]]
match = "*.css"
value = "public, max-age=31536000, immutable"
[[site.cache_control]]
match = "/assets/**"
value = "no-cache"
[site.error_pages]
404 = "404.html"
503 = "/errors/503.html"

[[site]]
hosts = ["other.org"]
default = true
root = "/srv/other"
"#;
    check_ok(text, |c| {
        let s = &mut c.server;
        s.listen = vec![addr("0.0.0.0:8080"), addr("[::]:8080")];
        s.shards = Some(2);
        s.access_log = AccessLog::File(PathBuf::from("/etc/bext/logs/access.log"));
        s.access_log_format = LogFormat::Json;
        s.timeouts.header_read_timeout_ms = 5000;
        s.timeouts.body_idle_timeout_ms = 6000;
        s.timeouts.keepalive_idle_timeout_ms = 7000;
        s.timeouts.write_stall_timeout_ms = 8000;
        s.timeouts.drain_deadline_ms = 9000;
        s.limits.request_line_bytes_max = 4096;
        s.limits.header_count_max = 50;
        s.limits.header_bytes_max = 32768;
        s.limits.pipeline_depth_max = 8;
        s.limits.connections_per_shard_max = 1000;
        s.limits.file_cache_bytes_max = 1048576;
        s.limits.file_cache_entry_bytes_max = 65536;
        s.limits.file_cache_revalidate_ms = 2000;
        let site = &mut c.sites[0];
        site.hosts = vec!["example.com".into(), "*.example.com".into()];
        site.default = false;
        site.root = PathBuf::from("/etc/bext/./public");
        site.index = vec!["index.html".into(), "index.htm".into()];
        site.dotfiles = true;
        site.precompressed = false;
        site.body_bytes_max = 0;
        site.headers = vec![
            ("x-frame-options".into(), "DENY".into()),
            (
                "strict-transport-security".into(),
                "max-age=63072000".into(),
            ),
        ];
        site.cache_control = vec![
            CacheRule {
                pattern: "*.css".into(),
                value: "public, max-age=31536000, immutable".into(),
            },
            CacheRule {
                pattern: "/assets/**".into(),
                value: "no-cache".into(),
            },
        ];
        site.error_pages = vec![(404, "404.html".into()), (503, "errors/503.html".into())];
        let mut other = SiteConfig::new(PathBuf::from("/srv/other"));
        other.hosts = vec!["other.org".into()];
        c.sites.push(other);
    });
}

// ---- [server] ----------------------------------------------------------------------------

#[test]
fn listen() {
    check_ok(
        &format!("[server]\nlisten = \"127.0.0.1:80\"\n{SITE}"),
        |c| {
            c.server.listen = vec![addr("127.0.0.1:80")];
        },
    );
    check_ok(
        &format!("[server]\nlisten = [\"[::1]:443\"]\n{SITE}"),
        |c| {
            c.server.listen = vec![addr("[::1]:443")];
        },
    );
    check_err(
        &format!("[server]\nlisten = \"localhost:80\"\n{SITE}"),
        "bext.config.toml:2:10: server.listen: `localhost:80` is not a socket address",
    );
    check_err(
        &format!("[server]\nlisten = [\"0.0.0.0:80\", \"0.0.0.0\"]\n{SITE}"),
        "bext.config.toml:2:25: server.listen[1]: `0.0.0.0` is not a socket address",
    );
    check_err(
        &format!("[server]\nlisten = [\"0.0.0.0:80\", \"0.0.0.0:80\"]\n{SITE}"),
        "bext.config.toml:2:25: server.listen[1]: `0.0.0.0:80` is listed twice",
    );
    check_err(
        &format!("[server]\nlisten = []\n{SITE}"),
        "bext.config.toml:2:10: server.listen: needs at least one address",
    );
    check_err(
        &format!("[server]\nlisten = 8080\n{SITE}"),
        "bext.config.toml:2:10: server.listen: invalid type: integer `8080`, expected a socket address",
    );
    check_err(
        &format!("[server]\nlisten = [\"0.0.0.0:80\", 81]\n{SITE}"),
        "bext.config.toml:2:25: server.listen[1]: invalid type: integer `81`, expected a string",
    );
}

#[test]
fn shards() {
    check_ok(&format!("[server]\nshards = \"auto\"\n{SITE}"), |_| {});
    check_ok(&format!("[server]\nshards = 1\n{SITE}"), |c| {
        c.server.shards = Some(1)
    });
    let max = limits::SHARDS_MAX;
    check_ok(&format!("[server]\nshards = {max}\n{SITE}"), |c| {
        c.server.shards = Some(max)
    });
    for bad in ["0", "-1", &(max + 1).to_string(), "\"many\"", "\"Auto\""] {
        check_err(
            &format!("[server]\nshards = {bad}\n{SITE}"),
            "bext.config.toml:2:10: server.shards: must be \"auto\" or a count from 1 to 1024",
        );
    }
    check_err(
        &format!("[server]\nshards = 1.5\n{SITE}"),
        "bext.config.toml:2:10: server.shards: invalid type: floating point `1.5`, expected a shard count or \"auto\"",
    );
}

#[test]
fn access_log() {
    check_ok(&format!("[server]\naccess_log = \"off\"\n{SITE}"), |_| {});
    check_ok(&format!("[server]\naccess_log = \"stdout\"\n{SITE}"), |c| {
        c.server.access_log = AccessLog::Stdout;
    });
    check_ok(&format!("[server]\naccess_log = \"STDERR\"\n{SITE}"), |c| {
        c.server.access_log = AccessLog::Stderr;
    });
    check_ok(
        &format!("[server]\naccess_log = \"/var/log/bext.log\"\n{SITE}"),
        |c| {
            c.server.access_log = AccessLog::File(PathBuf::from("/var/log/bext.log"));
        },
    );
    check_ok(&format!("[server]\naccess_log = \"./off\"\n{SITE}"), |c| {
        c.server.access_log = AccessLog::File(PathBuf::from("/etc/bext/./off"));
    });
    check_err(
        &format!("[server]\naccess_log = \"\"\n{SITE}"),
        "bext.config.toml:2:14: server.access_log: must not be empty",
    );
    check_ok(
        &format!("[server]\naccess_log_format = \"combined\"\n{SITE}"),
        |_| {},
    );
    check_err(
        &format!("[server]\naccess_log_format = \"xml\"\n{SITE}"),
        "bext.config.toml:2:21: server.access_log_format: `xml` is not a log format: use \"combined\" or \"json\"",
    );
}

#[test]
fn ops_endpoints_choose_who_may_use_them() {
    check_ok(&format!("[server]\nops_endpoints = \"any\"\n{SITE}"), |c| {
        c.server.ops_endpoints = OpsEndpoints::Any;
    });
    check_ok(&format!("[server]\nops_endpoints = \"off\"\n{SITE}"), |c| {
        c.server.ops_endpoints = OpsEndpoints::Off;
    });
    check_err(
        &format!("[server]\nops_endpoints = \"public\"\n{SITE}"),
        "bext.config.toml:2:17: server.ops_endpoints: `public` is not a choice",
    );
    // Who gets in, for each setting.
    let cases = [
        ("127.0.0.1", [true, true, false]),
        ("127.8.9.10", [true, true, false]),
        ("::1", [true, true, false]),
        ("::ffff:127.0.0.1", [true, true, false]),
        ("10.0.0.1", [false, true, false]),
        ("2001:db8::1", [false, true, false]),
    ];
    for (ip, expect) in cases {
        let ip: std::net::IpAddr = ip.parse().unwrap();
        let got =
            [OpsEndpoints::Loopback, OpsEndpoints::Any, OpsEndpoints::Off].map(|o| o.allows(ip));
        assert_eq!(got, expect, "{ip}");
    }
}

#[test]
fn timeouts_are_bounded() {
    for key in [
        "header_read_timeout_ms",
        "body_idle_timeout_ms",
        "keepalive_idle_timeout_ms",
        "write_stall_timeout_ms",
        "drain_deadline_ms",
    ] {
        let column = key.len() + 4;
        check_err(
            &format!("[server]\n{key} = 0\n{SITE}"),
            &format!(
                "bext.config.toml:2:{column}: server.{key}: 0 is out of range: must be from 1 to 3600000"
            ),
        );
        let over = limits::TIMEOUT_MS_CEILING + 1;
        check_err(
            &format!("[server]\n{key} = {over}\n{SITE}"),
            &format!("bext.config.toml:2:{column}: server.{key}: {over} is out of range"),
        );
        check_err(
            &format!("[server]\n{key} = -5\n{SITE}"),
            &format!(
                "bext.config.toml:2:{column}: server.{key}: invalid value: integer `-5`, expected u64"
            ),
        );
        check_err(
            &format!("[server]\n{key} = \"10s\"\n{SITE}"),
            &format!(
                "bext.config.toml:2:{column}: server.{key}: invalid type: string \"10s\", expected u64"
            ),
        );
    }
}

#[test]
fn limits_are_bounded() {
    let cases: &[(&str, u64)] = &[
        ("header_count_max", limits::HEADER_COUNT_MAX as u64),
        ("header_bytes_max", limits::HEADER_BYTES_CEILING as u64),
        ("pipeline_depth_max", limits::PIPELINE_DEPTH_CEILING as u64),
        (
            "connections_per_shard_max",
            limits::CONNECTIONS_PER_SHARD_CEILING as u64,
        ),
        ("file_cache_bytes_max", limits::FILE_CACHE_BYTES_CEILING),
        (
            "file_cache_revalidate_ms",
            limits::FILE_CACHE_REVALIDATE_MS_CEILING,
        ),
        ("request_line_bytes_max", limits::HEADER_BYTES_MAX as u64),
    ];
    for &(key, ceiling) in cases {
        let column = key.len() + 4;
        check_err(
            &format!("[server]\n{key} = 0\n{SITE}"),
            &format!(
                "bext.config.toml:2:{column}: server.{key}: 0 is out of range: must be from 1 to {ceiling}"
            ),
        );
        check_err(
            &format!("[server]\n{key} = {}\n{SITE}", ceiling + 1),
            &format!(
                "bext.config.toml:2:{column}: server.{key}: {} is out of range",
                ceiling + 1
            ),
        );
    }
    check_ok(
        &format!("[server]\nheader_count_max = 100\nheader_bytes_max = 65536\n{SITE}"),
        |c| {
            c.server.limits.header_bytes_max = 65536;
        },
    );
}

#[test]
fn request_line_fits_in_the_header_budget() {
    check_ok(
        &format!("[server]\nheader_bytes_max = 2048\nrequest_line_bytes_max = 2048\n{SITE}"),
        |c| {
            c.server.limits.header_bytes_max = 2048;
            c.server.limits.request_line_bytes_max = 2048;
        },
    );
    check_err(
        &format!("[server]\nheader_bytes_max = 2048\nrequest_line_bytes_max = 2049\n{SITE}"),
        "bext.config.toml:3:26: server.request_line_bytes_max: 2049 is out of range: must be from 1 to 2048",
    );
    // The line limit left at its default (8192) is the one that conflicts, but the value the
    // user wrote is the header budget: point there.
    check_err(
        &format!("[server]\nheader_bytes_max = 4096\n{SITE}"),
        "bext.config.toml:2:20: server.header_bytes_max: must be at least request_line_bytes_max (8192)",
    );
}

#[test]
fn cache_entry_fits_in_the_cache() {
    check_err(
        &format!(
            "[server]\nfile_cache_bytes_max = 1000\nfile_cache_entry_bytes_max = 1001\n{SITE}"
        ),
        "bext.config.toml:3:30: server.file_cache_entry_bytes_max: file_cache_entry_bytes_max (1001) must not exceed file_cache_bytes_max (1000)",
    );
    check_err(
        &format!("[server]\nfile_cache_bytes_max = 1000\n{SITE}"),
        "bext.config.toml:2:24: server.file_cache_bytes_max: file_cache_entry_bytes_max (1048576) must not exceed",
    );
}

// ---- structure ---------------------------------------------------------------------------

#[test]
fn unknown_keys_are_named() {
    check_err(
        &format!("[server]\nlisten_on = \"0.0.0.0:80\"\n{SITE}"),
        "bext.config.toml:2:1: server.listen_on: unknown field `listen_on`, expected one of",
    );
    check_err(
        &format!("shards = 2\n{SITE}"),
        "bext.config.toml:1:1: shards: unknown field `shards`",
    );
    check_err(
        &format!("{SITE}rooot = \"x\"\n"),
        "bext.config.toml:3:1: site[0].rooot: unknown field `rooot`",
    );
    check_err(
        &format!(
            "{SITE}[[site.cache_control]]\nmatch = \"*.js\"\nvalue = \"no-cache\"\nvalu = 1\n"
        ),
        "bext.config.toml:6:1: site[0].cache_control[0].valu: unknown field `valu`",
    );
    check_err(
        &format!("{SITE}[site.extra]\n"),
        "bext.config.toml:3:7: site[0].extra: unknown field `extra`",
    );
}

#[test]
fn missing_root_is_named() {
    check_err(
        &format!("{SITE}\n[[site]]\nhosts = [\"a.com\"]\n"),
        "bext.config.toml:4:1: site[1].root: required key is missing",
    );
}

#[test]
fn toml_syntax_errors_have_a_location_and_no_key() {
    check_err("[server\n", "bext.config.toml:1:8: invalid table header");
    check_err(
        &format!("[server]\nshards = 1\nshards = 2\n{SITE}"),
        "bext.config.toml:3:1: duplicate key `shards`",
    );
    check_err(
        &format!("{SITE}root = \"again\"\n"),
        "bext.config.toml:3:1: duplicate key `root`",
    );
}

#[test]
fn wrong_types_are_named() {
    check_err(
        "[[site]]\nroot = 5\n",
        "bext.config.toml:2:8: site[0].root: invalid type: integer `5`, expected a string",
    );
    check_err(
        &format!("{SITE}dotfiles = \"yes\"\n"),
        "bext.config.toml:3:12: site[0].dotfiles: invalid type: string \"yes\", expected a boolean",
    );
    check_err(
        "server = 1\n",
        "bext.config.toml:1:10: server: invalid type: integer `1`, expected a [server] table",
    );
}

#[test]
fn at_least_one_site() {
    check_err("", "bext.config.toml:1:1: site: no [[site]]");
    check_err(
        "[server]\nshards = 1\n",
        "bext.config.toml:1:1: site: no [[site]]",
    );
}

#[test]
fn too_large_a_file_is_refused() {
    let text = format!("{SITE}#{}\n", "x".repeat(limits::CONFIG_FILE_BYTES_MAX));
    check_err(&text, "bext.config.toml:1:1: the file is");
}

#[test]
fn columns_count_characters_not_bytes() {
    // "é" is two bytes; the column of `5` is still 12 characters in.
    check_err(
        "# café\n[[site]]\nroot = \"é\"\nhosts = [\"é.com\"]\n",
        "bext.config.toml:4:10: site[0].hosts[0]: `é.com` contains `é`",
    );
}

// ---- [[site]] ----------------------------------------------------------------------------

#[test]
fn hosts_are_normalised() {
    check_ok(
        &format!(
            "{SITE}hosts = [\"WWW.Example.com.\", \"*.CDN.example.com\", \"127.0.0.1\", \"[::1]\"]\n"
        ),
        |c| {
            c.sites[0].hosts = vec![
                "www.example.com".into(),
                "*.cdn.example.com".into(),
                "127.0.0.1".into(),
                "[::1]".into(),
            ];
        },
    );
    check_ok(&format!("{SITE}hosts = []\n"), |_| {});
}

#[test]
fn bad_hosts() {
    let cases = [
        ("\"\"", "a host must not be empty"),
        ("\"a..com\"", "`a..com` has an empty label"),
        ("\"a b.com\"", "`a b.com` contains ` `"),
        ("\"example.com:80\"", "`example.com:80`: a host has no port"),
        (
            "\"www.*.com\"",
            "`www.*.com`: a wildcard is only allowed as a leading `*.`",
        ),
        ("\"*\"", "`*`: a wildcard is only allowed as a leading `*.`"),
        ("\"*.\"", "`*.`: a wildcard is only allowed"),
        ("\"[::g]\"", "`[::g]` is not a valid IPv6 literal"),
    ];
    for (host, message) in cases {
        check_err(
            &format!("{SITE}hosts = [{host}]\n"),
            &format!("bext.config.toml:3:10: site[0].hosts[0]: {message}"),
        );
    }
    let long = format!("\"{}.com\"", "a".repeat(252));
    check_err(
        &format!("{SITE}hosts = [{long}]\n"),
        "bext.config.toml:3:10: site[0].hosts[0]: a host is at most 255 bytes",
    );
}

#[test]
fn duplicate_hosts() {
    check_err(
        "[[site]]\nroot = \"a\"\nhosts = [\"a.com\"]\n[[site]]\nroot = \"b\"\nhosts = [\"b.com\", \"A.com.\"]\n",
        "bext.config.toml:6:19: site[1].hosts[1]: `a.com` is already a host of site[0]",
    );
    check_err(
        &format!("{SITE}hosts = [\"*.a.com\", \"*.A.com\"]\n"),
        "bext.config.toml:3:21: site[0].hosts[1]: `*.a.com` is already a host of this site",
    );
    // An exact name and a wildcard over the same suffix are different hosts.
    check_ok(&format!("{SITE}hosts = [\"a.com\", \"*.a.com\"]\n"), |c| {
        c.sites[0].hosts = vec!["a.com".into(), "*.a.com".into()];
    });
}

#[test]
fn default_site() {
    let two = "[[site]]\nroot = \"a\"\n[[site]]\nroot = \"b\"\n";
    let parsed = parse(two).unwrap();
    assert_eq!(
        parsed.sites.iter().map(|s| s.default).collect::<Vec<_>>(),
        [true, false]
    );
    let second = format!("{two}default = true\n");
    let parsed = parse(&second).unwrap();
    assert_eq!(
        parsed.sites.iter().map(|s| s.default).collect::<Vec<_>>(),
        [false, true]
    );
    let explicit_false = "[[site]]\nroot = \"a\"\ndefault = false\n[[site]]\nroot = \"b\"\n";
    let parsed = parse(explicit_false).unwrap();
    assert_eq!(
        parsed.sites.iter().map(|s| s.default).collect::<Vec<_>>(),
        [true, false]
    );
    check_err(
        "[[site]]\nroot = \"a\"\ndefault = true\n[[site]]\nroot = \"b\"\ndefault = true\n",
        "bext.config.toml:6:11: site[1].default: only one site may be the default, and site[0] already is",
    );
}

#[test]
fn root() {
    check_ok("[[site]]\nroot = \"/srv/www\"\n", |c| {
        c.sites[0].root = PathBuf::from("/srv/www")
    });
    check_err(
        "[[site]]\nroot = \"\"\n",
        "bext.config.toml:2:8: site[0].root: must not be empty",
    );
}

#[test]
fn index() {
    check_ok(&format!("{SITE}index = []\n"), |c| {
        c.sites[0].index = vec![]
    });
    let cases = [
        ("", "an index name must not be empty"),
        (".", "`.` is not a file name"),
        ("..", "`..` is not a file name"),
        (
            "a/index.html",
            "`a/index.html` must be a plain file name, without `/`",
        ),
    ];
    for (bad, message) in cases {
        check_err(
            &format!("{SITE}index = [\"index.html\", \"{bad}\"]\n"),
            &format!("bext.config.toml:3:24: site[0].index[1]: {message}"),
        );
    }
    // 16 names of 8 characters plus ", " each: the 17th starts at column 10 + 16 * 10.
    let many = vec!["\"i.html\""; limits::INDEX_FILES_MAX + 1].join(", ");
    check_err(
        &format!("{SITE}index = [{many}]\n"),
        "bext.config.toml:3:170: site[0].index[16]: at most 16 index names per site",
    );
}

#[test]
fn body_bytes_max() {
    check_ok(&format!("{SITE}body_bytes_max = 10\n"), |c| {
        c.sites[0].body_bytes_max = 10
    });
    let over = limits::BODY_BYTES_CEILING + 1;
    check_err(
        &format!("{SITE}body_bytes_max = {over}\n"),
        &format!(
            "bext.config.toml:3:18: site[0].body_bytes_max: {over} is out of range: must be from 0 to"
        ),
    );
}

#[test]
fn headers() {
    check_ok(
        &format!("{SITE}[site.headers]\nX-Robots-Tag = \"noindex,\tnofollow\"\n"),
        |c| {
            c.sites[0].headers = vec![("x-robots-tag".into(), "noindex,\tnofollow".into())];
        },
    );
    let cases = [
        (
            "\"bad name\" = \"x\"",
            1,
            "headers.bad name: `bad name` is not a valid header name",
        ),
        (
            "\"\" = \"x\"",
            1,
            "headers.: a header name must not be empty",
        ),
        (
            "content-length = \"5\"",
            1,
            "headers.content-length: `content-length` is set by bext itself",
        ),
        (
            "Transfer-Encoding = \"chunked\"",
            1,
            "headers.Transfer-Encoding: `transfer-encoding` is set by bext itself",
        ),
        (
            "cache-control = \"no-store\"",
            1,
            "headers.cache-control: set `cache-control` with [[site.cache_control]]",
        ),
        (
            "x-a = \"line\\nbreak\"",
            7,
            "headers.x-a: '\\n' is not allowed in a header value",
        ),
        (
            "x-a = \"caf\u{e9}\"",
            7,
            "headers.x-a: 'é' is not allowed in a header value",
        ),
        (
            "x-a = \" padded\"",
            7,
            "headers.x-a: a header value must not start or end with whitespace",
        ),
        (
            "x-a = 1",
            7,
            "headers.x-a: expected a string, found integer",
        ),
    ];
    for (line, column, message) in cases {
        check_err(
            &format!("{SITE}[site.headers]\n{line}\n"),
            &format!("bext.config.toml:4:{column}: site[0].{message}"),
        );
    }
    check_err(
        &format!("{SITE}headers = {{ \"X-A\" = \"1\", \"x-a\" = \"2\" }}\n"),
        "bext.config.toml:3:26: site[0].headers.x-a: `x-a` is set twice (header names ignore case)",
    );
    let long = "v".repeat(limits::SITE_HEADER_VALUE_BYTES_MAX + 1);
    check_err(
        &format!("{SITE}[site.headers]\nx-a = \"{long}\"\n"),
        "bext.config.toml:4:7: site[0].headers.x-a: a header value is at most 8192 bytes",
    );
    let many: String = (0..=limits::SITE_HEADERS_MAX)
        .map(|i| format!("x-{i} = \"v\"\n"))
        .collect();
    check_err(
        &format!("{SITE}[site.headers]\n{many}"),
        "bext.config.toml:68:1: site[0].headers.x-64: at most 64 extra headers per site",
    );
}

#[test]
fn cache_control() {
    let rule = |pattern: &str, value: &str| {
        format!("{SITE}[[site.cache_control]]\nmatch = \"{pattern}\"\nvalue = \"{value}\"\n")
    };
    check_ok(&rule("{/a,/b}/*.js", "no-cache"), |c| {
        c.sites[0].cache_control = vec![CacheRule {
            pattern: "{/a,/b}/*.js".into(),
            value: "no-cache".into(),
        }];
    });
    check_err(
        &rule("/assets/[a", "no-cache"),
        "bext.config.toml:4:9: site[0].cache_control[0].match: invalid glob: unclosed character class",
    );
    check_err(
        &rule("", "no-cache"),
        "bext.config.toml:4:9: site[0].cache_control[0].match: must not be empty",
    );
    check_err(
        &rule("*.js", ""),
        "bext.config.toml:5:9: site[0].cache_control[0].value: must not be empty",
    );
    check_err(
        &rule("*.js", "a\\u0000b"),
        "bext.config.toml:5:9: site[0].cache_control[0].value: '\\0' is not allowed in a header value",
    );
    check_err(
        &format!("{SITE}[[site.cache_control]]\nmatch = \"*.js\"\n"),
        "bext.config.toml:3:1: site[0].cache_control[0].value: required key is missing",
    );
    let many: String = (0..=limits::CACHE_RULES_MAX)
        .map(|_| "[[site.cache_control]]\nmatch = \"*\"\nvalue = \"no-cache\"\n")
        .collect();
    check_err(
        &format!("{SITE}{many}"),
        &format!(
            "bext.config.toml:{}:9: site[0].cache_control[256].match: at most 256",
            3 + 256 * 3 + 1
        ),
    );
}

#[test]
fn error_pages() {
    check_ok(
        &format!("{SITE}[site.error_pages]\n400 = \"e/400.html\"\n599 = \"/599.html\"\n"),
        |c| {
            c.sites[0].error_pages = vec![(400, "e/400.html".into()), (599, "599.html".into())];
        },
    );
    let cases = [
        (
            "399 = \"x.html\"",
            1,
            "error_pages.399: error pages are keyed by a status from 400 to 599",
        ),
        (
            "600 = \"x.html\"",
            1,
            "error_pages.600: error pages are keyed by a status",
        ),
        (
            "\"0404\" = \"x.html\"",
            1,
            "error_pages.0404: error pages are keyed by a status",
        ),
        (
            "not_found = \"x.html\"",
            1,
            "error_pages.not_found: error pages are keyed by a status",
        ),
        (
            "404 = 404",
            7,
            "error_pages.404: expected a string, found integer",
        ),
        (
            "404 = \"../secret\"",
            7,
            "error_pages.404: `../secret` must stay inside the site root",
        ),
        (
            "404 = \"/\"",
            7,
            "error_pages.404: an error page path must name a file",
        ),
    ];
    for (line, column, message) in cases {
        check_err(
            &format!("{SITE}[site.error_pages]\n{line}\n"),
            &format!("bext.config.toml:4:{column}: site[0].{message}"),
        );
    }
    // `404` and `"404"` are the same TOML key, so TOML itself refuses the second.
    check_err(
        &format!("{SITE}error_pages = {{ 404 = \"a\", \"404\" = \"b\" }}\n"),
        "bext.config.toml:3:16: duplicate key `404`",
    );
    check_err(
        &format!("{SITE}error_pages = 404\n"),
        "bext.config.toml:3:15: site[0].error_pages: invalid type: integer `404`, expected a table",
    );
}

#[test]
fn error_display_without_key() {
    let error = ConfigError {
        file: "f.toml".into(),
        line: 2,
        column: 3,
        key: String::new(),
        message: "boom".into(),
    };
    assert_eq!(error.to_string(), "f.toml:2:3: boom");
    let error = ConfigError {
        key: "server.shards".into(),
        ..error
    };
    assert_eq!(error.to_string(), "f.toml:2:3: server.shards: boom");
}

#[test]
fn render_settings_are_chosen_and_bounded() {
    use bext_core::config::EngineChoice;
    check_ok(
        &format!(
            "[render]\nengine = \"quickjs\"\nrender_timeout_ms = 500\nheap_bytes_max = 67108864\n\
             fetch_timeout_ms = 900\nisr = false\nisr_bytes_max = 1024\n\
             invalidate_token = \"0123456789abcdef\"\n{SITE}"
        ),
        |c| {
            c.render.engine = EngineChoice::QuickJs;
            c.render.render_timeout_ms = 500;
            c.render.heap_bytes_max = 64 * 1024 * 1024;
            c.render.fetch_timeout_ms = 900;
            c.render.isr = false;
            c.render.isr_bytes_max = 1024;
            c.render.invalidate_token = Some("0123456789abcdef".to_owned());
        },
    );
    for (engine, choice) in [
        ("auto", EngineChoice::Auto),
        ("jsc", EngineChoice::Jsc),
        ("v8", EngineChoice::V8),
    ] {
        check_ok(&format!("[render]\nengine = \"{engine}\"\n{SITE}"), |c| {
            c.render.engine = choice;
        });
    }
    check_err(
        &format!("[render]\nengine = \"node\"\n{SITE}"),
        "bext.config.toml:2:10: render.engine: `node` is not an engine",
    );
    check_err(
        &format!("[render]\nrender_timeout_ms = 0\n{SITE}"),
        "bext.config.toml:2:21: render.render_timeout_ms: 0 is out of range",
    );
    check_err(
        &format!("[render]\nheap_bytes_max = 1024\n{SITE}"),
        "bext.config.toml:2:18: render.heap_bytes_max: 1024 is out of range",
    );
    check_err(
        &format!("[render]\ninvalidate_token = \"short\"\n{SITE}"),
        "bext.config.toml:2:20: render.invalidate_token: must be at least 16",
    );
    check_err(
        &format!("[render]\nengines = \"jsc\"\n{SITE}"),
        "bext.config.toml:2:1: render.engines: unknown field",
    );
}

#[test]
fn realtime_is_off_unless_its_table_is_there_and_its_secrets_are_long() {
    use bext_core::config::RealtimeConfig;
    let secret = "s".repeat(32);
    let token = "p".repeat(40);
    check_ok(
        &format!(
            "[realtime]\nsecret = \"{secret}\"\npublish_token = \"{token}\"\nreplay_max = 0\n\
             queue_max = 16\nwebsocket_deflate = true\n{SITE}"
        ),
        |c| {
            c.realtime = Some(RealtimeConfig {
                secret: Some(secret.clone()),
                publish_token: Some(token.clone()),
                replay_max: 0,
                queue_max: 16,
                websocket_deflate: true,
            });
        },
    );
    check_ok(&format!("[realtime]\n{SITE}"), |c| {
        c.realtime = Some(RealtimeConfig {
            secret: None,
            publish_token: None,
            replay_max: bext_core::limits::REALTIME_REPLAY_DEFAULT,
            queue_max: bext_core::limits::REALTIME_QUEUE_DEFAULT,
            websocket_deflate: false,
        });
    });
    check_err(
        &format!("[realtime]\nsecret = \"short\"\n{SITE}"),
        "bext.config.toml:2:10: realtime.secret: must be at least 32",
    );
    check_err(
        &format!(
            "[realtime]\npublish_token = \"{} x\"\n{SITE}",
            "y".repeat(32)
        ),
        "bext.config.toml:2:17: realtime.publish_token: must be at least 32",
    );
    check_err(
        &format!("[realtime]\nqueue_max = 0\n{SITE}"),
        "bext.config.toml:2:13: realtime.queue_max: 0 is out of range",
    );
    check_err(
        &format!("[realtime]\nsecrets = \"x\"\n{SITE}"),
        "bext.config.toml:2:1: realtime.secrets: unknown field",
    );
}

#[test]
fn a_cluster_names_its_redis() {
    use bext_core::config::{ClientCert, ClusterConfig};
    check_ok(
        &format!("[cluster]\nredis = \"redis://127.0.0.1:6379\"\nnode = \"edge-1\"\n{SITE}"),
        |c| {
            c.cluster = Some(ClusterConfig {
                redis: "redis://127.0.0.1:6379".into(),
                redis_ca: None,
                redis_client_cert: None,
                node: Some("edge-1".into()),
                channel: "bext".into(),
                share_pages: false,
            });
        },
    );
    check_ok(
        &format!("[cluster]\nredis = \"redis://127.0.0.1:6379\"\nshare_pages = true\n{SITE}"),
        |c| {
            c.cluster = Some(ClusterConfig {
                redis: "redis://127.0.0.1:6379".into(),
                redis_ca: None,
                redis_client_cert: None,
                node: None,
                channel: "bext".into(),
                share_pages: true,
            });
        },
    );
    check_err(
        &format!("[cluster]\nredis = \"redis://127.0.0.1:6379\"\nshare_pages = \"yes\"\n{SITE}"),
        "bext.config.toml:3:15: cluster.share_pages: invalid type",
    );
    check_ok(
        &format!(
            "[cluster]\nredis = \"rediss://cache:6380\"\nredis_ca = \"tls/ca.pem\"\n\
             redis_client_cert = \"tls/node.pem\"\nredis_client_key = \"tls/node.key\"\n{SITE}"
        ),
        |c| {
            c.cluster = Some(ClusterConfig {
                redis: "rediss://cache:6380".into(),
                redis_ca: Some(PathBuf::from(BASE).join("tls/ca.pem")),
                redis_client_cert: Some(ClientCert {
                    cert: PathBuf::from(BASE).join("tls/node.pem"),
                    key: PathBuf::from(BASE).join("tls/node.key"),
                }),
                node: None,
                channel: "bext".into(),
                share_pages: false,
            });
        },
    );
    check_err(
        &format!("[cluster]\nredis = \"redis://cache:6379\"\nredis_ca = \"ca.pem\"\n{SITE}"),
        "bext.config.toml:3:12: cluster.redis_ca: applies only to a rediss:// (TLS) URL",
    );
    check_err(
        &format!(
            "[cluster]\nredis = \"redis://cache:6379\"\nredis_client_cert = \"c.pem\"\n\
             redis_client_key = \"c.key\"\n{SITE}"
        ),
        "bext.config.toml:3:21: cluster.redis_client_cert: applies only to a rediss:// (TLS) URL",
    );
    check_err(
        &format!(
            "[cluster]\nredis = \"rediss://cache:6380\"\nredis_client_cert = \"c.pem\"\n{SITE}"
        ),
        "bext.config.toml:3:21: cluster.redis_client_cert: needs `redis_client_key`",
    );
    check_err(
        &format!(
            "[cluster]\nredis = \"rediss://cache:6380\"\nredis_client_key = \"c.key\"\n{SITE}"
        ),
        "bext.config.toml:3:20: cluster.redis_client_key: needs `redis_client_cert`",
    );
    check_err(
        &format!("[cluster]\nredis = \"http://cache:6379\"\n{SITE}"),
        "bext.config.toml:2:9: cluster.redis: must be a redis://host:port or rediss://host:port URL",
    );
    check_err(
        &format!("[cluster]\nredis = \"redis://x\"\nnode = \"a b\"\n{SITE}"),
        "bext.config.toml:3:8: cluster.node: must be 1 to 64",
    );
    check_err(
        &format!("[cluster]\nnode = \"a\"\n{SITE}"),
        "bext.config.toml:1:1: cluster.redis: required key is missing",
    );
}

#[test]
fn app_sites_default_their_root_to_public() {
    let config = parse("[[site]]\napp = \"shop\"\n").unwrap();
    assert_eq!(config.sites[0].app, Some(PathBuf::from(BASE).join("shop")));
    assert_eq!(
        config.sites[0].root,
        PathBuf::from(BASE).join("shop/public")
    );
    let config = parse("[[site]]\napp = \"shop\"\nroot = \"static\"\n").unwrap();
    assert_eq!(config.sites[0].root, PathBuf::from(BASE).join("static"));
    check_err(
        "[[site]]\napp = \"\"\n",
        "bext.config.toml:2:7: site[0].app: must not be empty",
    );
}

#[test]
fn waf_lists_and_rate_are_parsed_and_refused_with_their_place() {
    use bext_core::waf::{Ban, Prefix, RateLimit};
    let prefix = |p: &str| Prefix::parse(p).unwrap();
    check_ok(
        &format!(
            "[waf]\nallow = [\"10.1.0.0/16\", \"::1\"]\ndeny = [\"10.0.0.0/8\", \"2001:db8::/32\"]\n\
             rate = {{ requests_per_sec = 50, burst = 200 }}\n{SITE}"
        ),
        |c| {
            c.waf.allow = vec![prefix("10.1.0.0/16"), prefix("::1/128")];
            c.waf.deny = vec![prefix("10.0.0.0/8"), prefix("2001:db8::/32")];
            c.waf.rate = Some(RateLimit {
                requests_per_sec: 50,
                burst: 200,
                ban: None,
            });
        },
    );
    // The burst defaults to one second's worth.
    check_ok(
        &format!("[waf]\nrate = {{ requests_per_sec = 7 }}\n{SITE}"),
        |c| {
            c.waf.rate = Some(RateLimit {
                requests_per_sec: 7,
                burst: 7,
                ban: None,
            });
        },
    );
    // Bans: ten minutes unless said otherwise.
    check_ok(
        &format!("[waf]\nrate = {{ requests_per_sec = 7, ban_after = 20 }}\n{SITE}"),
        |c| {
            c.waf.rate = Some(RateLimit {
                requests_per_sec: 7,
                burst: 7,
                ban: Some(Ban {
                    after: 20,
                    secs: 600,
                }),
            });
        },
    );
    check_err(
        &format!("[waf]\nrate = {{ requests_per_sec = 7, ban_secs = 60 }}\n{SITE}"),
        "bext.config.toml:2:43: waf.rate.ban_secs: bans need `ban_after`",
    );
    check_err(
        &format!("[waf]\nrate = {{ requests_per_sec = 7, ban_after = 1, ban_secs = 0 }}\n{SITE}"),
        "bext.config.toml:2:58: waf.rate.ban_secs: 0 is out of range",
    );
    check_err(
        &format!("[waf]\ndeny = [\"10.0.0.0/8\", \"10.0.0.1/8\"]\n{SITE}"),
        "bext.config.toml:2:23: waf.deny[1]: `10.0.0.1/8`: has bits set past its length (the prefix is 10.0.0.0/8)",
    );
    check_err(
        &format!("[waf]\nallow = [\"localhost\"]\n{SITE}"),
        "bext.config.toml:2:10: waf.allow[0]: `localhost`: not an IPv4 or IPv6 address",
    );
    check_err(
        &format!("[waf]\nallow = [\"192.0.2.1\"]\ndeny = [\"192.0.2.1/32\"]\n{SITE}"),
        "bext.config.toml:3:9: waf.deny[0]: 192.0.2.1/32 is in `allow` too",
    );
    check_err(
        &format!("[waf]\nrate = {{ requests_per_sec = 0 }}\n{SITE}"),
        "bext.config.toml:2:29: waf.rate.requests_per_sec: 0 is out of range",
    );
    check_err(
        &format!("[waf]\nrate = {{ requests_per_sec = 5, bursts = 9 }}\n{SITE}"),
        "bext.config.toml:2:32: waf.rate.bursts: unknown field",
    );
}

#[test]
fn xdp_interfaces_are_names_linux_would_take() {
    check_ok(
        &format!("[waf]\nxdp_interfaces = [\"eth0\", \"veth-bext1\"]\n{SITE}"),
        |c| c.waf.xdp_interfaces = vec![String::from("eth0"), String::from("veth-bext1")],
    );
    let refused: &[(&str, &str)] = &[
        (
            "[\"\"]",
            "2:19: waf.xdp_interfaces[0]: ``: an interface name is 1 to 15 bytes",
        ),
        (
            "[\"eth0\", \"a-very-long-name0\"]",
            "2:27: waf.xdp_interfaces[1]: `a-very-long-name0`: an interface name is 1 to 15 bytes",
        ),
        (
            "[\"eth/0\"]",
            "2:19: waf.xdp_interfaces[0]: `eth/0`: an interface name has no `/`",
        ),
        (
            "[\"eth0\", \"eth0\"]",
            "2:27: waf.xdp_interfaces[1]: `eth0`: listed twice",
        ),
        (
            "[\"..\"]",
            "2:19: waf.xdp_interfaces[0]: `..`: not an interface name",
        ),
    ];
    for (list, error) in refused {
        check_err(
            &format!("[waf]\nxdp_interfaces = {list}\n{SITE}"),
            &format!("bext.config.toml:{error}"),
        );
    }
}

#[test]
fn xdp_steer_needs_the_interfaces_it_steers_on() {
    check_ok(
        &format!("[waf]\nxdp_interfaces = [\"eth0\"]\nxdp_steer = true\n{SITE}"),
        |c| {
            c.waf.xdp_interfaces = vec![String::from("eth0")];
            c.waf.xdp_steer = true;
        },
    );
    check_ok(&format!("[waf]\nxdp_steer = false\n{SITE}"), |_| {});
    check_err(
        &format!("[waf]\nxdp_steer = true\n{SITE}"),
        "bext.config.toml:2:13: waf.xdp_steer: steering is done by the XDP filter: list the \
         interfaces it attaches to in `xdp_interfaces`",
    );
}

#[test]
fn site_waf_tables_add_lists_and_override_the_rules() {
    use bext_core::config::{SiteWaf, WafMode};
    use bext_core::waf::Prefix;
    let prefix = |text: &str| Prefix::parse(text).unwrap();
    check_ok(
        "[[site]]\nroot = \"public\"\n[site.waf]\ndeny = [\"10.0.0.0/8\"]\nallow = [\"10.1.0.0/16\"]\nrules = false\n",
        |c| {
            c.sites[0].waf = SiteWaf {
                allow: vec![prefix("10.1.0.0/16")],
                deny: vec![prefix("10.0.0.0/8")],
                rules_off: true,
                ..SiteWaf::default()
            }
        },
    );
    // Overrides resolve against [waf]'s settings.
    let global = bext_core::config::WafRules {
        crs: None,
        files: vec![],
        paranoia: 1,
        mode: WafMode::Block,
        anomaly_threshold: None,
        response_body: false,
        expose_matches: false,
        memo: true,
    };
    let site = SiteWaf {
        paranoia: Some(3),
        mode: Some(WafMode::DetectionOnly),
        ..SiteWaf::default()
    };
    let resolved = site.rules(Some(&global)).unwrap();
    assert_eq!(
        (resolved.paranoia, resolved.mode, resolved.anomaly_threshold),
        (3, WafMode::DetectionOnly, None)
    );
    assert_eq!(
        SiteWaf::default().rules(Some(&global)),
        Some(global.clone())
    );
    assert_eq!(SiteWaf::default().rules(None), None);
    let off = SiteWaf {
        rules_off: true,
        ..SiteWaf::default()
    };
    assert_eq!(off.rules(Some(&global)), None);

    let refused: &[(&str, &str)] = &[
        (
            "[[site]]\nroot = \"public\"\nwaf = { paranoia = 2 }\n",
            "3:20: site[0].waf.paranoia: there are no rules to apply it to",
        ),
        (
            "[waf]\nrules = [\"own.conf\"]\n[[site]]\nroot = \"public\"\nwaf = { rules = false, mode = \"block\" }\n",
            "5:31: site[0].waf.mode: the site turns the rules off",
        ),
        (
            "[waf]\nrules = [\"own.conf\"]\n[[site]]\nroot = \"public\"\nwaf = { mode = \"loud\" }\n",
            "5:16: site[0].waf.mode: `loud`: the mode is",
        ),
        (
            "[waf]\nrules = [\"own.conf\"]\n[[site]]\nroot = \"public\"\nwaf = { paranoia = 5 }\n",
            "5:20: site[0].waf.paranoia: 5 is out of range",
        ),
        (
            "[[site]]\nroot = \"public\"\nwaf = { deny = [\"10.0.0.1/8\"] }\n",
            "3:17: site[0].waf.deny[0]: `10.0.0.1/8`: has bits set past its length",
        ),
        (
            "[[site]]\nroot = \"public\"\nwaf = { allow = [\"::1\"], deny = [\"::1/128\"] }\n",
            "3:34: site[0].waf.deny[0]: ::1/128 is in `allow` too",
        ),
        (
            "[waf]\nresponse_body = true\n[[site]]\nroot = \"public\"\n",
            "2:17: waf.response_body: there are no rules to apply it to",
        ),
        (
            "[waf]\nmemo = false\n[[site]]\nroot = \"public\"\n",
            "2:8: waf.memo: there are no rules to apply it to",
        ),
        (
            "[[site]]\nroot = \"public\"\nwaf = { paranoya = 2 }\n",
            "3:9: site[0].waf.paranoya: unknown field",
        ),
    ];
    for (text, error) in refused {
        check_err(text, &format!("bext.config.toml:{error}"));
    }
}
