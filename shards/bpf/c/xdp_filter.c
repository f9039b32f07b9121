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

// What a prefix's entry says (the value of the `prefixes4`/`prefixes6` tries).
#define LIST_ALLOW 0
#define LIST_DENY 1

// Counter slots, per CPU: `XdpBans::stats` in shards/bpf/src/xdp.rs reads them in this order.
#define COUNT_PASSED 0
#define COUNT_DENIED 1
#define COUNT_BANNED 2
#define COUNTERS 3

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

#include "counters.h"

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
    return judge(list, ban_until, &bans4, key.addr);
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
    return judge(list, ban_until, &bans6, key.addr);
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
