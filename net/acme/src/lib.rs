//! # bext-acme: certificates from an ACME CA, on a thread of their own
//!
//! A site with `tls = { acme = { … } }` gets its certificate from an ACME CA (RFC 8555; Let's
//! Encrypt by default) without an operator in the loop. The work is slow (seconds of round
//! trips to the CA, and the CA's own checks), rare (once per site per couple of months) and
//! needs a full HTTP client, so it runs on one thread of its own, the ACME thread, never on a
//! shard: shards only ever see its results, as immutable values, the same way they see a
//! reloaded config.
//!
//! What crosses from this thread to the shards ([`Control`]):
//! - **Challenges.** While an order is open, the set of challenges to answer
//!   ([`bext_core::acme::Challenges`]: HTTP-01 tokens, TLS-ALPN-01 certificates) is published
//!   to every shard as a whole new value, and the CA is told to check only once every shard
//!   has taken it (`publish` returns then), so the CA never asks a shard that does not know
//!   yet.
//! - **Certificates.** The chain and key are written to the storage folder (atomically:
//!   a temporary file, then a rename) and the control thread is asked to rebuild the
//!   certificate set from the current config (`installed`): shards swap it in like a reload,
//!   and connections already open keep the certificate they started with.
//!
//! The protocol itself (accounts, JWS, nonces, orders, polling) is the `instant-acme` crate,
//! on a current-thread tokio runtime that exists only on this thread. Keys, the CSR and the
//! TLS-ALPN-01 certificate with its `acmeIdentifier` extension come from `rcgen`.
//!
//! When (the decisions are [`bext_core::acme`]'s): at start and after each reload every ACME
//! site is checked; one with no certificate, or one that does not name all its hosts, or one
//! in its renewal window (the last 30 days, or the last third of a short-lived one) gets an
//! order. A failed order is logged with the CA's reason and tried again after a wait that
//! doubles from `ACME_RETRY_FIRST_SECS` up to `ACME_RETRY_MAX_SECS`; meanwhile the site keeps
//! serving what it has (the old certificate, or a self-signed stand-in before the first).

#![forbid(unsafe_code)]

mod order;
mod store;

use std::collections::HashMap;
use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bext_core::acme::{Challenges, due};
use bext_core::config::Acme;
use bext_core::limits::{ACME_ORDER_DEADLINE_MS, ACME_RETRY_FIRST_SECS, ACME_RETRY_MAX_SECS};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// A site the ACME thread keeps a certificate for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// The names on the certificate (the site's `hosts`).
    pub hosts: Vec<String>,
    pub acme: Acme,
}

/// What the ACME thread asks of the rest of the process.
pub trait Control: Send + 'static {
    /// Makes every shard answer `challenges` (and no others); returns once they all do, or
    /// says why not.
    fn publish(&self, challenges: Arc<Challenges>) -> Result<(), String>;
    /// A new certificate for `hosts` is in its storage folder: serve it.
    fn installed(&self, hosts: &[String]);
}

enum Command {
    Sites(Vec<Site>),
    Stop,
}

/// The ACME thread.
pub struct Manager {
    commands: mpsc::UnboundedSender<Command>,
}

impl Manager {
    /// Starts the thread for `sites`.
    pub fn start(sites: Vec<Site>, control: impl Control) -> io::Result<Manager> {
        let (commands, receiver) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name(String::from("bext-acme"))
            .spawn(move || runtime.block_on(run(sites, control, receiver)))?;
        Ok(Manager { commands })
    }

    /// The sites of a reloaded config: new ones are checked now, removed ones forgotten.
    pub fn update(&self, sites: Vec<Site>) {
        let _ = self.commands.send(Command::Sites(sites));
    }
}

impl Drop for Manager {
    /// Asks the thread to stop; it does between steps. It is not waited for: an order in
    /// flight may take minutes, and a process that exits meanwhile leaves nothing half
    /// written (files are renamed into place whole) and an order the CA lets expire.
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
    }
}

/// One site's schedule.
struct Entry {
    site: Site,
    next: Instant,
    failures: u32,
    /// The stored certificate's dates were logged (once per site, not at every check).
    announced: bool,
}

/// Longest sleep between two checks of a site whose certificate is not yet due: a clock
/// that jumps (a suspended VM) is noticed within this.
// tidy: not a limit: a polling interval.
const RECHECK_SECS_MAX: u64 = 12 * 60 * 60;

