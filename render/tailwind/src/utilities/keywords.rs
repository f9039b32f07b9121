//! Keyword families: a prefix, the properties it sets, and its keywords with their values
//! (`align-text-top` is `vertical-align: text-top`). Many of Tailwind's static utilities are
//! one of these.

use super::Out;

type Family = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

const SAME: &str = "";

#[rustfmt::skip]
const FAMILIES: &[Family] = &[
    ("align", &["vertical-align"], &[("baseline", SAME), ("top", SAME), ("middle", SAME), ("bottom", SAME), ("text-top", SAME), ("text-bottom", SAME), ("sub", SAME), ("super", SAME)]),
    ("auto-cols", &["grid-auto-columns"], &[("auto", SAME), ("min", "min-content"), ("max", "max-content"), ("fr", "minmax(0, 1fr)")]),
    ("auto-rows", &["grid-auto-rows"], &[("auto", SAME), ("min", "min-content"), ("max", "max-content"), ("fr", "minmax(0, 1fr)")]),
    ("bg", &["background-size"], &[("auto", SAME), ("cover", SAME), ("contain", SAME)]),
    ("bg", &["background-attachment"], &[("fixed", SAME), ("local", SAME), ("scroll", SAME)]),
    ("bg", &["background-position"], &[("top", SAME), ("bottom", SAME), ("left", SAME), ("right", SAME), ("center", SAME), ("top-left", "left top"), ("top-right", "right top"), ("bottom-left", "left bottom"), ("bottom-right", "right bottom"), ("left-top", "left top"), ("right-top", "right top"), ("left-bottom", "left bottom"), ("right-bottom", "right bottom")]),
    ("bg", &["background-repeat"], &[("repeat", SAME), ("no-repeat", SAME), ("repeat-x", SAME), ("repeat-y", SAME), ("repeat-round", "round"), ("repeat-space", "space")]),
    ("bg-clip", &["background-clip"], &[("border", "border-box"), ("padding", "padding-box"), ("content", "content-box")]),
    ("bg-origin", &["background-origin"], &[("border", "border-box"), ("padding", "padding-box"), ("content", "content-box")]),
    ("break-before", &["break-before"], &[("auto", SAME), ("avoid", SAME), ("all", SAME), ("avoid-page", SAME), ("page", SAME), ("left", SAME), ("right", SAME), ("column", SAME)]),
    ("break-after", &["break-after"], &[("auto", SAME), ("avoid", SAME), ("all", SAME), ("avoid-page", SAME), ("page", SAME), ("left", SAME), ("right", SAME), ("column", SAME)]),
    ("break-inside", &["break-inside"], &[("auto", SAME), ("avoid", SAME), ("avoid-page", SAME), ("avoid-column", SAME)]),
    ("break", &["word-break"], &[("keep", "keep-all")]),
    ("caption", &["caption-side"], &[("top", SAME), ("bottom", SAME)]),
    ("clear", &["clear"], &[("left", SAME), ("right", SAME), ("start", "inline-start"), ("end", "inline-end")]),
    ("content", &["align-content"], &[("normal", SAME), ("start", "flex-start"), ("end", "flex-end"), ("around", "space-around"), ("evenly", "space-evenly"), ("baseline", SAME), ("stretch", SAME)]),
    ("cursor", &["cursor"], &[("auto", SAME), ("help", SAME), ("progress", SAME), ("cell", SAME), ("crosshair", SAME), ("vertical-text", SAME), ("alias", SAME), ("copy", SAME), ("no-drop", SAME), ("grab", SAME), ("grabbing", SAME), ("all-scroll", SAME), ("col-resize", SAME), ("row-resize", SAME), ("n-resize", SAME), ("e-resize", SAME), ("s-resize", SAME), ("w-resize", SAME), ("ne-resize", SAME), ("nw-resize", SAME), ("se-resize", SAME), ("sw-resize", SAME), ("ew-resize", SAME), ("ns-resize", SAME), ("nesw-resize", SAME), ("nwse-resize", SAME), ("zoom-in", SAME), ("zoom-out", SAME), ("none", SAME), ("context-menu", SAME)]),
    ("fill", &["fill"], &[("none", SAME)]),
    ("stroke", &["stroke"], &[("none", SAME)]),
    ("flex", &["flex-grow"], &[("grow", "1"), ("grow-0", "0")]),
    ("flex", &["flex-shrink"], &[("shrink", "1"), ("shrink-0", "0")]),
    ("float", &["float"], &[("start", "inline-start"), ("end", "inline-end")]),
    ("forced-color-adjust", &["forced-color-adjust"], &[("auto", SAME), ("none", SAME)]),
    ("hyphens", &["-webkit-hyphens", "hyphens"], &[("manual", SAME)]),
    ("justify", &["justify-content"], &[("normal", SAME), ("baseline", SAME), ("start", "flex-start"), ("end", "flex-end")]),
    ("justify-items", &["justify-items"], &[("end", SAME), ("stretch", SAME), ("normal", SAME)]),
    ("justify-self", &["justify-self"], &[("start", "flex-start"), ("stretch", SAME)]),
    ("items", &["align-items"], &[("center-safe", "safe center"), ("end-safe", "safe flex-end")]),
    ("object", &["object-position"], &[("bottom", SAME), ("left", SAME), ("right", SAME), ("left-top", "left top"), ("left-bottom", "left bottom"), ("right-top", "right top"), ("right-bottom", "right bottom"), ("top-left", "left top"), ("top-right", "right top"), ("bottom-left", "left bottom"), ("bottom-right", "right bottom")]),
    ("object", &["object-fit"], &[("scale-down", SAME)]),
    ("overflow-x", &["overflow-x"], &[("clip", SAME), ("visible", SAME)]),
    ("overflow-y", &["overflow-y"], &[("clip", SAME), ("visible", SAME)]),
    ("overscroll-x", &["overscroll-behavior-x"], &[("auto", SAME)]),
    ("overscroll-y", &["overscroll-behavior-y"], &[("auto", SAME)]),
    ("place-content", &["place-content"], &[("start", SAME), ("end", SAME), ("between", "space-between"), ("around", "space-around"), ("evenly", "space-evenly"), ("baseline", SAME), ("stretch", SAME)]),
    ("place-items", &["place-items"], &[("start", SAME), ("end", SAME), ("baseline", SAME), ("stretch", SAME)]),
    ("place-self", &["place-self"], &[("auto", SAME), ("start", SAME), ("end", SAME), ("stretch", SAME)]),
    ("resize", &["resize"], &[("x", "horizontal")]),
    ("select", &["-webkit-user-select", "user-select"], &[("auto", SAME)]),
    ("self", &["align-self"], &[("baseline", SAME)]),
    ("table", &["display"], &[("caption", "table-caption"), ("column", "table-column"), ("column-group", "table-column-group"), ("footer-group", "table-footer-group"), ("header-group", "table-header-group"), ("row-group", "table-row-group")]),
    ("transition", &["transition-behavior"], &[("discrete", "allow-discrete"), ("normal", SAME)]),
    ("whitespace", &["white-space"], &[("break-spaces", SAME)]),
    ("list", &["list-style-type"], &[]),
];

pub fn lookup(name: &str) -> Option<Out> {
    for (prefix, properties, keywords) in FAMILIES {
        let Some(keyword) = name.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')) else {
            continue;
        };
        if let Some((_, value)) = keywords.iter().find(|(k, _)| *k == keyword) {
            let value = if value.is_empty() { keyword } else { value };
            return Some(Out::same(properties, value));
        }
    }
    None
}

/// Roots whose arbitrary value is the property's value as is (`list-[upper-roman]`).
pub const ARBITRARY: &[(&str, &str)] = &[
    ("list", "list-style-type"),
    ("origin", "transform-origin"),
    ("will-change", "will-change"),
    ("align", "vertical-align"),
    ("list-image", "list-style-image"),
];
