// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
//
// bext's XDP filter: drops packets bound for bext's ports from denied address prefixes and
// from banned clients, before the kernel builds a socket buffer for them.
//
// It decides exactly as the userspace `[waf]` does (bext_core::waf::ip), so that the kernel
// is only a faster place to make the same decision:
//   - the longest matching prefix of `allow` and `deny` decides (one LPM trie per address
//     family holds both, the value says which list the prefix came from);
//   - an allowed prefix is trusted: never banned;
//   - a ban ends at its deadline (CLOCK_MONOTONIC nanoseconds, as bpf_ktime_get_ns reads);
//     an ended ban is deleted by the first packet that finds it.
// Only TCP and UDP packets whose destination port is one of bext's (the `ports` map) are
// judged: a deny list for a web server must not cut the host's SSH. What this program cannot
// see (IPv4 fragments after the first, IPv6 extension headers) passes to the stack, where the
// userspace WAF still enforces every list and ban.
//
// With steering on (`[waf] xdp_steer`), a TCP packet it passes continues on the CPU of the
// shard that owns its flow: a hash of the flow's addresses and ports picks one of the shards'
// CPUs (`steer`), and a CPUMAP redirect (`cpus`) moves the packet there before the kernel
// builds its socket buffer. The TCP stack then runs on that CPU, and the listener group's
// by-CPU program (shards/src/sys/reuseport.rs) hands the connection to that CPU's shard. This
// is for NICs with fewer receive queues than bext has shards (a virtual NIC with one queue,
// veth): without it, every flow arrives on the CPU that takes the queue's interrupts and is
// served by that CPU's shard alone. UDP is not steered: QUIC's datagrams find their shard by
// connection ID (quic_reuseport.c), not by CPU.
//
// Userspace (shards/bpf/src/xdp.rs) owns the maps' contents; this program only reads them,
// but for deleting ended bans and counting.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// Sizes of the maps; userspace's copies are in core/src/limits.rs (XDP_*_MAX) and are checked
// against these when the object loads (the map definitions carry them).
#define PREFIXES_MAX 65536
#define BANS_MAX 65536
#define PORTS_MAX 64
#define CPUS_MAX 1024

// What a prefix's entry says (the value of the `prefixes4`/`prefixes6` tries).
#define LIST_ALLOW 0
#define LIST_DENY 1

// Counter slots, per CPU: `XdpBans::stats` in shards/bpf/src/xdp.rs reads them in this order.
#define COUNT_PASSED 0
#define COUNT_DENIED 1
#define COUNT_BANNED 2
#define COUNT_STEERED 3
#define COUNTERS 4

struct key4 {
    __u32 prefixlen;
    __u8 addr[4];
};

struct key6 {
    __u32 prefixlen;
    __u8 addr[16];
};

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, PREFIXES_MAX);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct key4);
    __type(value, __u8);
} prefixes4 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, PREFIXES_MAX);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct key6);
    __type(value, __u8);
} prefixes6 SEC(".maps");

// Bans: client address -> the CLOCK_MONOTONIC nanosecond it ends. LRU: a flood of bans
// evicts the oldest rather than failing the newest.
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, BANS_MAX);
    __type(key, __u8[4]);
    __type(value, __u64);
} bans4 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, BANS_MAX);
    __type(key, __u8[16]);
    __type(value, __u64);
} bans6 SEC(".maps");

// bext's listening ports (network byte order) -> 1.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, PORTS_MAX);
    __type(key, __u16);
    __type(value, __u8);
} ports SEC(".maps");

// The CPUs packets may be steered to (CPU number -> its queue), filled for the shards' CPUs.
struct {
    __uint(type, BPF_MAP_TYPE_CPUMAP);
    __uint(max_entries, CPUS_MAX);
    __type(key, __u32);
    __type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

// Steering: slot 0 holds how many CPUs flows are spread over (0: no steering), slots 1 to
// that count the CPUs, in shard order.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, CPUS_MAX + 1);
    __type(key, __u32);
    __type(value, __u32);
} steer SEC(".maps");

#include "counters.h"

// One step of a multiplicative hash (the flow's fields, one word at a time).
static __always_inline __u32 mix(__u32 hash, __u32 word) {
    hash ^= word;
    hash *= 0x9e3779b1;
    return hash ^ (hash >> 15);
}