async fn run(
    sites: Vec<Site>,
    control: impl Control,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let mut entries = schedule(Vec::new(), sites);
    let mut open = Challenges::default();
    loop {
        let wake = entries
            .iter()
            .map(|e| e.next)
            .min()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(RECHECK_SECS_MAX));
        tokio::select! {
            command = commands.recv() => match command {
                Some(Command::Sites(sites)) => entries = schedule(entries, sites),
                Some(Command::Stop) | None => return,
            },
            () = tokio::time::sleep_until(wake) => {
                let now = Instant::now();
                for entry in entries.iter_mut().filter(|e| e.next <= now) {
                    check(entry, &control, &mut open).await;
                }
            }
        }
    }
}

/// The entries for `sites`: a site that was already there keeps its schedule, others are
/// due now.
fn schedule(old: Vec<Entry>, sites: Vec<Site>) -> Vec<Entry> {
    let mut old: HashMap<Vec<String>, Entry> =
        old.into_iter().map(|e| (e.site.hosts.clone(), e)).collect();
    sites
        .into_iter()
        .map(|site| match old.remove(&site.hosts) {
            Some(entry) if entry.site == site => entry,
            _ => Entry {
                site,
                next: Instant::now(),
                failures: 0,
                announced: false,
            },
        })
        .collect()
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Looks at a site's stored certificate and orders a new one if it is due.
async fn check(entry: &mut Entry, control: &impl Control, open: &mut Challenges) {
    let site = &entry.site;
    let name = &site.hosts[..];
    let stored = store::read_stored(&site.acme.storage, &site.hosts);
    let now = unix_now();
    let Some(why) = due(stored.as_ref(), &site.hosts, now) else {
        if let Some(s) = &stored
            && entry.failures == 0
            && !entry.announced
        {
            eprintln!(
                "bext: acme: certificate for {} is valid until {} UTC (renewal from {} UTC)",
                name.join(", "),
                store::utc(s.not_after),
                store::utc(bext_core::acme::renew_at(s.not_before, s.not_after)),
            );
        }
        entry.announced = true;
        entry.failures = 0;
        entry.next = next_check(stored.as_ref(), now);
        return;
    };
    eprintln!(
        "bext: acme: ordering a certificate for {} from {} ({})",
        name.join(", "),
        site.acme.directory,
        store::describe(&why)
    );
    let deadline = Duration::from_millis(ACME_ORDER_DEADLINE_MS);
    let result = match tokio::time::timeout(deadline, order::run(site, control, open)).await {
        Ok(result) => result,
        Err(_) => Err(format!("it took longer than {deadline:?}")),
    };
    // Whatever happened, this order's challenges are closed now.
    if !open.is_empty() {
        *open = Challenges::default();
        if let Err(e) = control.publish(Arc::new(open.clone())) {
            eprintln!("bext: acme: closing the challenges: {e}");
        }
    }
    match result.and_then(|issued| store::write_issued(&site.acme.storage, &site.hosts, &issued)) {
        Ok(()) => {
            entry.failures = 0;
            entry.announced = true;
            control.installed(&site.hosts);
            let stored = store::read_stored(&site.acme.storage, &site.hosts);
            match &stored {
                Some(s) => eprintln!(
                    "bext: acme: certificate for {} installed (valid until {} UTC, renewal from {} UTC)",
                    name.join(", "),
                    store::utc(s.not_after),
                    store::utc(bext_core::acme::renew_at(s.not_before, s.not_after)),
                ),
                None => eprintln!(
                    "bext: acme: certificate for {} written but cannot be read back",
                    name.join(", ")
                ),
            }
            entry.next = next_check(stored.as_ref(), unix_now());
        }
        Err(e) => {
            entry.failures = entry.failures.saturating_add(1);
            let wait = retry_wait(entry.failures);
            eprintln!(
                "bext: acme: order for {} failed: {e}; trying again in {} s",
                name.join(", "),
                wait.as_secs()
            );
            entry.next = Instant::now() + wait;
        }
    }
}

/// When to look at a site again whose certificate is not due.
fn next_check(stored: Option<&bext_core::acme::Stored>, now: i64) -> Instant {
    let secs = stored.map_or(0, |s| {
        let left = bext_core::acme::renew_at(s.not_before, s.not_after) - now;
        u64::try_from(left).unwrap_or(0)
    });
    Instant::now() + Duration::from_secs(secs.min(RECHECK_SECS_MAX))
}

/// The wait after the `failures`th failed order in a row.
fn retry_wait(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(20);
    Duration::from_secs((ACME_RETRY_FIRST_SECS << doublings).min(ACME_RETRY_MAX_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_waits_double_up_to_the_ceiling() {
        let waits: Vec<u64> = (1..=13).map(|n| retry_wait(n).as_secs()).collect();
        assert_eq!(&waits[..4], &[60, 120, 240, 480]);
        assert_eq!(waits[12], ACME_RETRY_MAX_SECS);
        assert_eq!(retry_wait(u32::MAX).as_secs(), ACME_RETRY_MAX_SECS);
    }
}
