//! The command line: `bext check-config` (like `nginx -t`), `bext serve --config` refusing a
//! bad file with the same message, and `bext --version`.
//!
//! Every refused config must say `bext: FILE:LINE:COL: KEY: message` on one stderr line and
//! exit 1; [`check`] runs one config text through `check-config` and compares.

mod common;

use common::*;

/// What `check-config` must say about a config.
enum Expect {
    Valid,
    /// Line, column, key, and a piece of the message.
    Error(usize, usize, &'static str, &'static str),
}

/// Writes `text` as a config beside a `site` directory and runs `bext check-config` on it.
fn check(text: &str, expect: Expect) {
    let dir = TempDir::new("config-cli");
    std::fs::create_dir_all(dir.path().join("site")).expect("site dir");
    let file = dir.write("bext.config.toml", text);
    let file = file.display().to_string();
    let (status, stdout, stderr) = run_bext(&["check-config", &file]);
    match expect {
        Expect::Valid => {
            assert_eq!(status.code(), Some(0), "{text}\nstderr: {stderr}");
            assert!(stdout.contains("configuration is valid"), "{stdout}");
        }
        Expect::Error(line, column, key, message) => {
            assert_eq!(status.code(), Some(1), "{text}\nstdout: {stdout}");
            let prefix = format!("bext: {file}:{line}:{column}: {key}: ");
            let lines: Vec<&str> = stderr.lines().collect();
            assert_eq!(
                lines.len(),
                1,
                "one error line for:\n{text}\nstderr: {stderr}"
            );
            assert!(
                lines[0].starts_with(&prefix),
                "want {prefix:?}... for:\n{text}\nstderr: {stderr}"
            );
            assert!(lines[0].contains(message), "want {message:?} in {stderr}");
        }
    }
}

#[test]
fn valid_configs_pass() {
    check("[[site]]\nroot = \"site\"\n", Expect::Valid);
    check(
        "[server]\nlisten = [\"127.0.0.1:0\", \"[::1]:0\"]\nshards = 2\naccess_log = \"off\"\naccess_log_format = \"json\"\n\
         file_cache_revalidate_ms = 50\n\n[[site]]\nhosts = [\"a.test\", \"*.b.test\"]\nroot = \"site\"\ndotfiles = true\n\
         headers = { \"x-a\" = \"1\" }\nerror_pages = { 404 = \"404.html\" }\n[[site.cache_control]]\nmatch = \"*.css\"\nvalue = \"max-age=60\"\n",
        Expect::Valid,
    );
}

#[test]
fn unknown_keys_are_refused_where_they_are() {
    check(
        "[server]\nlisten = \"127.0.0.1:0\"\nbogus = 1\n[[site]]\nroot = \"site\"\n",
        Expect::Error(3, 1, "server.bogus", "unknown field `bogus`"),
    );
    check(
        "[[site]]\nroot = \"site\"\nrot = \"x\"\n",
        Expect::Error(3, 1, "site[0].rot", "unknown field `rot`"),
    );
    check(
        "[[site]]\nroot = \"site\"\n[[site.cache_control]]\nmatch = \"*\"\nvalue = \"x\"\nvalu = \"y\"\n",
        Expect::Error(6, 1, "site[0].cache_control[0].valu", "unknown field"),
    );
}

#[test]
fn wrong_types_are_refused() {
    check(
        "[server]\nshards = true\n[[site]]\nroot = \"site\"\n",
        Expect::Error(2, 10, "server.shards", "invalid type"),
    );
    check(
        "[[site]]\nroot = \"site\"\ndotfiles = \"yes\"\n",
        Expect::Error(3, 12, "site[0].dotfiles", "invalid type"),
    );
    check(
        "[server]\nheader_bytes_max = \"big\"\n[[site]]\nroot = \"site\"\n",
        Expect::Error(2, 20, "server.header_bytes_max", "invalid type"),
    );
    check(
        "[[site]]\nroot = 7\n",
        Expect::Error(2, 8, "site[0].root", "invalid type"),
    );
}

#[test]
fn out_of_range_limits_are_refused() {
    check(
        "[server]\nheader_bytes_max = 999999999\n[[site]]\nroot = \"site\"\n",
        Expect::Error(2, 20, "server.header_bytes_max", "out of range"),
    );
    check(
        "[server]\nkeepalive_idle_timeout_ms = 0\n[[site]]\nroot = \"site\"\n",
        Expect::Error(2, 29, "server.keepalive_idle_timeout_ms", "out of range"),
    );
    check(
        "[server]\nshards = 0\n[[site]]\nroot = \"site\"\n",
        Expect::Error(2, 10, "server.shards", ""),
    );
}

