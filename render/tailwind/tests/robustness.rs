//! Input never panics the compiler: every prefix of real stylesheets and of odd candidates
//! goes through parse and build (errors are fine, panics are not).

use bext_tailwind::{Design, extract_candidates};

const STYLESHEET: &str = r#"@theme { --color-brand: #0af; --spacing: 0.25rem; --breakpoint-md: 48rem; }
@custom-variant hocus { &:hover, &:focus { @slot; } }
@utility tab-* { tab-size: --value(integer, [integer]); }
@source inline("p-{1..3} {hover,md}:bg-brand/50");
.a { @apply p-2 hocus:bg-brand/25; color: --alpha(var(--color-brand) / 50%); @variant md { margin: --spacing(2); } }
@layer utilities { @tailwind utilities; }
"#;

const CANDIDATES: &[&str] = &[
    "md:hover:-m-4!",
    "bg-brand/[0.5]",
    "w-[calc(100%-2rem)]",
    "[mask-type:luminance]",
    "data-[a=b]:flex",
    "group-hover/x:p-1",
    "not-hover:p-1",
    "-",
    "!",
    "[",
    "]",
    "[:]",
    "(--x)",
    "bg-(--x)/(--y)",
    "::",
    "a:",
    ":a",
    "p-1/2/3",
    "tab-[3]",
    "tab-x",
    "hocus:flex",
    "@md:flex",
    "supports-[x]:flex",
    "text-[length:]",
    "é-1",
    "bg-[url('a\\'b')]",
    "max-[]:p-1",
    "min-[var(--x)]:p-1",
    "aria-[]:p-1",
    "*:**:p-1",
    "nth-[2n+1]:p-1",
];

#[test]
fn prefixes_of_a_stylesheet_never_panic() {
    for end in (0..=STYLESHEET.len()).filter(|&i| STYLESHEET.is_char_boundary(i)) {
        if let Ok(design) = Design::parse(&STYLESHEET[..end]) {
            let _ = design.build(CANDIDATES.iter().copied());
        }
    }
}

#[test]
fn odd_candidates_never_panic() {
    let design = Design::parse(STYLESHEET).expect("parse");
    for candidate in CANDIDATES {
        for end in (0..=candidate.len()).filter(|&i| candidate.is_char_boundary(i)) {
            let _ = design.build([&candidate[..end]]);
        }
    }
    let mut found: Vec<String> = Vec::new();
    extract_candidates(&CANDIDATES.join(" ]\"'`<>{}"), &mut found);
    let _ = design.build(found.iter().map(String::as_str));
}

#[test]
fn an_unresolvable_import_is_an_error_at_its_line() {
    let error =
        Design::parse_with("a { color: red; }\n@import \"tailwindcss\";\n", &|_| None).err();
    assert_eq!(error.map(|e| (e.line, e.column)), Some((2, 1)));
}
