//! Tailwind-level errors carry the position of the offending directive, so that the caller
//! can print `file:line:col` with a frame.

use bext_tailwind::Design;

/// Parses and builds `css` (no candidates) and checks the error's position and message.
fn check(css: &str, line: usize, column: usize, message: &str) {
    let error = Design::parse(css)
        .and_then(|design| design.build([]))
        .err()
        .unwrap_or_else(|| panic!("no error for {css:?}"));
    assert_eq!(
        (error.line, error.column),
        (line, column),
        "{css:?}: {error}"
    );
    assert!(error.message.contains(message), "{css:?}: {error}");
    assert_eq!(
        &css[error.offset..error.offset + 1],
        "@",
        "{css:?}: offset {}",
        error.offset
    );
}

#[test]
fn errors_point_at_the_directive() {
    check(
        ".a {\n  @apply flex nope-x;\n}",
        2,
        3,
        "cannot apply unknown utility class `nope-x`",
    );
    check(
        ".a {\n  @apply hover:nope;\n}",
        2,
        3,
        "cannot apply unknown utility class `hover:nope`",
    );
    check(
        ".a {\n  @apply nope:flex;\n}",
        2,
        3,
        "unknown variant `nope`",
    );
    check("@theme {\n  color: red;\n}", 1, 1, "custom properties only");
    check(
        "@theme bogus {\n  --x: 1;\n}",
        1,
        1,
        "unknown `@theme` option `bogus`",
    );
    check(
        "\n.a { @variant nope { color: red } }",
        2,
        6,
        "unknown variant `nope`",
    );
    check("@plugin \"x\";", 1, 1, "not supported");
    check("@source inline(flex);", 1, 1, "quoted string");
    check(
        "@utility bad! {\n  color: red;\n}",
        1,
        1,
        "not a valid utility name",
    );
}

#[test]
fn syntax_errors_have_positions() {
    let error = Design::parse("a {\n  color: red;\n  b { color: blue;\n}").err();
    assert_eq!(error.map(|e| (e.line, e.column)), Some((1, 1)));
    let error = Design::parse("a { color: \"red }").err();
    assert!(error.is_some_and(|e| e.line == 1 && e.message.contains("string")));
}

#[test]
fn unknown_candidates_are_skipped() {
    let design = Design::parse("@theme { --color-x: red; }\n@tailwind utilities;").expect("parse");
    let css = design
        .build(["bg-x", "bg-nope", "nope:flex", "[bad", "p-"])
        .expect("build");
    assert!(css.contains(".bg-x {"), "{css}");
    assert!(!css.contains("nope"), "{css}");
}
