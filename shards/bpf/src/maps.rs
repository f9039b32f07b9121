//! Loading an object and handing out descriptors of its maps.

use std::os::fd::AsFd;

use aya::maps::{Map, MapData};
use aya::{Ebpf, EbpfLoader};

use crate::error::{Context, Error};

/// Loads a compiled object, each named map sized as given.
pub(crate) fn load(object: &[u8], sizes: &[(&str, usize)]) -> Result<Ebpf, Error> {
    if !crate::BUILT || object.is_empty() {
        return Err(Error::unbuilt());
    }
    let mut loader = EbpfLoader::new();
    for &(name, size) in sizes {
        let size = u32::try_from(size).map_err(|_| Error::new("sizing maps", name))?;
        loader.map_max_entries(name, size);
    }
    loader.load(object).step("loading the object")
}

/// Takes the map `name` out of a loaded object.
pub(crate) fn take(ebpf: &mut Ebpf, name: &str) -> Result<Map, Error> {
    ebpf.take_map(name)
        .ok_or_else(|| Error::new("finding a map", format!("no map named {name}")))
}

/// A descriptor of its own for `map`, for another thread (a shard) to use.
pub(crate) fn dup(map: &Map) -> Result<Map, Error> {
    let data = match map {
        Map::Array(data)
        | Map::HashMap(data)
        | Map::LruHashMap(data)
        | Map::LpmTrie(data)
        | Map::PerCpuArray(data)
        | Map::ReusePortSockArray(data) => data,
        _ => return Err(Error::new("sharing a map", "not a kind of map bext uses")),
    };
    let fd = data
        .fd()
        .as_fd()
        .try_clone_to_owned()
        .step("duplicating a map's descriptor")?;
    let data = MapData::from_fd(fd).step("opening a map's descriptor")?;
    Map::from_map_data(data).step("opening a map's descriptor")
}

/// The `counters` map's `N` slots (`COUNTERS` in the C program), each summed over the CPUs;
/// a slot that cannot be read counts 0.
pub(crate) fn sum_per_cpu<const N: usize>(
    counters: &aya::maps::PerCpuArray<MapData, u64>,
) -> [u64; N] {
    std::array::from_fn(|slot| {
        counters
            .get(&(slot as u32), 0)
            .map_or(0, |values| values.iter().copied().sum())
    })
}
