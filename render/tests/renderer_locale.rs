//! Locale formatting in an engine without `Intl` (QuickJS): exact en-US output for no locale
//! or "en"/"en-US" without options, and an error naming the way out for anything else, never
//! a silently different string. The expected strings are what Node (with ICU) prints for the
//! same expressions, recorded with `node -e`.

mod renderer_support;

use bext_engine::EngineKind;
use renderer_support::*;

/// (expression, what Node prints).
const CASES: &[(&str, &str)] = &[
    ("(1234.5).toLocaleString()", "1,234.5"),
    ("(1234567.891).toLocaleString(\"en-US\")", "1,234,567.891"),
    ("(-0.0005).toLocaleString()", "-0.001"),
    ("(0.1235).toLocaleString([\"en\"])", "0.124"),
    ("(1e21).toLocaleString()", "1,000,000,000,000,000,000,000"),
    ("NaN.toLocaleString()", "NaN"),
    ("(-Infinity).toLocaleString()", "-∞"),
    ("(-0).toLocaleString()", "-0"),
    ("(2.5e-7).toLocaleString()", "0"),
    ("(999.9995).toLocaleString()", "1,000"),
    ("[1234, 5678.9].toLocaleString()", "1,234,5,678.9"),
    (
        "new Date(2026, 11, 3, 16, 5, 9).toLocaleString()",
        "12/3/2026, 4:05:09 PM",
    ),
    (
        "new Date(2026, 0, 1, 0, 0, 0).toLocaleTimeString()",
        "12:00:00 AM",
    ),
    (
        "new Date(2026, 0, 1, 12, 30, 0).toLocaleTimeString(\"en-US\")",
        "12:30:00 PM",
    ),
    ("new Date(2026, 6, 14).toLocaleDateString()", "7/14/2026"),
    ("new Date(NaN).toLocaleDateString()", "Invalid Date"),
    // What QuickJS cannot do is refused, not approximated.
    ("(1234.5).toLocaleString(\"de-DE\")", "throws RangeError"),
    (
        "(0.5).toLocaleString(undefined, { style: \"percent\" })",
        "throws RangeError",
    ),
    (
        "new Date(2026, 0, 1).toLocaleDateString(\"fr\")",
        "throws RangeError",
    ),
];

#[test]
fn quickjs_formats_en_us_exactly_and_refuses_the_rest() {
    let mut engine = probe_engine(EngineKind::QuickJs, "");
    check_cases(engine.as_mut(), CASES);
}

#[test]
fn engines_with_intl_keep_their_own() {
    for &kind in bext_engine::available() {
        let mut engine = probe_engine(kind, "");
        let mut out = Vec::new();
        engine
            .call(
                "probe",
                "typeof Intl === \"undefined\" || (1234.5).toLocaleString(\"de-DE\")",
                &mut out,
            )
            .expect("probe runs");
        let want = if kind == EngineKind::QuickJs {
            "true"
        } else {
            "1.234,5"
        };
        assert_eq!(out, [want], "{}", kind.name());
    }
}
