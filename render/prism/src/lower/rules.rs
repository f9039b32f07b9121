//! React DOM's server rendering rules, for what the compiler decides at compile time: which
//! runtime helper writes a prop, and the exact text of props whose values are literals.
//!
//! This is the Rust half of `pushAttribute` / `pushStyleAttribute` in react-dom/server 19;
//! `js/prism.js` holds the JavaScript half (`attr`, `styleText`). The two must agree: the
//! conformance test renders the same fixtures through both.

/// How React writes one prop of a host element (after `children`, `key` and
/// `dangerouslySetInnerHTML`, which the caller handles).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AttrKind {
    /// Never written: event handlers, `ref`, `defaultValue` on plain elements, unsafe names.
    Skip,
    /// Written as text; booleans, functions and symbols are dropped (pushStringAttribute).
    Text(String),
    /// Written as `name=""` when truthy.
    Boolean(String),
    /// Written as text, booleans included (`aria-*`, `data-*`, `draggable`, `value`…).
    Booleanish(String),
    /// A URL: `javascript:` URLs are replaced; an empty string writes nothing unless
    /// `keep_empty` (`<a href="">`, `action`, `formAction`).
    Url { name: String, keep_empty: bool },
    /// A style object.
    Style,
    /// Rules the compiler does not specialise (`download`, `cols`, `rowSpan`…): the runtime's
    /// generic `attr` writes it.
    Generic(String),
}

/// Classifies prop `name` of host element `tag` (a plain element, not a custom element).
pub(crate) fn classify(tag: &str, name: &str) -> AttrKind {
    match name {
        "className" => AttrKind::Text("class".into()),
        "tabIndex" => AttrKind::Text("tabindex".into()),
        "dir" | "role" | "viewBox" | "width" | "height" => AttrKind::Text(name.into()),
        "style" => AttrKind::Style,
        "href" if tag == "a" => AttrKind::Url {
            name: name.into(),
            keep_empty: true,
        },
        "src" | "href" => AttrKind::Url {
            name: name.into(),
            keep_empty: false,
        },
        "action" | "formAction" => AttrKind::Url {
            name: name.into(),
            keep_empty: true,
        },
        "defaultValue"
        | "defaultChecked"
        | "innerHTML"
        | "suppressContentEditableWarning"
        | "suppressHydrationWarning"
        | "ref" => AttrKind::Skip,
        "autoFocus" | "multiple" | "muted" => AttrKind::Boolean(name.to_ascii_lowercase()),
        "xlinkHref" => AttrKind::Url {
            name: "xlink:href".into(),
            keep_empty: true,
        },
        "contentEditable"
        | "spellCheck"
        | "draggable"
        | "value"
        | "autoReverse"
        | "externalResourcesRequired"
        | "focusable"
        | "preserveAlpha" => AttrKind::Booleanish(name.into()),
        "inert"
        | "allowFullScreen"
        | "async"
        | "autoPlay"
        | "controls"
        | "credentialless"
        | "default"
        | "defer"
        | "disabled"
        | "disablePictureInPicture"
        | "disableRemotePlayback"
        | "formNoValidate"
        | "hidden"
        | "loop"
        | "noModule"
        | "noValidate"
        | "open"
        | "playsInline"
        | "readOnly"
        | "required"
        | "reversed"
        | "scoped"
        | "seamless"
        | "itemScope" => AttrKind::Boolean(name.into()),
        "capture" | "download" | "cols" | "rows" | "size" | "span" | "rowSpan" | "start" => {
            AttrKind::Generic(name.into())
        }
        "xlinkActuate" => AttrKind::Text("xlink:actuate".into()),
        "xlinkArcrole" => AttrKind::Text("xlink:arcrole".into()),
        "xlinkRole" => AttrKind::Text("xlink:role".into()),
        "xlinkShow" => AttrKind::Text("xlink:show".into()),
        "xlinkTitle" => AttrKind::Text("xlink:title".into()),
        "xlinkType" => AttrKind::Text("xlink:type".into()),
        "xmlBase" => AttrKind::Text("xml:base".into()),
        "xmlLang" => AttrKind::Text("xml:lang".into()),
        "xmlSpace" => AttrKind::Text("xml:space".into()),
        _ => {
            let bytes = name.as_bytes();
            if bytes.len() > 2
                && bytes[0].eq_ignore_ascii_case(&b'o')
                && bytes[1].eq_ignore_ascii_case(&b'n')
            {
                return AttrKind::Skip;
            }
            let name = alias(name).unwrap_or(name);
            if !is_attribute_name_safe(name) {
                return AttrKind::Skip;
            }
            let prefix: String = name.chars().take(5).collect::<String>().to_lowercase();
            if prefix == "data-" || prefix == "aria-" {
                AttrKind::Booleanish(name.into())
            } else {
                AttrKind::Text(name.into())
            }
        }
    }
}