// A packet `judge` passed: on to the CPU that owns its flow (by `hash`), when steering is on
// and that is another CPU than this one.
static __always_inline int steer_flow(__u32 hash) {
    __u32 zero = 0;
    __u32 *count_of = bpf_map_lookup_elem(&steer, &zero);
    if (!count_of || *count_of == 0 || *count_of > CPUS_MAX)
        return XDP_PASS;
    __u32 slot = 1 + hash % *count_of;
    __u32 *cpu = bpf_map_lookup_elem(&steer, &slot);
    if (!cpu || *cpu == bpf_get_smp_processor_id())
        return XDP_PASS;
    count(COUNT_STEERED);
    return bpf_redirect_map(&cpus, *cpu, XDP_PASS);
}

// The destination port of the TCP or UDP header at `l4` (both keep it at offset 2), or 0.
static __always_inline __u16 dest_port(void *l4, void *end, __u8 protocol) {
    if (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP)
        return 0;
    __u16 *port = (__u16 *)l4 + 1;
    if ((void *)(port + 1) > end)
        return 0;
    return *port;
}

// Whether a packet from the client `addr` (with its allow/deny verdict already looked up)
// is dropped; counts the verdict.
static __always_inline int judge(__u8 *list, __u64 *ban_until, void *bans, void *addr) {
    if (list && *list == LIST_DENY) {
        count(COUNT_DENIED);
        return XDP_DROP;
    }
    if (!list && ban_until) {
        if (bpf_ktime_get_ns() < *ban_until) {
            count(COUNT_BANNED);
            return XDP_DROP;
        }
        bpf_map_delete_elem(bans, addr);
    }
    count(COUNT_PASSED);
    return XDP_PASS;
}

static __always_inline int ipv4(void *l3, void *end) {
    struct iphdr *ip = l3;
    if ((void *)(ip + 1) > end)
        return XDP_PASS;
    if (ip->ihl < 5)
        return XDP_PASS;
    // A fragment after the first carries no port: the stack reassembles (or, its first
    // fragment dropped, cannot) and userspace judges.
    if (ip->frag_off & bpf_htons(0x1fff))
        return XDP_PASS;
    __u16 port = dest_port((__u8 *)ip + ip->ihl * 4, end, ip->protocol);
    if (!port || !bpf_map_lookup_elem(&ports, &port))
        return XDP_PASS;
    struct key4 key = {.prefixlen = 32};
    __builtin_memcpy(key.addr, &ip->saddr, 4);
    __u8 *list = bpf_map_lookup_elem(&prefixes4, &key);
    __u64 *ban_until = list ? 0 : bpf_map_lookup_elem(&bans4, key.addr);
    int verdict = judge(list, ban_until, &bans4, key.addr);
    if (verdict != XDP_PASS || ip->protocol != IPPROTO_TCP)
        return verdict;
    __u32 *ports_of = (__u32 *)((__u8 *)ip + ip->ihl * 4);
    if ((void *)(ports_of + 1) > end)
        return verdict;
    return steer_flow(mix(mix(mix(0, ip->saddr), ip->daddr), *ports_of));
}

static __always_inline int ipv6(void *l3, void *end) {
    struct ipv6hdr *ip = l3;
    if ((void *)(ip + 1) > end)
        return XDP_PASS;
    __u16 port = dest_port(ip + 1, end, ip->nexthdr);
    if (!port || !bpf_map_lookup_elem(&ports, &port))
        return XDP_PASS;
    struct key6 key = {.prefixlen = 128};
    __builtin_memcpy(key.addr, &ip->saddr, 16);
    __u8 *list = bpf_map_lookup_elem(&prefixes6, &key);
    __u64 *ban_until = list ? 0 : bpf_map_lookup_elem(&bans6, key.addr);
    int verdict = judge(list, ban_until, &bans6, key.addr);
    if (verdict != XDP_PASS || ip->nexthdr != IPPROTO_TCP)
        return verdict;
    __u32 *ports_of = (__u32 *)(ip + 1);
    if ((void *)(ports_of + 1) > end)
        return verdict;
    __u32 hash = 0;
    for (int word = 0; word < 4; word++) {
        hash = mix(hash, ip->saddr.in6_u.u6_addr32[word]);
        hash = mix(hash, ip->daddr.in6_u.u6_addr32[word]);
    }
    return steer_flow(mix(hash, *ports_of));
}

struct vlan_tag {
    __be16 tci;
    __be16 proto;
};

SEC("xdp")
int bext_xdp_filter(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return XDP_PASS;
    __u16 proto = eth->h_proto;
    void *l3 = eth + 1;
    // One 802.1Q or 802.1ad tag.
    if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
        struct vlan_tag *tag = l3;
        if ((void *)(tag + 1) > end)
            return XDP_PASS;
        proto = tag->proto;
        l3 = tag + 1;
    }
    if (proto == bpf_htons(ETH_P_IP))
        return ipv4(l3, end);
    if (proto == bpf_htons(ETH_P_IPV6))
        return ipv6(l3, end);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
