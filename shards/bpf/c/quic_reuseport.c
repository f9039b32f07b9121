// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
//
// bext's socket selection for QUIC: picks, from the SO_REUSEPORT group of UDP sockets (one
// per shard, in shard order), the socket of the shard that owns the datagram's connection.
//
// bext's connection IDs (net/server/src/driver/h3/keys.rs) are CID_BYTES long and begin with
// the owner shard's index, two bytes big-endian; an HMAC tag that userspace checks ends them.
// This program reads the index and nothing else: a forged CID can at most aim a datagram at
// a shard, which then finds the tag wrong and treats it as naming no shard.
//   - short header, and long-header Handshake packets: the destination CID is one bext chose;
//   - Initial and 0-RTT packets carry a CID the client chose, and anything unreadable or not
//     QUIC v1: the shard pinned to the CPU that received the datagram (as the classic-BPF
//     program does for TCP), so a new connection starts on the core that took its packet;
//   - no socket at that index: the kernel's own hash.

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// Keep in step with net/server/src/driver/h3/keys.rs and core/src/limits.rs.
#define CID_BYTES 20
#define SHARDS_MAX 1024
#define CPUS_MAX 1024
#define UDP_HEADER_BYTES 8
#define QUIC_V1 0x00000001

// Counter slots, per CPU: `SteeringCounters::stats` in shards/bpf/src/quic.rs reads them in
// this order.
#define STEERED_BY_CID 0
#define STEERED_BY_CPU 1
#define UNSTEERED 2
#define COUNTERS 3

// Shard index -> its socket (written as a descriptor, a 32-bit value).
struct {
    __uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
    __uint(max_entries, SHARDS_MAX);
    __type(key, __u32);
    __type(value, __u32);
} sockets SEC(".maps");

// CPU -> 1 + the index of the shard pinned to it (0: no shard there).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, CPUS_MAX);
    __type(key, __u32);
    __type(value, __u32);
} cpu_shards SEC(".maps");

#include "counters.h"

// The shard a bext CID names, read at `offset` of the packet; -1 if unreadable.
static __always_inline long cid_shard(struct sk_reuseport_md *md, __u32 offset) {
    __u8 index[2];
    if (bpf_skb_load_bytes(md, offset, index, sizeof(index)))
        return -1;
    return ((long)index[0] << 8) | index[1];
}

// The owner shard of the datagram's connection, by its destination CID; -1 if the packet
// carries no CID of bext's choosing.
static __always_inline long owner(struct sk_reuseport_md *md) {
    __u32 quic = UDP_HEADER_BYTES;
    __u8 first;
    if (bpf_skb_load_bytes(md, quic, &first, 1))
        return -1;
    if (!(first & 0x80))
        return cid_shard(md, quic + 1); // short header: the DCID follows the first byte
    // Long header: version (4 bytes), DCID length (1), DCID.
    __u8 head[5];
    if (bpf_skb_load_bytes(md, quic + 1, head, sizeof(head)))
        return -1;
    __u32 version = ((__u32)head[0] << 24) | ((__u32)head[1] << 16) | ((__u32)head[2] << 8) | head[3];
    __u8 type = (first >> 4) & 3; // v1: 0 Initial, 1 0-RTT, 2 Handshake, 3 Retry
    if (version != QUIC_V1 || type != 2 || head[4] != CID_BYTES)
        return -1;
    return cid_shard(md, quic + 6);
}

SEC("sk_reuseport")
int bext_quic_select(struct sk_reuseport_md *md) {
    long shard = owner(md);
    if (shard >= 0) {
        __u32 key = shard;
        if (bpf_sk_select_reuseport(md, &sockets, &key, 0) == 0) {
            count(STEERED_BY_CID);
            return SK_PASS;
        }
    }
    __u32 cpu = bpf_get_smp_processor_id();
    __u32 *slot = bpf_map_lookup_elem(&cpu_shards, &cpu);
    if (slot && *slot) {
        __u32 key = *slot - 1;
        if (bpf_sk_select_reuseport(md, &sockets, &key, 0) == 0) {
            count(STEERED_BY_CPU);
            return SK_PASS;
        }
    }
    count(UNSTEERED);
    return SK_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
