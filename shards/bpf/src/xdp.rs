//! The XDP filter: loading `c/xdp_filter.c`, attaching it to interfaces, keeping its lists in
//! step with `[waf]`, and each shard's handle for bans and counters.

use std::collections::HashMap as StdHashMap;
use std::net::IpAddr;

use aya::Ebpf;
use aya::maps::{Array, CpuMap, HashMap, LpmTrie, Map, MapData, PerCpuArray};
use aya::programs::{Xdp, XdpMode};
use bext_core::limits::{
    WAF_PREFIXES_MAX, XDP_BANS_MAX, XDP_PORTS_MAX, XDP_STEER_CPUS_MAX, XDP_STEER_QUEUE_PACKETS,
};
use bext_core::waf::Prefix;

use crate::error::{Context, Error};
use crate::keys::{
    ClientKey, LIST_ALLOW, LIST_DENY, PrefixKey, client_key, port_key, prefix_key, trie_key4,
    trie_key6,
};
use crate::maps;

static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/xdp_filter.o"));

/// The program's name in the object (its C function).
const PROGRAM: &str = "bext_xdp_filter";

/// Packets the filter judged (those for bext's ports), summed over every CPU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct XdpStats {
    pub passed: u64,
    /// Dropped: from a denied prefix.
    pub denied: u64,
    /// Dropped: from a banned client.
    pub banned: u64,
    /// Passed on to another CPU, the one whose shard owns the flow (`[waf] xdp_steer`).
    pub steered: u64,
}

/// The filter, loaded and attached; detached when dropped (and by the kernel when the
/// process ends: the attachments are BPF links, which close with their last descriptor).
pub struct XdpFilter {
    /// Owns the program and its links.
    _ebpf: Ebpf,
    /// Each interface and the mode it got ("native" or "generic").
    attached: Vec<(String, &'static str)>,
    prefixes4: LpmTrie<MapData, [u8; 4], u8>,
    prefixes6: LpmTrie<MapData, [u8; 16], u8>,
    /// What the tries hold, to change only what a reload changes.
    listed: StdHashMap<PrefixKey, u8>,
    bans4: Map,
    bans6: Map,
    counters: Map,
    /// Steering's CPUs (slot 0: how many; 0 is off), see [`XdpFilter::set_steering`].
    steer: Array<MapData, u32>,
    /// The CPUs given a queue in the CPU map.
    queues: CpuMap<MapData>,
}

impl XdpFilter {
    /// Loads the filter, fills its lists and ports, and attaches it to each interface:
    /// natively (in the driver) where the driver can, else generically (after the driver
    /// builds its socket buffer: still before the stack). With `steer_cpus` (the shards'
    /// CPUs, in shard order) it also spreads TCP flows over those CPUs; empty, it does not.
    pub fn attach(
        interfaces: &[String],
        ports: &[u16],
        allow: &[Prefix],
        deny: &[Prefix],
        steer_cpus: &[usize],
    ) -> Result<XdpFilter, Error> {
        if ports.len() > XDP_PORTS_MAX {
            return Err(Error::new(
                "filling the ports",
                format!("{} ports, at most {XDP_PORTS_MAX}", ports.len()),
            ));
        }
        // The kernel refuses a CPU map larger than the possible CPUs.
        let cpus = aya::util::nr_cpus()
            .map_err(|(what, e)| Error::new("counting the CPUs", format!("{what}: {e}")))?
            .min(XDP_STEER_CPUS_MAX);
        let mut ebpf = maps::load(
            OBJECT,
            &[
                ("prefixes4", WAF_PREFIXES_MAX),
                ("prefixes6", WAF_PREFIXES_MAX),
                ("bans4", XDP_BANS_MAX),
                ("bans6", XDP_BANS_MAX),
                ("ports", XDP_PORTS_MAX),
                ("cpus", cpus),
                ("steer", XDP_STEER_CPUS_MAX + 1),
            ],
        )?;
        let mut port_map: HashMap<MapData, u16, u8> =
            HashMap::try_from(maps::take(&mut ebpf, "ports")?).step("opening the ports map")?;
        for &port in ports {
            port_map
                .insert(port_key(port), 1, 0)
                .step("filling the ports map")?;
        }
        let mut filter = XdpFilter {
            prefixes4: LpmTrie::try_from(maps::take(&mut ebpf, "prefixes4")?)
                .step("opening the IPv4 prefixes")?,
            prefixes6: LpmTrie::try_from(maps::take(&mut ebpf, "prefixes6")?)
                .step("opening the IPv6 prefixes")?,
            bans4: maps::take(&mut ebpf, "bans4")?,
            bans6: maps::take(&mut ebpf, "bans6")?,
            counters: maps::take(&mut ebpf, "counters")?,
            steer: Array::try_from(maps::take(&mut ebpf, "steer")?)
                .step("opening the steering map")?,
            queues: CpuMap::try_from(maps::take(&mut ebpf, "cpus")?).step("opening the CPU map")?,
            listed: StdHashMap::new(),
            attached: Vec::new(),
            _ebpf: ebpf,
        };
        filter.set_lists(allow, deny)?;
        filter.set_steering(steer_cpus)?;
        let program: &mut Xdp = filter
            ._ebpf
            .program_mut(PROGRAM)
            .ok_or_else(|| Error::new("finding the program", PROGRAM))?
            .try_into()
            .step("finding the program")?;
        program.load().step("loading the program")?;
        for interface in interfaces {
            let mode = match program.attach(interface, XdpMode::Driver) {
                Ok(_) => "native",
                Err(_) => {
                    program
                        .attach(interface, XdpMode::Skb)
                        .step(format!("attaching to {interface}"))?;
                    "generic"
                }
            };
            filter.attached.push((interface.clone(), mode));
        }
        Ok(filter)
    }