/// A prop value known at compile time.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    /// `null` or `undefined`: React skips the prop.
    Nullish,
}

impl Lit {
    fn truthy(&self) -> bool {
        match self {
            Lit::Str(s) => !s.is_empty(),
            Lit::Num(n) => *n != 0.0 && !n.is_nan(),
            Lit::Bool(b) => *b,
            Lit::Nullish => false,
        }
    }

    /// `"" + value`, when the compiler can compute it exactly.
    pub(crate) fn text(&self) -> Option<String> {
        match self {
            Lit::Str(s) => Some(s.clone()),
            Lit::Num(n) => js_number_text(*n),
            Lit::Bool(b) => Some(b.to_string()),
            Lit::Nullish => None,
        }
    }
}

/// The attribute text React writes for a literal value, or `None` when the compiler leaves it
/// to the runtime (values whose JavaScript coercion it does not reproduce).
pub(crate) fn static_attr(kind: &AttrKind, value: &Lit) -> Option<String> {
    if *value == Lit::Nullish {
        return Some(String::new());
    }
    Some(match kind {
        AttrKind::Skip => String::new(),
        AttrKind::Text(name) => match value {
            Lit::Bool(_) => String::new(),
            _ => format!(" {name}=\"{}\"", escape_html(&value.text()?)),
        },
        AttrKind::Boolean(name) => {
            if value.truthy() {
                format!(" {name}=\"\"")
            } else {
                String::new()
            }
        }
        AttrKind::Booleanish(name) => format!(" {name}=\"{}\"", escape_html(&value.text()?)),
        AttrKind::Url { name, keep_empty } => match value {
            Lit::Bool(_) => String::new(),
            Lit::Str(s) if s.is_empty() && !keep_empty => String::new(),
            _ => format!(" {name}=\"{}\"", escape_html(sanitize_url(&value.text()?))),
        },
        AttrKind::Style | AttrKind::Generic(_) => return None,
    })
}

/// React's escapeTextForBrowser.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#x27;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // prism.js's marker characters, kept literal through `finish` (see prism.js).
            '\u{1}' => out.push_str("\u{1}x1"),
            '\u{2}' => out.push_str("\u{1}x2"),
            '\u{3}' => out.push_str("\u{1}x3"),
            _ => out.push(c),
        }
    }
    out
}

const BLOCKED_URL: &str =
    "javascript:throw new Error('React has blocked a javascript: URL as a security precaution.')";

/// React's sanitizeURL: `^[\u0000-\u001F ]*j[\r\n\t]*a…t[\r\n\t]*:` (case-insensitive) is
/// replaced by a URL that throws.
pub(crate) fn sanitize_url(url: &str) -> &str {
    let mut chars = url.chars().peekable();
    while chars.peek().is_some_and(|&c| c <= '\u{1f}' || c == ' ') {
        chars.next();
    }
    for (i, expected) in "javascript:".chars().enumerate() {
        if i > 0 {
            while chars
                .peek()
                .is_some_and(|&c| matches!(c, '\r' | '\n' | '\t'))
            {
                chars.next();
            }
        }
        match chars.next() {
            Some(c) if c.eq_ignore_ascii_case(&expected) => {}
            _ => return url,
        }
    }
    BLOCKED_URL
}

/// JavaScript's `String(n)`, for the numbers whose text Rust prints the same way (the
/// shortest round-trip digits in plain decimal notation); `None` for the rest (exponent
/// notation, NaN, infinities), which are left to the runtime.
pub(crate) fn js_number_text(n: f64) -> Option<String> {
    if n == 0.0 {
        return Some("0".into());
    }
    if !n.is_finite() || n.abs() >= 1e21 || n.abs() < 1e-6 {
        return None;
    }
    Some(format!("{n}"))
}

