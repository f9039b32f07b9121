//! Utilities without a value: a class name, its declarations, the properties it registers.

use super::Out;
use crate::css::Node;
use crate::theme::Theme;

type Static = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

pub fn lookup(name: &str, theme: &Theme) -> Option<Out> {
    if let Some(out) = themed(name, theme) {
        return Some(out);
    }
    if let Some(out) = super::filters::bare(name, theme) {
        return Some(out);
    }
    if let Some(out) = super::keywords::lookup(name) {
        return Some(out);
    }
    if let Some((_, side)) = super::effects::BORDER_ROOTS
        .iter()
        .find(|(root, _)| *root == name)
    {
        return Some(super::effects::border_default(side));
    }
    let (_, decls, properties) = STATICS.iter().find(|(n, _, _)| *n == name)?;
    Some(Out::decls(decls).with(properties))
}

/// Static-looking utilities whose value comes from the theme (`rounded` reads `--radius`).
fn themed(name: &str, theme: &Theme) -> Option<Out> {
    let (variable, properties): (&str, &[&str]) = match name {
        "rounded" => ("--radius", &["border-radius"]),
        "rounded-s" => (
            "--radius",
            &["border-start-start-radius", "border-end-start-radius"],
        ),
        "rounded-e" => (
            "--radius",
            &["border-start-end-radius", "border-end-end-radius"],
        ),
        "rounded-t" => (
            "--radius",
            &["border-top-left-radius", "border-top-right-radius"],
        ),
        "rounded-r" => (
            "--radius",
            &["border-top-right-radius", "border-bottom-right-radius"],
        ),
        "rounded-b" => (
            "--radius",
            &["border-bottom-right-radius", "border-bottom-left-radius"],
        ),
        "rounded-l" => (
            "--radius",
            &["border-top-left-radius", "border-bottom-left-radius"],
        ),
        "@container" => return Some(Out::decls(&[("container-type", "inline-size")])),
        "shadow" => return super::effects::shadow_default(theme),
        "blur" => {
            let entry = theme.get("--blur")?;
            return Some(super::effects::filter(&format!(
                "blur({})",
                theme.reference(entry)
            )));
        }
        "blur-none" => return Some(super::effects::filter(" ")),
        "divide-solid" | "divide-dashed" | "divide-dotted" | "divide-double" | "divide-none" => {
            let style = &name["divide-".len()..];
            let body = vec![
                Node::decl("--tw-sort", "divide-style"),
                Node::decl("--tw-border-style", style),
                Node::decl("border-style", style),
            ];
            return Some(Out {
                nodes: vec![Node::rule(":where(& > :not(:last-child))", body)],
                properties: Vec::new(),
            });
        }
        "divide-x" => return Some(super::effects::divide_out("x", "1px")),
        "divide-y" => return Some(super::effects::divide_out("y", "1px")),
        "space-x-reverse" | "space-y-reverse" | "divide-x-reverse" | "divide-y-reverse" => {
            let variable = format!("--tw-{name}");
            let nodes = vec![Node::rule(
                ":where(& > :not(:last-child))",
                vec![Node::decl(variable, "1")],
            )];
            let property: &'static str = match name {
                "space-x-reverse" => "--tw-space-x-reverse",
                "space-y-reverse" => "--tw-space-y-reverse",
                "divide-x-reverse" => "--tw-divide-x-reverse",
                _ => "--tw-divide-y-reverse",
            };
            return Some(Out {
                nodes,
                properties: vec![property],
            });
        }
        "outline-hidden" => {
            return Some(Out {
                nodes: vec![
                    Node::decl("--tw-outline-style", "none"),
                    Node::decl("outline-style", "none"),
                    Node::at_rule(
                        "media",
                        "(forced-colors: active)",
                        vec![
                            Node::decl("outline", "2px solid transparent"),
                            Node::decl("outline-offset", "2px"),
                        ],
                    ),
                ],
                properties: Vec::new(),
            });
        }
        "container" => {
            let mut nodes = vec![Node::decl("width", "100%")];
            for (key, value) in theme.namespace("--breakpoint") {
                let _ = key;
                nodes.push(Node::at_rule(
                    "media",
                    format!("(width >= {value})"),
                    vec![Node::decl("max-width", value)],
                ));
            }
            return Some(
                Out {
                    nodes,
                    properties: vec![],
                }
                .with(&[])
                .with_sort("--tw-container-component"),
            );
        }
        _ => return None,
    };
    let entry = theme.get(variable)?;
    Some(Out::same(properties, &theme.reference(entry)))
}

