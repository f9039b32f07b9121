//! The eBPF layer from the server's side: the XDP filter attached at launch and kept in
//! step with `[waf]` at each reload, QUIC's socket selection attached to each UDP group,
//! and the handles each shard gets (to write the bans it decides, to read the counters).
//!
//! Whatever fails here is said once on stderr and served around: the userspace WAF enforces
//! every list and ban by itself, and the classic-BPF program steers QUIC by CPU (the shard
//! that owns a connection is then sent its datagrams over the mesh).

use std::cell::RefCell;
use std::net::IpAddr;
use std::sync::Mutex;

use bext_bpf::{QuicSteering, SteeringCounters, XdpBans, XdpFilter};
use bext_core::config::Config;
use bext_core::metrics::KernelStats;

/// What the launcher keeps: the XDP filter (to update its lists) and the QUIC programs.
#[derive(Default)]
pub(crate) struct Kernel {
    xdp: Option<Mutex<XdpFilter>>,
    /// The shards' CPUs, in shard order: what `[waf] xdp_steer` spreads flows over.
    shard_cpus: Vec<usize>,
    steering: Vec<QuicSteering>,
}

impl Kernel {
    /// Attaches the XDP filter to `[waf] xdp_interfaces` (if any), judging `ports`, and
    /// with `xdp_steer` spreading flows over `shard_cpus` (the shards' CPUs, in order).
    pub fn attach_xdp(&mut self, config: &Config, ports: &[u16], shard_cpus: &[usize]) {
        let waf = &config.waf;
        self.shard_cpus = shard_cpus.to_vec();
        if waf.xdp_interfaces.is_empty() {
            return;
        }
        let steer = if waf.xdp_steer { shard_cpus } else { &[] };
        match XdpFilter::attach(&waf.xdp_interfaces, ports, &waf.allow, &waf.deny, steer) {
            Ok(filter) => {
                let on: Vec<String> = filter
                    .attached()
                    .iter()
                    .map(|(name, mode)| format!("{name} ({mode})"))
                    .collect();
                eprintln!(
                    "bext: xdp: filtering [waf]'s denied prefixes and bans on {}{}",
                    on.join(", "),
                    steering_note(steer)
                );
                self.xdp = Some(Mutex::new(filter));
            }
            Err(e) => eprintln!(
                "bext: xdp: not attached to {} ({e}); the shards enforce [waf] by themselves",
                waf.xdp_interfaces.join(", ")
            ),
        }
    }

    /// Attaches QUIC's socket selection to one group (`sockets[i]` is shard `i`'s).
    pub fn attach_quic(&mut self, sockets: &[std::net::UdpSocket], shard_cpus: &[usize]) {
        if std::env::var_os("BEXT_DANGER_NO_QUIC_STEERING").is_some_and(|v| v == "1") {
            return;
        }
        match QuicSteering::attach(sockets, shard_cpus) {
            Ok(steering) => self.steering.push(steering),
            Err(e) => eprintln!(
                "bext: quic: datagrams are steered by CPU, not by connection ID ({e}); \
                 each shard forwards the others' datagrams over the mesh"
            ),
        }
    }

    /// The handles one shard gets.
    pub fn shard(&self) -> ShardKernel {
        let xdp = self.xdp.as_ref().and_then(|filter| {
            let filter = filter.lock().ok()?;
            filter
                .shard()
                .map_err(|e| eprintln!("bext: xdp: a shard cannot write bans ({e})"))
                .ok()
        });
        let steering = self.steering.first().and_then(|steering| {
            steering
                .shard()
                .map_err(|e| eprintln!("bext: quic: a shard cannot read steering counters ({e})"))
                .ok()
        });
        ShardKernel {
            xdp: RefCell::new(xdp),
            steering,
        }
    }

    /// A reload's new `[waf]` lists into the XDP filter. Another set of interfaces takes
    /// effect at the next start.
    pub fn reload(&self, config: &Config) {
        let Some(filter) = &self.xdp else {
            return;
        };
        let Ok(mut filter) = filter.lock() else {
            return;
        };
        let waf = &config.waf;
        let attached: Vec<&str> = filter.attached().iter().map(|(n, _)| n.as_str()).collect();
        if attached != waf.xdp_interfaces {
            eprintln!(
                "bext: xdp: waf.xdp_interfaces changed: the filter stays on {} until bext restarts",
                attached.join(", ")
            );
        }
        if let Err(e) = filter.set_lists(&waf.allow, &waf.deny) {
            eprintln!(
                "bext: xdp: the new [waf] lists are not all in the filter ({e}); the shards enforce them"
            );
        }
        let steer = if waf.xdp_steer {
            &self.shard_cpus[..]
        } else {
            &[]
        };
        if let Err(e) = filter.set_steering(steer) {
            eprintln!("bext: xdp: steering not changed ({e})");
        }
    }
}

/// What the start-up line adds about steering.
fn steering_note(cpus: &[usize]) -> String {
    if cpus.is_empty() {
        return String::new();
    }
    let list: Vec<String> = cpus.iter().map(usize::to_string).collect();
    format!(", spreading TCP flows over CPUs {}", list.join(", "))
}

/// A shard's handles on the eBPF layer.
#[derive(Default)]
pub(crate) struct ShardKernel {
    xdp: RefCell<Option<XdpBans>>,
    steering: Option<SteeringCounters>,
}

/// What [`ShardKernel::ban`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum XdpBan {
    /// No filter attached.
    Absent,
    Written,
    Failed,
}

impl ShardKernel {
    /// Drops `ip`'s packets at XDP for `secs` from now.
    pub fn ban(&self, ip: IpAddr, secs: u64) -> XdpBan {
        let mut xdp = self.xdp.borrow_mut();
        let Some(bans) = xdp.as_mut() else {
            return XdpBan::Absent;
        };
        let until_ns = bext_shards::sys::kernel_monotonic_ns()
            .saturating_add(secs.saturating_mul(1_000_000_000));
        match bans.ban(ip, until_ns) {
            Ok(()) => XdpBan::Written,
            Err(_) => XdpBan::Failed,
        }
    }

    /// The programs' counters, for a scrape.
    pub fn stats(&self) -> KernelStats {
        KernelStats {
            xdp: self.xdp.borrow().as_ref().map(|bans| {
                let s = bans.stats();
                [s.passed, s.denied, s.banned, s.steered]
            }),
            quic_steering: self.steering.as_ref().map(|counters| {
                let s = counters.stats();
                [s.by_cid, s.by_cpu, s.unsteered]
            }),
        }
    }
}