/// The declarations React writes for a style object of literals, "a:b;c:d". `None` when a
/// value needs the runtime.
pub(crate) fn static_style(entries: &[(String, Lit)]) -> Option<String> {
    let mut out = String::new();
    for (name, value) in entries {
        let value = match value {
            Lit::Nullish | Lit::Bool(_) => continue,
            Lit::Str(s) if s.is_empty() => continue,
            _ => value,
        };
        let (css, text) = if name.starts_with("--") {
            (escape_html(name), escape_html(js_trim(&value.text()?)))
        } else {
            let text = match value {
                Lit::Num(n) => {
                    let digits = js_number_text(*n)?;
                    if *n == 0.0 || is_unitless(name) {
                        digits
                    } else {
                        digits + "px"
                    }
                }
                _ => escape_html(js_trim(&value.text()?)),
            };
            (escape_html(&hyphenate_style_name(name)), text)
        };
        if !out.is_empty() {
            out.push(';');
        }
        out.push_str(&css);
        out.push(':');
        out.push_str(&text);
    }
    Some(out)
}

/// `fontSize` → `font-size`, `msTransform` → `-ms-transform`, `WebkitX` → `-webkit-x`.
fn hyphenate_style_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    if out.starts_with("ms-") {
        out.insert(0, '-');
    }
    out
}

/// `String.prototype.trim`: JavaScript's whitespace and line terminators.
fn js_trim(s: &str) -> &str {
    fn is_js_space(c: char) -> bool {
        matches!(
            c,
            '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
                ..='\u{200a}'
                    | '\u{2028}'
                    | '\u{2029}'
                    | '\u{202f}'
                    | '\u{205f}'
                    | '\u{3000}'
                    | '\u{feff}'
        )
    }
    s.trim_matches(is_js_space)
}

fn is_unitless(name: &str) -> bool {
    matches!(
        name,
        "animationIterationCount"
            | "aspectRatio"
            | "borderImageOutset"
            | "borderImageSlice"
            | "borderImageWidth"
            | "boxFlex"
            | "boxFlexGroup"
            | "boxOrdinalGroup"
            | "columnCount"
            | "columns"
            | "flex"
            | "flexGrow"
            | "flexPositive"
            | "flexShrink"
            | "flexNegative"
            | "flexOrder"
            | "gridArea"
            | "gridRow"
            | "gridRowEnd"
            | "gridRowSpan"
            | "gridRowStart"
            | "gridColumn"
            | "gridColumnEnd"
            | "gridColumnSpan"
            | "gridColumnStart"
            | "fontWeight"
            | "lineClamp"
            | "lineHeight"
            | "opacity"
            | "order"
            | "orphans"
            | "scale"
            | "tabSize"
            | "widows"
            | "zIndex"
            | "zoom"
            | "fillOpacity"
            | "floodOpacity"
            | "stopOpacity"
            | "strokeDasharray"
            | "strokeDashoffset"
            | "strokeMiterlimit"
            | "strokeOpacity"
            | "strokeWidth"
            | "MozAnimationIterationCount"
            | "MozBoxFlex"
            | "MozBoxFlexGroup"
            | "MozLineClamp"
            | "msAnimationIterationCount"
            | "msFlex"
            | "msZoom"
            | "msFlexGrow"
            | "msFlexNegative"
            | "msFlexOrder"
            | "msFlexPositive"
            | "msFlexShrink"
            | "msGridColumn"
            | "msGridColumnSpan"
            | "msGridRow"
            | "msGridRowSpan"
            | "WebkitAnimationIterationCount"
            | "WebkitBoxFlex"
            | "WebKitBoxFlexGroup"
            | "WebkitBoxOrdinalGroup"
            | "WebkitColumnCount"
            | "WebkitColumns"
            | "WebkitFlex"
            | "WebkitFlexGrow"
            | "WebkitFlexPositive"
            | "WebkitFlexShrink"
            | "WebkitLineClamp"
    )
}