const TRANSITION_DEFAULT_TIMING: &str = "var(--tw-ease, var(--default-transition-timing-function))";
const TRANSITION_DEFAULT_DURATION: &str = "var(--tw-duration, var(--default-transition-duration))";
const SHADOW_STACK: &str = "var(--tw-inset-shadow), var(--tw-inset-ring-shadow), var(--tw-ring-offset-shadow), var(--tw-ring-shadow), var(--tw-shadow)";

const CONTAIN: &str = "var(--tw-contain-size, ) var(--tw-contain-layout, ) var(--tw-contain-paint, ) var(--tw-contain-style, )";
const CONTAIN_PROPERTIES: &[&str] = &[
    "--tw-contain-size",
    "--tw-contain-layout",
    "--tw-contain-paint",
    "--tw-contain-style",
];

pub const SHADOW_PROPERTIES: &[&str] = &[
    "--tw-shadow",
    "--tw-shadow-color",
    "--tw-shadow-alpha",
    "--tw-inset-shadow",
    "--tw-inset-shadow-color",
    "--tw-inset-shadow-alpha",
    "--tw-ring-color",
    "--tw-ring-shadow",
    "--tw-inset-ring-color",
    "--tw-inset-ring-shadow",
    "--tw-ring-inset",
    "--tw-ring-offset-width",
    "--tw-ring-offset-color",
    "--tw-ring-offset-shadow",
];

