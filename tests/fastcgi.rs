//! `[site.fastcgi]` end to end: bext on loopback in front of a real PHP-FPM (Debian's
//! `php-fpm`, which `scripts/test.sh` installs), curl as the client: scripts with their
//! CGI parameters, `PATH_INFO`, form bodies, a front controller for paths that are no file
//! (WordPress's and Laravel's `try_files`), directory index scripts, redirects and statuses
//! set by the script, a large streamed output, and a script never served as a file.

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Bext, TempDir};

/// PHP-FPM from Debian's packages: the versioned binary in /usr/sbin.
fn php_fpm() -> PathBuf {
    let found = std::fs::read_dir("/usr/sbin")
        .expect("/usr/sbin lists")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("php-fpm"))
        });
    found.expect("php-fpm is installed (scripts/test.sh installs php-fpm)")
}

/// A running PHP-FPM pool, stopped on drop.
struct Fpm {
    child: Child,
    /// What `[site.fastcgi] server` says: `127.0.0.1:PORT`, or `unix:fpm/php.sock`.
    server: String,
    log: PathBuf,
}

impl Fpm {
    /// On a loopback port, or on a Unix socket in `dir` (PHP-FPM's own default).
    /// `extra`: more lines for the pool (`pm.max_requests = 3`).
    fn start(dir: &TempDir, unix: bool, extra: &str) -> Fpm {
        // A free port: bound, then released for PHP-FPM (which cannot take port 0).
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let run = dir.path().join("fpm");
        std::fs::create_dir_all(&run).expect("fpm dir");
        let log = run.join("fpm.log");
        let socket = run.join("php.sock");
        let listen = if unix {
            format!("{}\nlisten.mode = 0666", socket.display())
        } else {
            format!("127.0.0.1:{port}")
        };
        let config = dir.write(
            "fpm/fpm.conf",
            format!(
                "[global]\npid = {run}/fpm.pid\nerror_log = {log}\ndaemonize = no\n\
                 [www]\nuser = nobody\ngroup = nogroup\nlisten = {listen}\n\
                 pm = static\npm.max_children = 2\ncatch_workers_output = yes\n\
                 decorate_workers_output = no\n{extra}\n",
                run = run.display(),
                log = log.display()
            ),
        );
        let child = Command::new(php_fpm())
            .args(["-R", "-F", "-y"])
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("php-fpm starts");
        let server = if unix {
            "unix:fpm/php.sock".to_owned()
        } else {
            format!("127.0.0.1:{port}")
        };
        let fpm = Fpm { child, server, log };
        let deadline = Instant::now() + common::DEADLINE;
        let listening = || {
            if unix {
                std::os::unix::net::UnixStream::connect(&socket).is_ok()
            } else {
                std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            }
        };
        while !listening() {
            assert!(
                Instant::now() < deadline,
                "php-fpm did not listen on {listen}: {}",
                std::fs::read_to_string(&fpm.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        fpm
    }
}

impl Drop for Fpm {
    /// SIGQUIT first, PHP-FPM's graceful stop, so the master takes its workers with it (a
    /// SIGKILLed master leaves them running); SIGKILL if it has not gone within a second.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-QUIT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A site of PHP scripts and a file, with `[site.fastcgi]` on a PHP-FPM of its own (over a
/// Unix socket or TCP).
fn site(tag: &str, unix: bool) -> (TempDir, Fpm, Bext) {
    site_with(tag, unix, "", "")
}

/// [`site`] with more `[site.fastcgi]` settings and more PHP-FPM pool lines.
fn site_with(tag: &str, unix: bool, fastcgi: &str, fpm_extra: &str) -> (TempDir, Fpm, Bext) {
    let dir = TempDir::new(tag);
    dir.write(
        "www/info.php",
        r#"<?php
header('Content-Type: application/json');
header('X-Script: info');
echo json_encode([
  'script_filename' => $_SERVER['SCRIPT_FILENAME'],
  'script_name' => $_SERVER['SCRIPT_NAME'],
  'path_info' => $_SERVER['PATH_INFO'] ?? '',
  'request_uri' => $_SERVER['REQUEST_URI'],
  'query' => $_GET,
  'post' => $_POST,
  'input' => file_get_contents('php://input'),
  'method' => $_SERVER['REQUEST_METHOD'],
  'remote_addr' => $_SERVER['REMOTE_ADDR'],
  'host' => $_SERVER['HTTP_HOST'] ?? '',
  'proxy' => $_SERVER['HTTP_PROXY'] ?? '',
]);
"#,
    );
    dir.write(
        "www/index.php",
        r#"<?php
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/missing') { http_response_code(404); echo "no route\n"; exit; }
if ($path === '/go') { header('Location: /elsewhere'); exit; }
echo "front controller: $path\n";
"#,
    );
    dir.write(
        "www/upload.php",
        r#"<?php
$in = file_get_contents('php://input');
header('Content-Type: application/json');
echo json_encode([
  'bytes' => strlen($in),
  'sha256' => hash('sha256', $in),
  'content_length' => $_SERVER['CONTENT_LENGTH'] ?? '',
]);
"#,
    );
    dir.write("www/admin/index.php", "<?php echo \"admin index\\n\";\n");
    dir.write(
        "www/big.php",
        "<?php\nerror_log('big.php on stderr');\nfor ($i = 0; $i < 2000; $i++) { echo str_repeat('x', 999), \"\\n\"; flush(); }\n",
    );
    dir.write("www/static.txt", "a plain file\n");
    dir.write("www/protected/report.txt", "secret report\n");
    dir.write(
        "www/download.php",
        r#"<?php
if (($_GET['who'] ?? '') !== 'me') { http_response_code(403); echo "no\n"; exit; }
header('X-Accel-Redirect: ' . ($_GET['to'] ?? '/protected/report.txt'));
header('Content-Disposition: attachment; filename="report.txt"');
header('Set-Cookie: seen=1');
header('Content-Type: application/x-not-the-file');
echo "the script's own body\n";
"#,
    );
    // PHP-FPM's workers run as nobody: they must read the scripts.
    let _ = Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(dir.path())
        .status();
    let fpm = Fpm::start(&dir, unix, fpm_extra);
    let config = dir.write(
        "bext.toml",
        format!(
            "[[site]]\nroot = \"www\"\nbody_bytes_max = 16777216\ninternal = [\"/protected/**\"]\n\
             [site.fastcgi]\nserver = \"{}\"\nfront_controller = \"/index.php\"\n{fastcgi}\n",
            fpm.server
        ),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    (dir, fpm, bext)
}

/// `curl ARGS URL`: status, head and body.
fn curl(url: &str, args: &[&str]) -> (u16, String, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20", "-D", "-"])
        .args(args)
        .arg(url)
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_lowercase(), body.to_owned())
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn scripts_run_with_their_cgi_parameters() {
    let (dir, _fpm, bext) = site("fastcgi-scripts", false);
    let base = format!("http://{}", bext.addr);
    let root = std::fs::canonicalize(dir.path().join("www")).expect("root");

    let (status, head, body) = curl(
        &format!("{base}/info.php/extra/path?a=1&b=2"),
        &["-H", "Proxy: http://evil.example/"],
    );
    assert_eq!(status, 200, "{head}{body}");
    assert!(head.contains("x-script: info"), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    let doc = json(&body);
    assert_eq!(
        doc["script_filename"],
        format!("{}/info.php", root.display())
    );
    assert_eq!(doc["script_name"], "/info.php");
    assert_eq!(doc["path_info"], "/extra/path");
    assert_eq!(doc["request_uri"], "/info.php/extra/path?a=1&b=2");
    assert_eq!(doc["query"]["b"], "2");
    assert_eq!(doc["remote_addr"], "127.0.0.1");
    assert_eq!(
        doc["proxy"], "",
        "httpoxy: a client's Proxy field is not HTTP_PROXY"
    );

    // A form body reaches $_POST and php://input.
    let (status, _, body) = curl(&format!("{base}/info.php"), &["--data", "x=1&y=two"]);
    assert_eq!(status, 200);
    let doc = json(&body);
    assert_eq!(
        (doc["method"].as_str(), doc["post"]["y"].as_str()),
        (Some("POST"), Some("two"))
    );
    assert_eq!(doc["input"], "x=1&y=two");

    // However its name is escaped, a script runs; its source is never sent.
    let (status, _, body) = curl(&format!("{base}/info%2ephp"), &[]);
    assert_eq!(status, 200);
    assert!(body.starts_with('{'), "{body}");
    assert!(!body.contains("<?php"), "{body}");

    // A large output streams whole; the script's stderr reaches bext's log.
    let (status, _, body) = curl(&format!("{base}/big.php"), &[]);
    assert_eq!((status, body.len()), (200, 2_000_000));
    assert!(
        bext.wait_for_stderr("big.php on stderr"),
        "{}",
        bext.stderr()
    );

    // A script that does not exist: PHP-FPM's 404, logged.
    assert_eq!(curl(&format!("{base}/nope.php"), &[]).0, 404);
    assert_eq!(bext.metric("bext_fastcgi_errors_total"), 0);
}

#[test]
fn paths_that_are_no_file_go_to_the_front_controller() {
    // Over PHP-FPM's Unix socket this time.
    let (_dir, _fpm, bext) = site("fastcgi-front", true);
    let base = format!("http://{}", bext.addr);
    let (status, _, body) = curl(&format!("{base}/static.txt"), &[]);
    assert_eq!((status, body.as_str()), (200, "a plain file\n"));
    let (status, _, body) = curl(&format!("{base}/pretty/url?q=1"), &[]);
    assert_eq!(
        (status, body.as_str()),
        (200, "front controller: /pretty/url\n")
    );
    // A directory runs its own index script, else the front controller.
    assert_eq!(curl(&format!("{base}/admin/"), &[]).2, "admin index\n");
    assert_eq!(curl(&format!("{base}/"), &[]).2, "front controller: /\n");
    // Statuses and redirects the script sets.
    let (status, head, _) = curl(&format!("{base}/go"), &[]);
    assert_eq!(status, 302);
    assert!(head.contains("location: /elsewhere"), "{head}");
    assert_eq!(curl(&format!("{base}/missing"), &[]).0, 404);
    assert_eq!(bext.metric("bext_fastcgi_requests_total"), 5);
}

#[test]
fn a_script_hands_out_an_internal_file_with_x_accel_redirect() {
    let (_dir, _fpm, bext) = site("fastcgi-accel", true);
    let base = format!("http://{}", bext.addr);
    // The script decides; the file's bytes, type and length are the file's, the script's
    // Content-Disposition and cookie are kept, its own body and type are not.
    let (status, head, body) = curl(&format!("{base}/download.php?who=me"), &[]);
    assert_eq!((status, body.as_str()), (200, "secret report\n"), "{head}");
    assert!(
        head.contains("content-disposition: attachment; filename=\"report.txt\""),
        "{head}"
    );
    assert!(head.contains("set-cookie: seen=1"), "{head}");
    assert!(head.contains("content-type: text/plain"), "{head}");
    assert!(!head.contains("x-accel-redirect"), "{head}");
    // Ranges and HEAD apply to the file.
    let (status, _, body) = curl(&format!("{base}/download.php?who=me"), &["-r", "0-5"]);
    assert_eq!((status, body.as_str()), (206, "secret"));
    let (status, head, body) = curl(&format!("{base}/download.php?who=me"), &["-I"]);
    assert_eq!(status, 200);
    assert!(
        !body.contains("secret"),
        "a HEAD answer has no body: {body}"
    );
    assert!(head.contains("content-length: 14"), "{head}");
    // The script says no: its answer stands.
    let (status, _, body) = curl(&format!("{base}/download.php"), &[]);
    assert_eq!((status, body.as_str()), (403, "no\n"));
    // Clients cannot ask for the internal file themselves, however they spell its path.
    for path in [
        "/protected/report.txt",
        "/%70rotected/report.txt",
        "/protected//report.txt",
        "/x/../protected/report.txt",
    ] {
        let (status, _, body) = curl(&format!("{base}{path}"), &["--path-as-is"]);
        // (A `..` segment is refused as a bad path, 400, before anything is looked up.)
        assert!(matches!(status, 400 | 404), "{path}: {status} {body}");
        assert!(!body.contains("secret"), "{path}: {body}");
    }
    // A value that is no path is the script's error.
    let (status, _, _) = curl(&format!("{base}/download.php?who=me&to=nope"), &[]);
    assert_eq!(status, 502);
    assert!(
        bext.wait_for_stderr("X-Accel-Redirect `nope` is not a path of the site"),
        "{}",
        bext.stderr()
    );
}

#[test]
fn a_fastcgi_server_that_is_not_there_is_a_502_with_its_cause() {
    let dir = TempDir::new("fastcgi-down");
    dir.write("www/index.php", "<?php echo 1;\n");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let config = dir.write(
        "bext.toml",
        format!("[[site]]\nroot = \"www\"\n[site.fastcgi]\nserver = \"127.0.0.1:{port}\"\n"),
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let (status, _, _) = curl(&format!("http://{}/index.php", bext.addr), &[]);
    assert_eq!(status, 502);
    assert!(bext.wait_for_stderr("connect:"), "{}", bext.stderr());
    assert_eq!(bext.metric("bext_fastcgi_errors_total"), 1);
    common::assert_configs_refused(
        "fastcgi-config",
        &[
            (
                "[[site]]\napp = \"app\"\n[site.fastcgi]\nserver = \"127.0.0.1:9000\"\n",
                "site[0].fastcgi: needs the site's `root`",
            ),
            (
                "[[site]]\nroot = \".\"\n[site.fastcgi]\nserver = \"127.0.0.1:9000\"\nfront_controller = \"index.html\"\n",
                "site[0].fastcgi.front_controller: `index.html`: a script's path",
            ),
        ],
    );
}

#[test]
fn kept_connections_carry_many_requests_and_outlive_a_recycled_worker() {
    // Each PHP-FPM worker exits after 3 requests, closing the connection bext kept to it.
    let (_dir, _fpm, bext) = site_with(
        "fastcgi-keepalive",
        false,
        "keepalive_max = 1",
        "pm.max_requests = 3",
    );
    let base = format!("http://{}", bext.addr);
    for i in 0..12 {
        let (status, _, body) = curl(&format!("{base}/info.php?i={i}"), &[]);
        assert_eq!(status, 200, "request {i}: {body}");
        assert_eq!(json(&body)["query"]["i"], i.to_string());
    }
    // A streamed answer ends cleanly too, and its connection is kept after it.
    let (status, _, body) = curl(&format!("{base}/big.php"), &[]);
    assert_eq!((status, body.len()), (200, 2_000_000));
    let (status, _, body) = curl(&format!("{base}/info.php"), &["--data", "x=1"]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["post"]["x"], "1");
    // Fewer connections than requests (kept ones reused), more than one (each recycled
    // worker's was replaced).
    let opened = bext.metric("bext_fastcgi_connections_opened_total");
    assert!(
        (2..14).contains(&opened),
        "{opened} connections for 14 requests"
    );
    assert_eq!(bext.metric("bext_fastcgi_errors_total"), 0);
}

#[test]
fn uploads_reach_the_script_whole_as_they_stream_or_after_being_collected() {
    let (dir, _fpm, bext) = site("fastcgi-upload", false);
    let base = format!("http://{}", bext.addr);
    // Under PHP's post_max_size (8M): php://input holds all of it.
    let data: Vec<u8> = (0..(5 << 20)).map(|i: u32| (i % 253) as u8).collect();
    let file = dir.write("upload.bin", &data);
    let sum = String::from_utf8_lossy(
        &Command::new("sha256sum")
            .arg(&file)
            .output()
            .expect("sha256sum runs")
            .stdout,
    )
    .split_whitespace()
    .next()
    .unwrap_or_default()
    .to_owned();
    let upload = format!("@{}", file.display());
    // Declared length: streamed as FCGI_STDIN records as it arrives. Chunked: read whole
    // first (CONTENT_LENGTH must precede the input), then sent with its length.
    for chunked in [false, true] {
        let mut args = vec![
            "--data-binary",
            &upload,
            "-H",
            "Content-Type: application/octet-stream",
            // No `100 Continue` head before the answer's (this curl helper reads one head).
            "-H",
            "Expect:",
        ];
        if chunked {
            args.extend(["-H", "Transfer-Encoding: chunked"]);
        }
        let (status, _, body) = curl(&format!("{base}/upload.php"), &args);
        assert_eq!(status, 200, "chunked={chunked}: {body}");
        let doc = json(&body);
        assert_eq!(doc["bytes"], data.len(), "chunked={chunked}");
        assert_eq!(doc["sha256"], sum.as_str(), "chunked={chunked}");
        assert_eq!(doc["content_length"], data.len().to_string());
    }
    // Past the site's body_bytes_max (16 MiB): 413, nothing run.
    let big = dir.write("big.bin", vec![0u8; 17 << 20]);
    let (status, _, _) = curl(
        &format!("{base}/upload.php"),
        &[
            "--data-binary",
            &format!("@{}", big.display()),
            "-H",
            "Expect:",
        ],
    );
    assert_eq!(status, 413);
    assert_eq!(bext.metric("bext_fastcgi_errors_total"), 0);
}