/// React's attribute renames (`aliases` in react-dom).
fn alias(name: &str) -> Option<&'static str> {
    Some(match name {
        "acceptCharset" => "accept-charset",
        "htmlFor" => "for",
        "httpEquiv" => "http-equiv",
        "crossOrigin" => "crossorigin",
        "accentHeight" => "accent-height",
        "alignmentBaseline" => "alignment-baseline",
        "arabicForm" => "arabic-form",
        "baselineShift" => "baseline-shift",
        "capHeight" => "cap-height",
        "clipPath" => "clip-path",
        "clipRule" => "clip-rule",
        "colorInterpolation" => "color-interpolation",
        "colorInterpolationFilters" => "color-interpolation-filters",
        "colorProfile" => "color-profile",
        "colorRendering" => "color-rendering",
        "dominantBaseline" => "dominant-baseline",
        "enableBackground" => "enable-background",
        "fillOpacity" => "fill-opacity",
        "fillRule" => "fill-rule",
        "floodColor" => "flood-color",
        "floodOpacity" => "flood-opacity",
        "fontFamily" => "font-family",
        "fontSize" => "font-size",
        "fontSizeAdjust" => "font-size-adjust",
        "fontStretch" => "font-stretch",
        "fontStyle" => "font-style",
        "fontVariant" => "font-variant",
        "fontWeight" => "font-weight",
        "glyphName" => "glyph-name",
        "glyphOrientationHorizontal" => "glyph-orientation-horizontal",
        "glyphOrientationVertical" => "glyph-orientation-vertical",
        "horizAdvX" => "horiz-adv-x",
        "horizOriginX" => "horiz-origin-x",
        "imageRendering" => "image-rendering",
        "letterSpacing" => "letter-spacing",
        "lightingColor" => "lighting-color",
        "markerEnd" => "marker-end",
        "markerMid" => "marker-mid",
        "markerStart" => "marker-start",
        "maskType" => "mask-type",
        "overlinePosition" => "overline-position",
        "overlineThickness" => "overline-thickness",
        "paintOrder" => "paint-order",
        "panose-1" => "panose-1",
        "pointerEvents" => "pointer-events",
        "renderingIntent" => "rendering-intent",
        "shapeRendering" => "shape-rendering",
        "stopColor" => "stop-color",
        "stopOpacity" => "stop-opacity",
        "strikethroughPosition" => "strikethrough-position",
        "strikethroughThickness" => "strikethrough-thickness",
        "strokeDasharray" => "stroke-dasharray",
        "strokeDashoffset" => "stroke-dashoffset",
        "strokeLinecap" => "stroke-linecap",
        "strokeLinejoin" => "stroke-linejoin",
        "strokeMiterlimit" => "stroke-miterlimit",
        "strokeOpacity" => "stroke-opacity",
        "strokeWidth" => "stroke-width",
        "textAnchor" => "text-anchor",
        "textDecoration" => "text-decoration",
        "textRendering" => "text-rendering",
        "transformOrigin" => "transform-origin",
        "underlinePosition" => "underline-position",
        "underlineThickness" => "underline-thickness",
        "unicodeBidi" => "unicode-bidi",
        "unicodeRange" => "unicode-range",
        "unitsPerEm" => "units-per-em",
        "vAlphabetic" => "v-alphabetic",
        "vHanging" => "v-hanging",
        "vIdeographic" => "v-ideographic",
        "vMathematical" => "v-mathematical",
        "vectorEffect" => "vector-effect",
        "vertAdvY" => "vert-adv-y",
        "vertOriginX" => "vert-origin-x",
        "vertOriginY" => "vert-origin-y",
        "wordSpacing" => "word-spacing",
        "writingMode" => "writing-mode",
        "xmlnsXlink" => "xmlns:xlink",
        "xHeight" => "x-height",
        _ => return None,
    })
}

/// React's VALID_ATTRIBUTE_NAME_REGEX (the XML Name production, minus a few ranges).
fn is_attribute_name_safe(name: &str) -> bool {
    fn start(c: char) -> bool {
        matches!(c,
            ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{c0}'..='\u{d6}' | '\u{d8}'..='\u{f6}'
            | '\u{f8}'..='\u{2ff}' | '\u{370}'..='\u{37d}' | '\u{37f}'..='\u{1fff}'
            | '\u{200c}'..='\u{200d}' | '\u{2070}'..='\u{218f}' | '\u{2c00}'..='\u{2fef}'
            | '\u{3001}'..='\u{d7ff}' | '\u{f900}'..='\u{fdcf}' | '\u{fdf0}'..='\u{fffd}')
    }
    fn rest(c: char) -> bool {
        start(c)
            || matches!(c, '-' | '.' | '0'..='9' | '\u{b7}' | '\u{300}'..='\u{36f}'
                | '\u{203f}'..='\u{2040}')
    }
    let mut chars = name.chars();
    // Characters outside the BMP never match: the regex is not Unicode-aware and sees
    // surrogate halves, which none of the ranges include.
    chars.next().is_some_and(start) && chars.all(rest)
}

