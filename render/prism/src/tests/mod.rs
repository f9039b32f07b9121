//! `transform` at its boundary: source in, JavaScript (or a diagnostic, or rendered HTML) out.

mod diagnostics;
mod lowering;
mod rendering;
