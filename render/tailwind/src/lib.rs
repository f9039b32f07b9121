//! A Tailwind CSS v4 compiler: the app's stylesheet plus the class candidates found in its
//! sources in, the stylesheet Tailwind 4.3.5 would print out; no Node at serve time.
//!
//! # Interface
//!
//! ```
//! use bext_tailwind::{Design, extract_candidates};
//!
//! let design = Design::parse("@theme { --color-brand: #0af; }\n@tailwind utilities;")?;
//! let mut candidates = Vec::new();
//! extract_candidates(r#"<p class="bg-brand/50 md:p-4">"#, &mut candidates);
//! let css = design.build(candidates.iter().map(String::as_str))?;
//! assert!(css.contains(".bg-brand\\/50"));
//! # Ok::<(), bext_tailwind::Error>(())
//! ```
//!
//! - [`Design::parse`] takes the stylesheet **after** `@import "tailwindcss"` was inlined
//!   (the package's `index.css`: `@layer theme, base, components, utilities;`, the theme
//!   in `@layer theme`, preflight in `@layer base`, `@tailwind utilities` in
//!   `@layer utilities`). [`Design::parse_with`] does that inlining itself through a resolver
//!   that returns the text of `index.css`, `theme.css`, `preflight.css` or `utilities.css`
//!   from the `tailwindcss` package (bext ships them, or reads them from `node_modules`).
//! - [`Design::sources`] lists the `@source` directives (paths relative to the stylesheet,
//!   `not` paths, `inline()` candidates); [`sources::scan`] walks them, with automatic
//!   detection of the stylesheet's directory unless `source(none)`.
//! - [`Design::build`] gives the final CSS, unminified (bext minifies and prefixes it with
//!   lightningcss afterwards). Unknown candidates are skipped silently.
//! - Errors carry a byte offset and `line:column` into the stylesheet given to `parse`.
//!
//! # Design decisions
//!
//! **Why our own compiler.** Tailwind's compiler is TypeScript; running it means Node at
//! build or serve time, and bext serves without Node. The behaviour to match is narrow and
//! well specified by Tailwind's sources (utilities, variants, property order), so the
//! compiler is a set of data tables and a small pipeline. The conformance test
//! (`tests/conformance.rs`) runs the real `@tailwindcss/cli` and compares.
//!
//! **Sans-I/O core.** Everything but [`sources`] works on strings. The stylesheet is parsed
//! into a block tree (`css.rs`), Tailwind's at-rules are taken out into a [`Design`]
//! (theme, sources, `@utility`, `@custom-variant`), and what remains is the template the
//! output is printed from.
//!
//! **Candidates.** A candidate splits at top-level `:` into variants and a base; the base
//! carries `!`, a leading `-`, a `/modifier` and a `[…]`/`(…)` value. Which `-` separates
//! root and value is unknown (`bg-red-500`, `grid-cols-2`), so every split is tried, longest
//! root first, and the first utility family that accepts it wins (`candidate.rs`,
//! `utilities/`).
//!
//! **Variants** are templates with an `@slot` (`hover` is `@media (hover: hover) { &:hover
//! { @slot } }`); applying them right to left and flattening (`emit.rs`) reproduces the
//! nesting Tailwind prints. Compound variants (`group-*`, `peer-*`, `has-*`, `in-*`,
//! `not-*`) rewrite the inner variant's selectors.
//!
//! **Sorting** (`sort.rs`) follows Tailwind: by the set of variants (each variant family
//! has a rank, breakpoints by size; the set compares as a binary number), then by the
//! positions of the declared properties in Tailwind's global property order
//! (`data/property-order.txt`), then by declaration count (more first), then by name
//! with digit runs compared as numbers.
//!
//! **Theme variables** are printed only when used (a `var(--…)` in the output refers to
//! them, transitively through other theme values), except under `@theme static`; `@theme
//! inline` values are substituted into utilities; `@theme reference` values are never
//! printed. Utilities that need registered custom properties get `@property` rules and the
//! `@layer properties` fallback, in the order the sorted utilities first need them.
//!
//! # Conformance
//!
//! `cargo test -p bext-tailwind --test conformance -- --nocapture` compiles every case in
//! `tests/conformance/cases/` with `@tailwindcss/cli` 4.3.5 and with this crate and prints
//! the score (classes exact, cases in Tailwind's order, cases exact outside the utilities);
//! `tests/conformance/known-deviations.txt` lists what does not match yet.
//!
//! # Not supported yet
//!
//! - JavaScript: `@plugin` and `@config` are errors; so is `@theme prefix(…)`.
//! - Linear and conic masks (`mask-linear-*`, `mask-conic-*`; edge and radial masks are
//!   done), and any utility no table names yet: such candidates are skipped, as unknown ones
//!   are (the conformance corpus covers ~870 class names).
//! - `@import "tailwindcss" important` and `source("…")` (a base path other than the
//!   stylesheet's directory); `source(none)` is supported. `@reference` is not.
//! - `@source` globs are reduced to their directory (every non-binary file under it is read).
//! - `@utility` `--value()` checks bare types (`integer`, `number`, `percentage`, `ratio`,
//!   `any`), theme namespaces and literals; an arbitrary value is accepted for any `[type]`.
//! - `theme(colors.red.500)` (v3 paths) maps the common namespaces only.
//! - The scanner is a tokenizer with bracket balancing, not oxide's per-language state
//!   machines: it over-extracts (harmless) and does not expand Pug/Slim `.class` shorthands.
#![forbid(unsafe_code)]

mod build;
mod candidate;
mod css;
mod custom;
mod design;
mod emit;
mod error;
mod functions;
mod limits;
mod scan;
mod sort;
pub mod sources;
mod theme;
mod utilities;
mod variants;

pub use design::{Design, Source};
pub use error::Error;
pub use scan::{expand_braces, extract_candidates};

/// One-shot: parse `css` and build it for `candidates`.
pub fn compile<'a>(
    css: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Result<String, Error> {
    Design::parse(css)?.build(candidates)
}