/// Host elements written as `<tag .../>` with no closing tag.
pub(crate) fn is_void(tag: &str) -> bool {
    matches!(
        tag,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// React's VALID_TAG_REGEX: `^[a-zA-Z][a-zA-Z:_\.\-\d]*$`.
pub(crate) fn is_valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '.' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(tag: &str, name: &str, value: Lit, expect: Option<&str>) {
        let kind = classify(tag, name);
        assert_eq!(
            static_attr(&kind, &value).as_deref(),
            expect,
            "{tag} {name} {value:?}"
        );
    }

    #[test]
    fn attributes() {
        use Lit::*;
        check(
            "div",
            "className",
            Str("a b".into()),
            Some(" class=\"a b\""),
        );
        check("label", "htmlFor", Str("x".into()), Some(" for=\"x\""));
        check("div", "tabIndex", Num(-1.0), Some(" tabindex=\"-1\""));
        check(
            "div",
            "title",
            Str("\"<&>'".into()),
            Some(" title=\"&quot;&lt;&amp;&gt;&#x27;\""),
        );
        check("div", "title", Bool(true), Some(""));
        check("div", "title", Nullish, Some(""));
        check("button", "disabled", Bool(true), Some(" disabled=\"\""));
        check(
            "button",
            "disabled",
            Str("false".into()),
            Some(" disabled=\"\""),
        );
        check("button", "disabled", Str(String::new()), Some(""));
        check("button", "disabled", Num(0.0), Some(""));
        check("input", "readOnly", Bool(true), Some(" readOnly=\"\""));
        check("input", "autoFocus", Bool(true), Some(" autofocus=\"\""));
        check(
            "div",
            "aria-hidden",
            Bool(true),
            Some(" aria-hidden=\"true\""),
        );
        check("div", "data-x", Bool(false), Some(" data-x=\"false\""));
        check(
            "div",
            "draggable",
            Bool(false),
            Some(" draggable=\"false\""),
        );
        check("div", "foo", Bool(true), Some(""));
        check("div", "onClick", Str("x".into()), Some(""));
        check("div", "on", Str("x".into()), Some(" on=\"x\""));
        check("div", "$x", Str("x".into()), Some(""));
        check("svg", "strokeWidth", Num(2.0), Some(" stroke-width=\"2\""));
        check(
            "svg",
            "xlinkHref",
            Str("#a".into()),
            Some(" xlink:href=\"#a\""),
        );
        check("a", "href", Str(String::new()), Some(" href=\"\""));
        check("img", "src", Str(String::new()), Some(""));
        check("link", "href", Str(String::new()), Some(""));
        check("form", "action", Str(String::new()), Some(" action=\"\""));
        check(
            "a",
            "href",
            Str(" \tJava\nScript:x".into()),
            Some(
                " href=\"javascript:throw new Error(&#x27;React has blocked a javascript: URL as a security precaution.&#x27;)\"",
            ),
        );
        check(
            "a",
            "href",
            Str("javas cript:x".into()),
            Some(" href=\"javas cript:x\""),
        );
        check("td", "colSpan", Num(2.0), Some(" colSpan=\"2\""));
        check("td", "rowSpan", Num(2.0), None);
        check("div", "title", Num(1e21), None);
        check("div", "title", Num(0.5), Some(" title=\"0.5\""));
    }

    #[test]
    fn styles() {
        use Lit::*;
        let style = |entries: &[(&str, Lit)]| {
            let entries: Vec<(String, Lit)> = entries
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect();
            static_style(&entries)
        };
        assert_eq!(
            style(&[
                ("fontSize", Num(12.0)),
                ("opacity", Num(0.5)),
                ("marginTop", Num(0.0))
            ])
            .as_deref(),
            Some("font-size:12px;opacity:0.5;margin-top:0")
        );
        assert_eq!(
            style(&[("msTransform", Str("x".into())), ("WebkitFlex", Num(1.0))]).as_deref(),
            Some("-ms-transform:x;-webkit-flex:1")
        );
        assert_eq!(
            style(&[
                ("--Main", Str(" a\u{a0}".into())),
                ("color", Nullish),
                ("top", Bool(true)),
                ("left", Str(String::new()))
            ])
            .as_deref(),
            Some("--Main:a")
        );
        assert_eq!(
            style(&[("content", Str("'<a>'".into()))]).as_deref(),
            Some("content:&#x27;&lt;a&gt;&#x27;")
        );
        assert_eq!(style(&[("width", Num(f64::NAN))]), None);
    }
}