    /// Each interface the filter is attached to, with "native" or "generic".
    pub fn attached(&self) -> &[(String, &'static str)] {
        &self.attached
    }

    /// Makes the tries hold exactly `allow` and `deny` (a reload's new lists), changing only
    /// the entries that differ, so packets are never judged against half a list.
    pub fn set_lists(&mut self, allow: &[Prefix], deny: &[Prefix]) -> Result<(), Error> {
        let mut wanted = StdHashMap::with_capacity(allow.len() + deny.len());
        for (list, value) in [(allow, LIST_ALLOW), (deny, LIST_DENY)] {
            for prefix in list {
                wanted.insert(prefix_key(prefix), value);
            }
        }
        // Insert and change first, then remove: a prefix moving from one list to the other
        // is never absent in between.
        for (&key, &value) in &wanted {
            if self.listed.get(&key) != Some(&value) {
                self.write(key, Some(value))?;
                self.listed.insert(key, value);
            }
        }
        let gone: Vec<PrefixKey> = self
            .listed
            .keys()
            .filter(|key| !wanted.contains_key(key))
            .copied()
            .collect();
        for key in gone {
            self.write(key, None)?;
            self.listed.remove(&key);
        }
        Ok(())
    }

    /// Spreads TCP flows over `cpus` (the shards' CPUs, in shard order), or stops
    /// spreading them when it is empty. Each CPU gets its queue in the CPU map before the
    /// count that lets packets go to it is written, so no packet is sent to a CPU without
    /// one.
    pub fn set_steering(&mut self, cpus: &[usize]) -> Result<(), Error> {
        if cpus.len() > XDP_STEER_CPUS_MAX {
            return Err(Error::new(
                "steering",
                format!("{} CPUs, at most {XDP_STEER_CPUS_MAX}", cpus.len()),
            ));
        }
        let mut numbers = Vec::with_capacity(cpus.len());
        for &cpu in cpus {
            let number = u32::try_from(cpu)
                .ok()
                .filter(|&n| (n as usize) < XDP_STEER_CPUS_MAX)
                .ok_or_else(|| {
                    Error::new(
                        "steering",
                        format!("CPU {cpu}: at most {XDP_STEER_CPUS_MAX}"),
                    )
                })?;
            numbers.push(number);
        }
        for &number in &numbers {
            self.queues
                .set(number, XDP_STEER_QUEUE_PACKETS, None, 0)
                .map_err(|e| Error::new("giving a CPU its queue", e))?;
        }
        for (slot, &number) in (1u32..).zip(&numbers) {
            self.steer
                .set(slot, number, 0)
                .step("writing the steering CPUs")?;
        }
        let count = u32::try_from(numbers.len()).unwrap_or(0);
        self.steer
            .set(0, count, 0)
            .step("turning steering on or off")
    }

    fn write(&mut self, key: PrefixKey, value: Option<u8>) -> Result<(), Error> {
        match (key, value) {
            (PrefixKey::V4 { bits, addr }, Some(v)) => {
                self.prefixes4.insert(&trie_key4(bits, addr), v, 0)
            }
            (PrefixKey::V6 { bits, addr }, Some(v)) => {
                self.prefixes6.insert(&trie_key6(bits, addr), v, 0)
            }
            (PrefixKey::V4 { bits, addr }, None) => self.prefixes4.remove(&trie_key4(bits, addr)),
            (PrefixKey::V6 { bits, addr }, None) => self.prefixes6.remove(&trie_key6(bits, addr)),
        }
        .step("updating the address lists")
    }

    /// A handle of a shard's own on the ban maps and the counters.
    pub fn shard(&self) -> Result<XdpBans, Error> {
        Ok(XdpBans {
            bans4: HashMap::try_from(maps::dup(&self.bans4)?).step("opening the bans")?,
            bans6: HashMap::try_from(maps::dup(&self.bans6)?).step("opening the bans")?,
            counters: PerCpuArray::try_from(maps::dup(&self.counters)?)
                .step("opening the counters")?,
        })
    }
}

/// A shard's handle on the filter: it writes the bans it decides, and reads the counters.
pub struct XdpBans {
    bans4: HashMap<MapData, [u8; 4], u64>,
    bans6: HashMap<MapData, [u8; 16], u64>,
    counters: PerCpuArray<MapData, u64>,
}

impl XdpBans {
    /// Drops `ip`'s packets until `until_ns` on the kernel's CLOCK_MONOTONIC.
    pub fn ban(&mut self, ip: IpAddr, until_ns: u64) -> Result<(), Error> {
        match client_key(ip) {
            ClientKey::V4(addr) => self.bans4.insert(addr, until_ns, 0),
            ClientKey::V6(addr) => self.bans6.insert(addr, until_ns, 0),
        }
        .step("writing a ban")
    }

    /// The filter's counters, summed over every CPU.
    pub fn stats(&self) -> XdpStats {
        // The slots' order is the C program's `COUNT_*`.
        let [passed, denied, banned, steered] = maps::sum_per_cpu(&self.counters);
        XdpStats {
            passed,
            denied,
            banned,
            steered,
        }
    }
}
