//! Every bound the compiler keeps, in one place.
#![allow(non_upper_case_globals)]

/// Deepest block nesting accepted in a stylesheet.
pub const nesting_depth_max: usize = 64;
/// Longest candidate the scanner yields or the compiler considers.
pub const candidate_bytes_max: usize = 512;
/// Most variants in one candidate (`md:hover:…`).
pub const candidate_variants_max: usize = 16;
/// Deepest `@apply` / `@utility` / custom-variant expansion.
pub const expansion_depth_max: usize = 16;
/// Most items one `{a..b..step}` range of `@source inline()` expands to.
pub const brace_range_items_max: i64 = 1_000;
/// Largest file the source walker reads.
pub const source_file_bytes_max: u64 = 4 * 1024 * 1024;
/// Most files the source walker reads.
pub const source_files_max: usize = 100_000;

const _: () = assert!(candidate_variants_max < candidate_bytes_max);
