// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
//
// Per-CPU counters, shared by bext's programs: a PERCPU_ARRAY named `counters` of COUNTERS
// slots (each program defines COUNTERS before including this), read and summed by
// shards/bpf/src/maps.rs.

#ifndef BEXT_COUNTERS_H
#define BEXT_COUNTERS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, COUNTERS);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 slot) {
    __u64 *value = bpf_map_lookup_elem(&counters, &slot);
    if (value)
        *value += 1;
}

#endif