#[test]
fn bad_listen_addresses_are_refused() {
    check(
        "[server]\nlisten = \"nope:1\"\n[[site]]\nroot = \"site\"\n",
        Expect::Error(2, 10, "server.listen", "not a socket address"),
    );
    check(
        "[server]\nlisten = [\"127.0.0.1:1\", \"localhost:80\"]\n[[site]]\nroot = \"site\"\n",
        Expect::Error(2, 26, "server.listen[1]", "not a socket address"),
    );
    check(
        "[server]\nlisten = \"127.0.0.1\"\n[[site]]\nroot = \"site\"\n",
        Expect::Error(2, 10, "server.listen", "not a socket address"),
    );
}

#[test]
fn a_missing_root_directory_is_refused_at_its_line() {
    check(
        "[[site]]\nroot = \"no-such-dir\"\n",
        Expect::Error(2, 8, "site[0].root", "cannot open directory"),
    );
    check(
        "[[site]]\nhosts = [\"a.test\"]\nroot = \"site\"\n\n[[site]]\nhosts = [\"b.test\"]\nroot   =   \"no-such-dir\"\n",
        Expect::Error(7, 12, "site[1].root", "No such file or directory"),
    );
    // A file is not a directory.
    check(
        "[[site]]\nroot = \"bext.config.toml\"\n",
        Expect::Error(2, 8, "site[0].root", "cannot open directory"),
    );
}

#[test]
fn other_semantic_errors_have_a_place() {
    check(
        "[[site]]\nhosts = [\"a.test\"]\nroot = \"site\"\n[[site]]\nhosts = [\"A.test\"]\nroot = \"site\"\n",
        Expect::Error(5, 10, "site[1].hosts[0]", "already a host"),
    );
    check(
        "[[site]]\nroot = \"site\"\nheaders = { \"bad name\" = \"x\" }\n",
        Expect::Error(3, 13, "site[0].headers.bad name", "not a valid header name"),
    );
    check(
        "[[site]]\nhosts = [\"a.test\"]\n",
        Expect::Error(1, 1, "site[0].root", "required key is missing"),
    );
    check("[server]\n", Expect::Error(1, 1, "site", "no [[site]]"));
}

#[test]
fn a_syntax_error_names_the_place_without_a_key() {
    let dir = TempDir::new("config-cli-syntax");
    let file = dir.write("bext.config.toml", "[[site]]\nroot = \"site\n");
    let file = file.display().to_string();
    let (status, _, stderr) = run_bext(&["check-config", &file]);
    assert_eq!(status.code(), Some(1));
    assert!(stderr.starts_with(&format!("bext: {file}:2:")), "{stderr}");
}

#[test]
fn serve_refuses_a_bad_config_with_the_check_config_message() {
    let dir = TempDir::new("config-cli-serve");
    std::fs::create_dir_all(dir.path().join("site")).expect("site dir");
    for text in [
        "[server]\nlisten = \"127.0.0.1:0\"\nbogus = 1\n[[site]]\nroot = \"site\"\n",
        "[server]\nfile_cache_revalidate_ms = 999999999999\n[[site]]\nroot = \"site\"\n",
        "[[site]]\nroot = \"no-such-dir\"\n",
    ] {
        let file = dir.write("bad.toml", text).display().to_string();
        let (_, _, checked) = run_bext(&["check-config", &file]);
        let (status, _, served) = run_bext(&[
            "serve",
            "--config",
            &file,
            "--listen",
            "127.0.0.1:0",
            "--shards",
            "1",
        ]);
        assert_eq!(status.code(), Some(1), "{text}\n{served}");
        assert!(!served.contains("serving"), "{served}");
        assert_eq!(
            served, checked,
            "serve and check-config say the same about:\n{text}"
        );
        assert!(served.starts_with(&format!("bext: {file}:")), "{served}");
    }
}

#[test]
fn serve_refuses_a_missing_directory() {
    let dir = TempDir::new("config-cli-dir");
    let missing = dir.path().join("nope").display().to_string();
    let (status, _, stderr) = run_bext(&[
        "serve",
        &missing,
        "--listen",
        "127.0.0.1:0",
        "--shards",
        "1",
    ]);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot open directory"), "{stderr}");
}

#[test]
fn version_prints_the_package_version() {
    let (status, stdout, _) = run_bext(&["--version"]);
    assert!(status.success());
    assert_eq!(stdout.trim(), format!("bext {}", env!("CARGO_PKG_VERSION")));
}
