//! QUIC's socket selection: loading `c/quic_reuseport.c` and attaching it to a shard group of
//! UDP sockets, in place of the classic-BPF program that chooses by CPU alone.

use std::os::fd::{AsFd, AsRawFd};

use aya::Ebpf;
use aya::maps::{Array, Map, MapData, PerCpuArray, ReusePortSockArray};
use aya::programs::SkReuseport;
use bext_core::limits::{QUIC_STEERING_CPUS_MAX, SHARDS_MAX};

use crate::error::{Context, Error};
use crate::maps;

static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/quic_reuseport.o"));

/// The program's name in the object (its C function).
const PROGRAM: &str = "bext_quic_select";

/// How the program chose sockets for datagrams, summed over every CPU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SteeringStats {
    /// To the shard its connection ID names.
    pub by_cid: u64,
    /// To the shard of the CPU that took it (Initial and 0-RTT packets).
    pub by_cpu: u64,
    /// Left to the kernel's hash (no socket at the index).
    pub unsteered: u64,
}

/// The program, attached to a group; it stays attached for the group's life (the kernel
/// holds it), and is replaced if the group gets another.
pub struct QuicSteering {
    _ebpf: Ebpf,
    counters: Map,
}

impl QuicSteering {
    /// Loads the program, gives it the group's sockets (`sockets[i]` is shard `i`'s, pinned
    /// to CPU `shard_cpus[i]`) and attaches it to the group.
    pub fn attach<S: AsFd + AsRawFd>(
        sockets: &[S],
        shard_cpus: &[usize],
    ) -> Result<QuicSteering, Error> {
        if sockets.is_empty() || sockets.len() != shard_cpus.len() || sockets.len() > SHARDS_MAX {
            return Err(Error::new(
                "attaching",
                format!("{} sockets for {} shards", sockets.len(), shard_cpus.len()),
            ));
        }
        let mut ebpf = maps::load(
            OBJECT,
            &[
                ("sockets", sockets.len()),
                ("cpu_shards", QUIC_STEERING_CPUS_MAX),
            ],
        )?;
        let mut group: ReusePortSockArray<MapData> =
            ReusePortSockArray::try_from(maps::take(&mut ebpf, "sockets")?)
                .step("opening the socket array")?;
        for (index, socket) in sockets.iter().enumerate() {
            group
                .set(index as u32, socket, 0)
                .step("filling the socket array")?;
        }
        let mut cpus: Array<MapData, u32> =
            Array::try_from(maps::take(&mut ebpf, "cpu_shards")?).step("opening the CPU map")?;
        for (cpu, slot) in cpu_slots(shard_cpus, QUIC_STEERING_CPUS_MAX) {
            cpus.set(cpu, slot, 0).step("filling the CPU map")?;
        }
        let counters = maps::take(&mut ebpf, "counters")?;
        let program: &mut SkReuseport = ebpf
            .program_mut(PROGRAM)
            .ok_or_else(|| Error::new("finding the program", PROGRAM))?
            .try_into()
            .step("finding the program")?;
        program.load().step("loading the program")?;
        program
            .attach(sockets[0].as_fd())
            .step("attaching to the socket group")?;
        Ok(QuicSteering {
            _ebpf: ebpf,
            counters,
        })
    }

    /// A handle of a shard's own on the counters.
    pub fn shard(&self) -> Result<SteeringCounters, Error> {
        Ok(SteeringCounters {
            counters: PerCpuArray::try_from(maps::dup(&self.counters)?)
                .step("opening the counters")?,
        })
    }
}

/// A shard's handle on the program's counters.
pub struct SteeringCounters {
    counters: PerCpuArray<MapData, u64>,
}

impl SteeringCounters {
    pub fn stats(&self) -> SteeringStats {
        // The slots' order is the C program's (`STEERED_BY_CID`, `STEERED_BY_CPU`,
        // `UNSTEERED`).
        let [by_cid, by_cpu, unsteered] = maps::sum_per_cpu(&self.counters);
        SteeringStats {
            by_cid,
            by_cpu,
            unsteered,
        }
    }
}

/// `cpu_shards`'s entries: for every CPU below `cpus_max`, 1 + the index of the shard pinned
/// to it, or of shard `cpu % shards` where none is (as the classic-BPF program falls back).
fn cpu_slots(shard_cpus: &[usize], cpus_max: usize) -> impl Iterator<Item = (u32, u32)> + '_ {
    let highest = shard_cpus.iter().copied().max().unwrap_or(0);
    let cpus = (highest + 1).max(shard_cpus.len()).min(cpus_max);
    (0..cpus).map(move |cpu| {
        let shard = shard_cpus
            .iter()
            .position(|&c| c == cpu)
            .unwrap_or(cpu % shard_cpus.len().max(1));
        (cpu as u32, shard as u32 + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::cpu_slots;

    /// (the shards' CPUs, the (cpu, 1 + shard) entries wanted)
    type Case = (&'static [usize], &'static [(u32, u32)]);

    #[test]
    fn every_cpu_names_a_shard_pinned_there_or_its_modulo() {
        let cases: &[Case] = &[
            (&[0, 1], &[(0, 1), (1, 2)]),
            // Shards on CPUs 2 and 3: CPUs 0 and 1 fall back to cpu % 2.
            (&[2, 3], &[(0, 1), (1, 2), (2, 1), (3, 2)]),
            (&[1], &[(0, 1), (1, 1)]),
        ];
        for &(shard_cpus, want) in cases {
            let got: Vec<_> = cpu_slots(shard_cpus, 1024).collect();
            assert_eq!(got, want, "{shard_cpus:?}");
        }
    }
}
