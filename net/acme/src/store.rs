//! The storage folder: `account-<CA>.json` (the account's key and URL, one per directory)
//! and `<first host>/cert.pem` + `key.pem` per site. Every file is written whole to a
//! temporary name and renamed into place, so a reader (a reload, a restart) sees the old file
//! or the new one, never half of one; keys are readable by the owner only.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use bext_core::acme::{Due, Stored, cert_dir};
use x509_parser::extensions::GeneralName;

/// A certificate chain and its key, as the CA issued them.
pub(crate) struct Issued {
    pub chain_pem: String,
    pub key_pem: String,
}

/// What the stored certificate of a site says, if there is one that parses.
pub(crate) fn read_stored(storage: &Path, hosts: &[String]) -> Option<Stored> {
    let pem = fs::read(cert_dir(storage, hosts).join("cert.pem")).ok()?;
    parse(&pem)
}

fn parse(pem: &[u8]) -> Option<Stored> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem).ok()?;
    let cert = pem.parse_x509().ok()?;
    let validity = cert.validity();
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            if let GeneralName::DNSName(dns) = name {
                names.push(dns.to_ascii_lowercase());
            }
        }
    }
    Some(Stored {
        names,
        not_before: validity.not_before.timestamp(),
        not_after: validity.not_after.timestamp(),
    })
}

/// Puts a new certificate and key in the site's folder.
pub(crate) fn write_issued(
    storage: &Path,
    hosts: &[String],
    issued: &Issued,
) -> Result<(), String> {
    let dir = cert_dir(storage, hosts);
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if parse(issued.chain_pem.as_bytes()).is_none() {
        return Err(String::from(
            "the CA sent a certificate chain that does not parse",
        ));
    }
    // Key first: a reader that finds the new certificate finds its key too.
    write_file(&dir.join("key.pem"), issued.key_pem.as_bytes(), true)?;
    write_file(&dir.join("cert.pem"), issued.chain_pem.as_bytes(), false)
}

/// Writes `bytes` to `path` whole (a temporary file beside it, then a rename); `secret`:
/// readable by the owner only.
pub(crate) fn write_file(path: &Path, bytes: &[u8], secret: bool) -> Result<(), String> {
    let temp = path.with_extension("tmp");
    let write = || -> io::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(if secret { 0o600 } else { 0o644 })
            .open(&temp)?;
        // An existing file keeps its mode through `open`: set it.
        file.set_permissions(fs::Permissions::from_mode(if secret {
            0o600
        } else {
            0o644
        }))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    };
    write().map_err(|e| format!("{}: {e}", path.display()))
}

/// Why an order is placed, for the log.
pub(crate) fn describe(due: &Due) -> String {
    match due {
        Due::Missing => String::from("none stored yet"),
        Due::NamesChanged(names) => format!("the stored one does not name {}", names.join(", ")),
        Due::Renewal => String::from("the stored one is due for renewal"),
    }
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn utc(secs: i64) -> String {
    let (year, month, day) = bext_core::access_log::civil_from_days(secs.div_euclid(86_400));
    let rest = secs.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        for (secs, text) in [
            (0, "1970-01-01 00:00:00"),
            (951_782_400, "2000-02-29 00:00:00"),
            (1_798_761_599, "2026-12-31 23:59:59"),
        ] {
            assert_eq!(utc(secs), text);
        }
    }

    #[test]
    fn a_written_certificate_reads_back() {
        let dir = std::env::temp_dir().join(format!("bext-acme-store-{}", std::process::id()));
        let hosts = vec![String::from("a.example"), String::from("b.example")];
        let key = rcgen::KeyPair::generate().expect("key");
        let cert = rcgen::CertificateParams::new(hosts.clone())
            .expect("params")
            .self_signed(&key)
            .expect("cert");
        let issued = Issued {
            chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        };
        write_issued(&dir, &hosts, &issued).expect("written");
        let stored = read_stored(&dir, &hosts).expect("stored");
        assert_eq!(stored.names, hosts);
        assert!(stored.not_after > stored.not_before);
        let mode = fs::metadata(cert_dir(&dir, &hosts).join("key.pem"))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let garbage = Issued {
            chain_pem: String::from("not a certificate"),
            key_pem: String::new(),
        };
        assert!(write_issued(&dir, &hosts, &garbage).is_err());
        // The good one is still there.
        assert!(read_stored(&dir, &hosts).is_some());
        let _ = fs::remove_dir_all(&dir);
    }
}
