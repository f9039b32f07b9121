//! The run's TLS certificate (`tls`, `h2`): one self-signed ECDSA P-256 certificate for
//! `localhost`, made with `openssl req` in the run's directory, which both servers present.
//! The load generators do not verify certificates (wrk and h2load never do); the protocol
//! check tells curl not to.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::error::Error;
use crate::limits::{CERT_VALIDITY_DAYS, TOOL_DEADLINE_MS};
use crate::locate::Programs;
use crate::run::run_captured;
use crate::workdir::WorkDir;

/// A certificate chain (PEM, one certificate) and its private key (PEM).
pub struct CertFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// [`make`] with the openssl that `locate::prepare` found (scenarios that ask for `tls`).
pub fn make_for_run(programs: &Programs, workdir: &WorkDir) -> Result<CertFiles, Error> {
    let openssl = programs
        .openssl
        .as_deref()
        .ok_or_else(|| Error::run("internal: openssl was not located"))?;
    make(openssl, workdir)
}

/// Makes the certificate and key in `workdir` with `openssl req`.
pub fn make(openssl: &Path, workdir: &WorkDir) -> Result<CertFiles, Error> {
    let files = CertFiles {
        cert: workdir.path("cert.pem"),
        key: workdir.path("key.pem"),
    };
    let mut command = Command::new(openssl);
    command
        .args(["req", "-x509", "-newkey", "ec"])
        .args(["-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"])
        .args(["-days", &CERT_VALIDITY_DAYS.to_string()])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost"])
        .arg("-keyout")
        .arg(&files.key)
        .arg("-out")
        .arg(&files.cert);
    let output = run_captured(
        &mut command,
        "openssl req",
        Duration::from_millis(TOOL_DEADLINE_MS),
    )?;
    if !output.status.success() {
        return Err(Error::run(format!(
            "openssl req could not make the benchmark's certificate ({}): {}",
            output.status,
            output.stderr.trim()
        )));
    }
    for path in [&files.cert, &files.key] {
        if !path.is_file() {
            return Err(Error::run(format!(
                "openssl req succeeded but wrote no {}",
                path.display()
            )));
        }
    }
    Ok(files)
}