#[rustfmt::skip]
const STATICS: &[Static] = &[
    // Layout
    ("sr-only", &[("position", "absolute"), ("width", "1px"), ("height", "1px"), ("padding", "0"), ("margin", "-1px"), ("overflow", "hidden"), ("clip-path", "inset(50%)"), ("white-space", "nowrap"), ("border-width", "0")], &[]),
    ("not-sr-only", &[("position", "static"), ("width", "auto"), ("height", "auto"), ("padding", "0"), ("margin", "0"), ("overflow", "visible"), ("clip-path", "none"), ("white-space", "normal")], &[]),
    ("pointer-events-none", &[("pointer-events", "none")], &[]),
    ("pointer-events-auto", &[("pointer-events", "auto")], &[]),
    ("visible", &[("visibility", "visible")], &[]),
    ("invisible", &[("visibility", "hidden")], &[]),
    ("collapse", &[("visibility", "collapse")], &[]),
    ("static", &[("position", "static")], &[]),
    ("fixed", &[("position", "fixed")], &[]),
    ("absolute", &[("position", "absolute")], &[]),
    ("relative", &[("position", "relative")], &[]),
    ("sticky", &[("position", "sticky")], &[]),
    ("isolate", &[("isolation", "isolate")], &[]),
    ("isolation-auto", &[("isolation", "auto")], &[]),
    ("z-auto", &[("z-index", "auto")], &[]),
    ("float-left", &[("float", "left")], &[]),
    ("float-right", &[("float", "right")], &[]),
    ("float-none", &[("float", "none")], &[]),
    ("clear-both", &[("clear", "both")], &[]),
    ("clear-none", &[("clear", "none")], &[]),
    ("box-border", &[("box-sizing", "border-box")], &[]),
    ("box-content", &[("box-sizing", "content-box")], &[]),
    ("block", &[("display", "block")], &[]),
    ("inline-block", &[("display", "inline-block")], &[]),
    ("inline", &[("display", "inline")], &[]),
    ("flex", &[("display", "flex")], &[]),
    ("inline-flex", &[("display", "inline-flex")], &[]),
    ("table", &[("display", "table")], &[]),
    ("table-row", &[("display", "table-row")], &[]),
    ("table-cell", &[("display", "table-cell")], &[]),
    ("grid", &[("display", "grid")], &[]),
    ("inline-grid", &[("display", "inline-grid")], &[]),
    ("contents", &[("display", "contents")], &[]),
    ("list-item", &[("display", "list-item")], &[]),
    ("hidden", &[("display", "none")], &[]),
    ("flow-root", &[("display", "flow-root")], &[]),
    ("aspect-auto", &[("aspect-ratio", "auto")], &[]),
    ("aspect-square", &[("aspect-ratio", "1 / 1")], &[]),
    ("overflow-auto", &[("overflow", "auto")], &[]),
    ("overflow-hidden", &[("overflow", "hidden")], &[]),
    ("overflow-clip", &[("overflow", "clip")], &[]),
    ("overflow-visible", &[("overflow", "visible")], &[]),
    ("overflow-scroll", &[("overflow", "scroll")], &[]),
    ("overflow-x-auto", &[("overflow-x", "auto")], &[]),
    ("overflow-y-auto", &[("overflow-y", "auto")], &[]),
    ("overflow-x-hidden", &[("overflow-x", "hidden")], &[]),
    ("overflow-y-hidden", &[("overflow-y", "hidden")], &[]),
    ("overflow-x-scroll", &[("overflow-x", "scroll")], &[]),
    ("overflow-y-scroll", &[("overflow-y", "scroll")], &[]),
    ("overscroll-contain", &[("overscroll-behavior", "contain")], &[]),
    ("overscroll-none", &[("overscroll-behavior", "none")], &[]),
    ("object-contain", &[("object-fit", "contain")], &[]),
    ("object-cover", &[("object-fit", "cover")], &[]),
    ("object-fill", &[("object-fit", "fill")], &[]),
    ("object-none", &[("object-fit", "none")], &[]),
    ("object-center", &[("object-position", "center")], &[]),
    ("object-top", &[("object-position", "top")], &[]),
    // Flex and grid
    ("flex-row", &[("flex-direction", "row")], &[]),
    ("flex-row-reverse", &[("flex-direction", "row-reverse")], &[]),
    ("flex-col", &[("flex-direction", "column")], &[]),
    ("flex-col-reverse", &[("flex-direction", "column-reverse")], &[]),
    ("flex-wrap", &[("flex-wrap", "wrap")], &[]),
    ("flex-wrap-reverse", &[("flex-wrap", "wrap-reverse")], &[]),
    ("flex-nowrap", &[("flex-wrap", "nowrap")], &[]),
    ("flex-auto", &[("flex", "auto")], &[]),
    ("flex-initial", &[("flex", "0 auto")], &[]),
    ("flex-none", &[("flex", "none")], &[]),
    ("grow", &[("flex-grow", "1")], &[]),
    ("grow-0", &[("flex-grow", "0")], &[]),
    ("shrink", &[("flex-shrink", "1")], &[]),
    ("shrink-0", &[("flex-shrink", "0")], &[]),
    ("basis-auto", &[("flex-basis", "auto")], &[]),
    ("basis-full", &[("flex-basis", "100%")], &[]),
    ("grid-flow-row", &[("grid-auto-flow", "row")], &[]),
    ("grid-flow-col", &[("grid-auto-flow", "column")], &[]),
    ("grid-flow-dense", &[("grid-auto-flow", "dense")], &[]),
    ("grid-flow-row-dense", &[("grid-auto-flow", "row dense")], &[]),
    ("grid-flow-col-dense", &[("grid-auto-flow", "column dense")], &[]),
    ("origin-center", &[("transform-origin", "center")], &[]),
    ("origin-top", &[("transform-origin", "top")], &[]),
    ("origin-top-right", &[("transform-origin", "top right")], &[]),
    ("origin-right", &[("transform-origin", "right")], &[]),
    ("origin-bottom-right", &[("transform-origin", "bottom right")], &[]),
    ("origin-bottom", &[("transform-origin", "bottom")], &[]),
    ("origin-bottom-left", &[("transform-origin", "bottom left")], &[]),
    ("origin-left", &[("transform-origin", "left")], &[]),
    ("origin-top-left", &[("transform-origin", "top left")], &[]),
    ("decoration-solid", &[("text-decoration-style", "solid")], &[]),
    ("decoration-double", &[("text-decoration-style", "double")], &[]),
    ("decoration-dotted", &[("text-decoration-style", "dotted")], &[]),
    ("decoration-dashed", &[("text-decoration-style", "dashed")], &[]),
    ("decoration-wavy", &[("text-decoration-style", "wavy")], &[]),
    ("grid-cols-none", &[("grid-template-columns", "none")], &[]),
    ("grid-cols-subgrid", &[("grid-template-columns", "subgrid")], &[]),
    ("grid-rows-none", &[("grid-template-rows", "none")], &[]),
    ("grid-rows-subgrid", &[("grid-template-rows", "subgrid")], &[]),
    ("col-auto", &[("grid-column", "auto")], &[]),
    ("col-span-full", &[("grid-column", "1 / -1")], &[]),
    ("row-auto", &[("grid-row", "auto")], &[]),
    ("row-span-full", &[("grid-row", "1 / -1")], &[]),
    ("auto-cols-auto", &[("grid-auto-columns", "auto")], &[]),
    ("auto-cols-fr", &[("grid-auto-columns", "minmax(0, 1fr)")], &[]),
    ("auto-rows-fr", &[("grid-auto-rows", "minmax(0, 1fr)")], &[]),
    ("justify-start", &[("justify-content", "flex-start")], &[]),
    ("justify-end", &[("justify-content", "flex-end")], &[]),
    ("justify-center", &[("justify-content", "center")], &[]),
    ("justify-between", &[("justify-content", "space-between")], &[]),
    ("justify-around", &[("justify-content", "space-around")], &[]),
    ("justify-evenly", &[("justify-content", "space-evenly")], &[]),
    ("justify-stretch", &[("justify-content", "stretch")], &[]),
    ("justify-items-center", &[("justify-items", "center")], &[]),
    ("justify-items-start", &[("justify-items", "start")], &[]),
    ("justify-self-auto", &[("justify-self", "auto")], &[]),
    ("justify-self-center", &[("justify-self", "center")], &[]),
    ("justify-self-end", &[("justify-self", "flex-end")], &[]),
    ("content-center", &[("align-content", "center")], &[]),
    ("content-between", &[("align-content", "space-between")], &[]),
    ("content-start", &[("align-content", "flex-start")], &[]),
    ("items-start", &[("align-items", "flex-start")], &[]),
    ("items-end", &[("align-items", "flex-end")], &[]),
    ("items-center", &[("align-items", "center")], &[]),
    ("items-baseline", &[("align-items", "baseline")], &[]),
    ("items-stretch", &[("align-items", "stretch")], &[]),
    ("self-auto", &[("align-self", "auto")], &[]),
    ("self-start", &[("align-self", "flex-start")], &[]),
    ("self-end", &[("align-self", "flex-end")], &[]),
    ("self-center", &[("align-self", "center")], &[]),
    ("self-stretch", &[("align-self", "stretch")], &[]),
    ("place-items-center", &[("place-items", "center")], &[]),
    ("place-content-center", &[("place-content", "center")], &[]),
    ("place-self-center", &[("place-self", "center")], &[]),
    // Typography
    ("italic", &[("font-style", "italic")], &[]),
    ("not-italic", &[("font-style", "normal")], &[]),
    ("antialiased", &[("-webkit-font-smoothing", "antialiased"), ("-moz-osx-font-smoothing", "grayscale")], &[]),
    ("subpixel-antialiased", &[("-webkit-font-smoothing", "auto"), ("-moz-osx-font-smoothing", "auto")], &[]),
    ("uppercase", &[("text-transform", "uppercase")], &[]),
    ("lowercase", &[("text-transform", "lowercase")], &[]),
    ("capitalize", &[("text-transform", "capitalize")], &[]),
    ("normal-case", &[("text-transform", "none")], &[]),
    ("underline", &[("text-decoration-line", "underline")], &[]),
    ("overline", &[("text-decoration-line", "overline")], &[]),
    ("line-through", &[("text-decoration-line", "line-through")], &[]),
    ("no-underline", &[("text-decoration-line", "none")], &[]),
    ("truncate", &[("overflow", "hidden"), ("text-overflow", "ellipsis"), ("white-space", "nowrap")], &[]),
    ("text-ellipsis", &[("text-overflow", "ellipsis")], &[]),
    ("text-clip", &[("text-overflow", "clip")], &[]),
    ("text-left", &[("text-align", "left")], &[]),
    ("text-center", &[("text-align", "center")], &[]),
    ("text-right", &[("text-align", "right")], &[]),
    ("text-justify", &[("text-align", "justify")], &[]),
    ("text-start", &[("text-align", "start")], &[]),
    ("text-end", &[("text-align", "end")], &[]),
    ("text-wrap", &[("text-wrap", "wrap")], &[]),
    ("text-nowrap", &[("text-wrap", "nowrap")], &[]),
    ("text-balance", &[("text-wrap", "balance")], &[]),
    ("text-pretty", &[("text-wrap", "pretty")], &[]),
    ("whitespace-normal", &[("white-space", "normal")], &[]),
    ("whitespace-nowrap", &[("white-space", "nowrap")], &[]),
    ("whitespace-pre", &[("white-space", "pre")], &[]),
    ("whitespace-pre-line", &[("white-space", "pre-line")], &[]),
    ("whitespace-pre-wrap", &[("white-space", "pre-wrap")], &[]),
    ("break-words", &[("overflow-wrap", "break-word")], &[]),
    ("break-all", &[("word-break", "break-all")], &[]),
    ("break-normal", &[("overflow-wrap", "normal"), ("word-break", "normal")], &[]),
    ("align-middle", &[("vertical-align", "middle")], &[]),
    ("align-top", &[("vertical-align", "top")], &[]),
    ("align-baseline", &[("vertical-align", "baseline")], &[]),
    ("list-none", &[("list-style-type", "none")], &[]),
    ("list-disc", &[("list-style-type", "disc")], &[]),
    ("list-decimal", &[("list-style-type", "decimal")], &[]),
    ("list-inside", &[("list-style-position", "inside")], &[]),
    ("list-outside", &[("list-style-position", "outside")], &[]),
    ("tabular-nums", &[("--tw-numeric-spacing", "tabular-nums"), ("font-variant-numeric", "var(--tw-ordinal, ) var(--tw-slashed-zero, ) var(--tw-numeric-figure, ) var(--tw-numeric-spacing, ) var(--tw-numeric-fraction, )")], &["--tw-ordinal", "--tw-slashed-zero", "--tw-numeric-figure", "--tw-numeric-spacing", "--tw-numeric-fraction"]),
    ("leading-none", &[("--tw-leading", "1"), ("line-height", "1")], &["--tw-leading"]),
    // Borders
    ("border-solid", &[("--tw-border-style", "solid"), ("border-style", "solid")], &[]),
    ("border-dashed", &[("--tw-border-style", "dashed"), ("border-style", "dashed")], &[]),
    ("border-dotted", &[("--tw-border-style", "dotted"), ("border-style", "dotted")], &[]),
    ("border-double", &[("--tw-border-style", "double"), ("border-style", "double")], &[]),
    ("border-none", &[("--tw-border-style", "none"), ("border-style", "none")], &[]),
    ("border-collapse", &[("border-collapse", "collapse")], &[]),
    ("border-separate", &[("border-collapse", "separate")], &[]),
    ("rounded-none", &[("border-radius", "0")], &[]),
    ("rounded-full", &[("border-radius", "calc(infinity * 1px)")], &[]),
    ("outline-none", &[("--tw-outline-style", "none"), ("outline-style", "none")], &[]),
    ("outline-dashed", &[("--tw-outline-style", "dashed"), ("outline-style", "dashed")], &[]),
    ("outline", &[("outline-style", "var(--tw-outline-style)"), ("outline-width", "1px")], &["--tw-outline-style"]),
    // Effects
    ("shadow-none", &[("--tw-shadow", "0 0 #0000"), ("box-shadow", SHADOW_STACK)], SHADOW_PROPERTIES),
    ("ring", &[("--tw-ring-shadow", "var(--tw-ring-inset, ) 0 0 0 calc(1px + var(--tw-ring-offset-width)) var(--tw-ring-color, currentcolor)"), ("box-shadow", SHADOW_STACK)], SHADOW_PROPERTIES),
    ("ring-inset", &[("--tw-ring-inset", "inset")], &[]),
    // Transitions
    ("transition", &[("transition-property", "color, background-color, border-color, outline-color, text-decoration-color, fill, stroke, --tw-gradient-from, --tw-gradient-via, --tw-gradient-to, opacity, box-shadow, transform, translate, scale, rotate, filter, -webkit-backdrop-filter, backdrop-filter, display, content-visibility, overlay, pointer-events"), ("transition-timing-function", TRANSITION_DEFAULT_TIMING), ("transition-duration", TRANSITION_DEFAULT_DURATION)], &[]),
    ("transition-all", &[("transition-property", "all"), ("transition-timing-function", TRANSITION_DEFAULT_TIMING), ("transition-duration", TRANSITION_DEFAULT_DURATION)], &[]),
    ("transition-colors", &[("transition-property", "color, background-color, border-color, outline-color, text-decoration-color, fill, stroke, --tw-gradient-from, --tw-gradient-via, --tw-gradient-to"), ("transition-timing-function", TRANSITION_DEFAULT_TIMING), ("transition-duration", TRANSITION_DEFAULT_DURATION)], &[]),
    ("transition-opacity", &[("transition-property", "opacity"), ("transition-timing-function", TRANSITION_DEFAULT_TIMING), ("transition-duration", TRANSITION_DEFAULT_DURATION)], &[]),
    ("transition-shadow", &[("transition-property", "box-shadow"), ("transition-timing-function", TRANSITION_DEFAULT_TIMING), ("transition-duration", TRANSITION_DEFAULT_DURATION)], &[]),
    ("transition-transform", &[("transition-property", "transform, translate, scale, rotate"), ("transition-timing-function", TRANSITION_DEFAULT_TIMING), ("transition-duration", TRANSITION_DEFAULT_DURATION)], &[]),
    ("transition-none", &[("transition-property", "none")], &[]),
    ("ease-linear", &[("--tw-ease", "linear"), ("transition-timing-function", "linear")], &["--tw-ease"]),
    ("ease-initial", &[("--tw-ease", "initial"), ("transition-timing-function", "initial")], &["--tw-ease"]),
    ("transform", &[("transform", "var(--tw-rotate-x, ) var(--tw-rotate-y, ) var(--tw-rotate-z, ) var(--tw-skew-x, ) var(--tw-skew-y, )")], &["--tw-rotate-x", "--tw-rotate-y", "--tw-rotate-z", "--tw-skew-x", "--tw-skew-y"]),
    ("transform-none", &[("transform", "none")], &[]),
    // Interactivity
    ("cursor-pointer", &[("cursor", "pointer")], &[]),
    ("cursor-default", &[("cursor", "default")], &[]),
    ("cursor-not-allowed", &[("cursor", "not-allowed")], &[]),
    ("cursor-wait", &[("cursor", "wait")], &[]),
    ("cursor-text", &[("cursor", "text")], &[]),
    ("cursor-move", &[("cursor", "move")], &[]),
    ("select-none", &[("-webkit-user-select", "none"), ("user-select", "none")], &[]),
    ("select-text", &[("-webkit-user-select", "text"), ("user-select", "text")], &[]),
    ("select-all", &[("-webkit-user-select", "all"), ("user-select", "all")], &[]),
    ("resize", &[("resize", "both")], &[]),
    ("resize-none", &[("resize", "none")], &[]),
    ("resize-y", &[("resize", "vertical")], &[]),
    ("appearance-none", &[("appearance", "none")], &[]),
    ("appearance-auto", &[("appearance", "auto")], &[]),
    ("contain-none", &[("contain", "none")], &[]),
    ("contain-content", &[("contain", "content")], &[]),
    ("contain-strict", &[("contain", "strict")], &[]),
    ("contain-size", &[("--tw-contain-size", "size"), ("contain", CONTAIN)], CONTAIN_PROPERTIES),
    ("contain-inline-size", &[("--tw-contain-size", "inline-size"), ("contain", CONTAIN)], CONTAIN_PROPERTIES),
    ("contain-layout", &[("--tw-contain-layout", "layout"), ("contain", CONTAIN)], CONTAIN_PROPERTIES),
    ("contain-paint", &[("--tw-contain-paint", "paint"), ("contain", CONTAIN)], CONTAIN_PROPERTIES),
    ("contain-style", &[("--tw-contain-style", "style"), ("contain", CONTAIN)], CONTAIN_PROPERTIES),
    ("scheme-normal", &[("color-scheme", "normal")], &[]),
    ("scheme-dark", &[("color-scheme", "dark")], &[]),
    ("scheme-light", &[("color-scheme", "light")], &[]),
    ("scheme-light-dark", &[("color-scheme", "light dark")], &[]),
    ("wrap-break-word", &[("overflow-wrap", "break-word")], &[]),
    ("wrap-anywhere", &[("overflow-wrap", "anywhere")], &[]),
    ("wrap-normal", &[("overflow-wrap", "normal")], &[]),
    ("accent-auto", &[("accent-color", "auto")], &[]),
    ("caret-auto", &[("caret-color", "auto")], &[]),
    ("bg-radial", &[("--tw-gradient-position", "in oklab"), ("background-image", "radial-gradient(var(--tw-gradient-stops))")], &[]),
    ("bg-conic", &[("--tw-gradient-position", "in oklab"), ("background-image", "conic-gradient(var(--tw-gradient-stops))")], &[]),
    ("scroll-smooth", &[("scroll-behavior", "smooth")], &[]),
    ("snap-x", &[("scroll-snap-type", "x var(--tw-scroll-snap-strictness)")], &["--tw-scroll-snap-strictness"]),
    ("snap-center", &[("scroll-snap-align", "center")], &[]),
    ("touch-none", &[("touch-action", "none")], &[]),
    ("will-change-transform", &[("will-change", "transform")], &[]),
    ("bg-fixed", &[("background-attachment", "fixed")], &[]),
    ("bg-cover", &[("background-size", "cover")], &[]),
    ("bg-contain", &[("background-size", "contain")], &[]),
    ("bg-center", &[("background-position", "center")], &[]),
    ("bg-no-repeat", &[("background-repeat", "no-repeat")], &[]),
    ("bg-repeat", &[("background-repeat", "repeat")], &[]),
    ("bg-clip-text", &[("background-clip", "text")], &[]),
    ("bg-none", &[("background-image", "none")], &[]),
    ("mix-blend-multiply", &[("mix-blend-mode", "multiply")], &[]),
    ("mix-blend-screen", &[("mix-blend-mode", "screen")], &[]),
    ("mix-blend-overlay", &[("mix-blend-mode", "overlay")], &[]),
    ("mix-blend-normal", &[("mix-blend-mode", "normal")], &[]),
    ("bg-blend-multiply", &[("background-blend-mode", "multiply")], &[]),
    ("bg-blend-normal", &[("background-blend-mode", "normal")], &[]),
    ("break-after-page", &[("break-after", "page")], &[]),
    ("break-before-page", &[("break-before", "page")], &[]),
    ("break-inside-avoid", &[("break-inside", "avoid")], &[]),
    ("box-decoration-clone", &[("-webkit-box-decoration-break", "clone"), ("box-decoration-break", "clone")], &[]),
    ("box-decoration-slice", &[("-webkit-box-decoration-break", "slice"), ("box-decoration-break", "slice")], &[]),
    ("columns-auto", &[("columns", "auto")], &[]),
    ("overscroll-auto", &[("overscroll-behavior", "auto")], &[]),
    ("overscroll-x-contain", &[("overscroll-behavior-x", "contain")], &[]),
    ("overscroll-y-contain", &[("overscroll-behavior-y", "contain")], &[]),
    ("overscroll-x-none", &[("overscroll-behavior-x", "none")], &[]),
    ("overscroll-y-none", &[("overscroll-behavior-y", "none")], &[]),
    ("list-image-none", &[("list-style-image", "none")], &[]),
    ("hyphens-auto", &[("-webkit-hyphens", "auto"), ("hyphens", "auto")], &[]),
    ("hyphens-none", &[("-webkit-hyphens", "none"), ("hyphens", "none")], &[]),
    ("backface-hidden", &[("backface-visibility", "hidden")], &[]),
    ("backface-visible", &[("backface-visibility", "visible")], &[]),
    ("field-sizing-content", &[("field-sizing", "content")], &[]),
    ("field-sizing-fixed", &[("field-sizing", "fixed")], &[]),
    ("transform-3d", &[("transform-style", "preserve-3d")], &[]),
    ("transform-flat", &[("transform-style", "flat")], &[]),
    ("scroll-auto", &[("scroll-behavior", "auto")], &[]),
    ("snap-always", &[("scroll-snap-stop", "always")], &[]),
    ("snap-normal", &[("scroll-snap-stop", "normal")], &[]),
    ("snap-start", &[("scroll-snap-align", "start")], &[]),
    ("snap-end", &[("scroll-snap-align", "end")], &[]),
    ("snap-none", &[("scroll-snap-type", "none")], &[]),
    ("snap-y", &[("scroll-snap-type", "y var(--tw-scroll-snap-strictness)")], &["--tw-scroll-snap-strictness"]),
    ("snap-both", &[("scroll-snap-type", "both var(--tw-scroll-snap-strictness)")], &["--tw-scroll-snap-strictness"]),
    ("snap-mandatory", &[("--tw-scroll-snap-strictness", "mandatory")], &["--tw-scroll-snap-strictness"]),
    ("snap-proximity", &[("--tw-scroll-snap-strictness", "proximity")], &["--tw-scroll-snap-strictness"]),
    ("touch-auto", &[("touch-action", "auto")], &[]),
    ("touch-manipulation", &[("touch-action", "manipulation")], &[]),
    ("touch-pan-x", &[("--tw-pan-x", "pan-x"), ("touch-action", "var(--tw-pan-x, ) var(--tw-pan-y, ) var(--tw-pinch-zoom, )")], &["--tw-pan-x", "--tw-pan-y", "--tw-pinch-zoom"]),
    ("touch-pan-y", &[("--tw-pan-y", "pan-y"), ("touch-action", "var(--tw-pan-x, ) var(--tw-pan-y, ) var(--tw-pinch-zoom, )")], &["--tw-pan-x", "--tw-pan-y", "--tw-pinch-zoom"]),
    ("touch-pan-up", &[("--tw-pan-y", "pan-up"), ("touch-action", "var(--tw-pan-x, ) var(--tw-pan-y, ) var(--tw-pinch-zoom, )")], &["--tw-pan-x", "--tw-pan-y", "--tw-pinch-zoom"]),
    ("touch-pan-down", &[("--tw-pan-y", "pan-down"), ("touch-action", "var(--tw-pan-x, ) var(--tw-pan-y, ) var(--tw-pinch-zoom, )")], &["--tw-pan-x", "--tw-pan-y", "--tw-pinch-zoom"]),
    ("touch-pan-left", &[("--tw-pan-x", "pan-left"), ("touch-action", "var(--tw-pan-x, ) var(--tw-pan-y, ) var(--tw-pinch-zoom, )")], &["--tw-pan-x", "--tw-pan-y", "--tw-pinch-zoom"]),
    ("touch-pan-right", &[("--tw-pan-x", "pan-right"), ("touch-action", "var(--tw-pan-x, ) var(--tw-pan-y, ) var(--tw-pinch-zoom, )")], &["--tw-pan-x", "--tw-pan-y", "--tw-pinch-zoom"]),
    ("touch-pinch-zoom", &[("--tw-pinch-zoom", "pinch-zoom"), ("touch-action", "var(--tw-pan-x, ) var(--tw-pan-y, ) var(--tw-pinch-zoom, )")], &["--tw-pan-x", "--tw-pan-y", "--tw-pinch-zoom"]),
    ("will-change-auto", &[("will-change", "auto")], &[]),
    ("will-change-scroll", &[("will-change", "scroll-position")], &[]),
    ("will-change-contents", &[("will-change", "contents")], &[]),
    ("will-change-opacity", &[("will-change", "opacity")], &[]),
    ("font-stretch-condensed", &[("font-stretch", "condensed")], &[]),
    ("font-stretch-normal", &[("font-stretch", "normal")], &[]),
    ("font-stretch-expanded", &[("font-stretch", "expanded")], &[]),
    ("table-auto", &[("table-layout", "auto")], &[]),
    ("table-fixed", &[("table-layout", "fixed")], &[]),
];
