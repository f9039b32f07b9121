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

/// Words web pages sort: cases, accents, ß/æ/œ/ø/đ/ð/ł/þ, punctuation, digits, whitespace.
const COLLATION_WORDS: &str = r##"["10", "9", "a", "A", "á", "Á", "b", "ä", "ab", "Ab", "aB", "a-b", "ab-", "a b", "äb", "ss", "ß", "ẞ", "SS", "Ss", "st", "æ", "Æ", "AE", "áe", "ae", "af", "ø", "o", "p", "a10", "a9", "résumé", "resume", "Resume", "RESUME", "déjà vu", "deja vu", "Zoë", "zoe", "Ærø", "aero", "Łódź", "lodz", "straße", "strasse", "Strasse", "Straße", "STRASSE", "naïve", "naive", "coöperate", "cooperate", "über", "uber", "Uber", "x_y", "x-y", "x.y", "x,y", "x y", "(a)", "[a]", "{a}", "@a", "#a", "$a", "a!", "a?", "O'Neil", "ONeil", "o n", "o n", "main.rs", "README.md", "lib", "Cargo.toml", "ñ", "n", "nz", "ñ a", "ðe", "de", "đe", "þa", "za", "Þa", "œuvre", "oeuvre", "Œ", "óe", "Ørsted", "Orsted", "śs", "sś", "ő", "ō", "ǒ", "ȯ", "ç", "ą", "Ça va", "ca va", "Ą", "a\tb", "a\nb", "", " ", "~", "|", "Z", "z9", "Z9"]"##;
/// Node's `words.sort((a, b) => a.localeCompare(b))` of them (ICU root collation).
const COLLATION_SORTED: &str = r##"[""," ","(a)","[a]","{a}","@a","#a","|","~","$a","10","9","a","A","á","Á","ä","ą","Ą","a\tb","a\nb","a b","a-b","a!","a?","a10","a9","ab","aB","Ab","äb","ab-","ae","AE","áe","æ","Æ","aero","Ærø","af","b","ç","ca va","Ça va","Cargo.toml","cooperate","coöperate","de","đe","ðe","deja vu","déjà vu","lib","lodz","Łódź","main.rs","n","ñ","ñ a","naive","naïve","nz","o","ǒ","ő","ȯ","ø","ō","o n","o n","O'Neil","óe","Œ","oeuvre","œuvre","ONeil","Orsted","Ørsted","p","README.md","resume","Resume","RESUME","résumé","ss","Ss","SS","sś","śs","ß","ẞ","st","strasse","Strasse","STRASSE","straße","Straße","uber","Uber","über","x y","x_y","x-y","x,y","x.y","Z","z9","Z9","za","zoe","Zoë","þa","Þa"]"##;

#[test]
fn quickjs_collates_like_icu_and_refuses_what_it_cannot() {
    let mut engine = probe_engine(EngineKind::QuickJs, "");
    let sort = format!(
        "JSON.stringify({COLLATION_WORDS}.sort(function (a, b) {{ return a.localeCompare(b); }}))"
    );
    let pairs = format!(
        "(function () {{ var w = {COLLATION_WORDS}, bad = 0; for (var i = 0; i < w.length; i++) for (var j = 0; j < w.length; j++) {{ var x = w[i].localeCompare(w[j]); if (x !== -w[j].localeCompare(w[i])) bad++; }} return bad; }})()"
    );
    check_cases(
        engine.as_mut(),
        &[
            (sort.as_str(), COLLATION_SORTED),
            (pairs.as_str(), "0"),
            ("\"a\".localeCompare(\"b\", \"en-US\")", "-1"),
            ("\"\\u4e2d\".localeCompare(\"a\")", "throws RangeError"),
            ("\"a\".localeCompare(\"b\", \"de\")", "throws RangeError"),
            (
                "\"a\".localeCompare(\"b\", undefined, { numeric: true })",
                "throws RangeError",
            ),
        ],
    );
}
