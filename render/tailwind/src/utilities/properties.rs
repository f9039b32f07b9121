//! The `@property` registrations utilities need, with the syntax and initial value Tailwind
//! gives each, and the `@layer properties` fallback for browsers without `@property`.

/// `(name, syntax, initial value)`.
#[rustfmt::skip]
const PROPERTIES: &[(&str, &str, Option<&str>)] = &[
    ("--tw-translate-x", "*", Some("0")),
    ("--tw-translate-y", "*", Some("0")),
    ("--tw-translate-z", "*", Some("0")),
    ("--tw-scale-x", "*", Some("1")),
    ("--tw-scale-y", "*", Some("1")),
    ("--tw-scale-z", "*", Some("1")),
    ("--tw-rotate-x", "*", None),
    ("--tw-rotate-y", "*", None),
    ("--tw-rotate-z", "*", None),
    ("--tw-skew-x", "*", None),
    ("--tw-skew-y", "*", None),
    ("--tw-space-x-reverse", "*", Some("0")),
    ("--tw-space-y-reverse", "*", Some("0")),
    ("--tw-border-style", "*", Some("solid")),
    ("--tw-outline-style", "*", Some("solid")),
    ("--tw-leading", "*", None),
    ("--tw-font-weight", "*", None),
    ("--tw-tracking", "*", None),
    ("--tw-ordinal", "*", None),
    ("--tw-slashed-zero", "*", None),
    ("--tw-numeric-figure", "*", None),
    ("--tw-numeric-spacing", "*", None),
    ("--tw-numeric-fraction", "*", None),
    ("--tw-shadow", "*", Some("0 0 #0000")),
    ("--tw-shadow-color", "*", None),
    ("--tw-shadow-alpha", "<percentage>", Some("100%")),
    ("--tw-inset-shadow", "*", Some("0 0 #0000")),
    ("--tw-inset-shadow-color", "*", None),
    ("--tw-inset-shadow-alpha", "<percentage>", Some("100%")),
    ("--tw-ring-color", "*", None),
    ("--tw-ring-shadow", "*", Some("0 0 #0000")),
    ("--tw-inset-ring-color", "*", None),
    ("--tw-inset-ring-shadow", "*", Some("0 0 #0000")),
    ("--tw-ring-inset", "*", None),
    ("--tw-ring-offset-width", "<length>", Some("0px")),
    ("--tw-ring-offset-color", "*", Some("#fff")),
    ("--tw-ring-offset-shadow", "*", Some("0 0 #0000")),
    ("--tw-duration", "*", None),
    ("--tw-ease", "*", None),
    ("--tw-content", "*", Some("\"\"")),
    ("--tw-scroll-snap-strictness", "*", Some("proximity")),
    ("--tw-blur", "*", None),
    ("--tw-brightness", "*", None),
    ("--tw-contrast", "*", None),
    ("--tw-grayscale", "*", None),
    ("--tw-hue-rotate", "*", None),
    ("--tw-invert", "*", None),
    ("--tw-opacity", "*", None),
    ("--tw-saturate", "*", None),
    ("--tw-sepia", "*", None),
    ("--tw-drop-shadow", "*", None),
    ("--tw-drop-shadow-color", "*", None),
    ("--tw-drop-shadow-alpha", "<percentage>", Some("100%")),
    ("--tw-drop-shadow-size", "*", None),
];

/// Syntax and initial value of a registered property.
pub fn lookup(name: &str) -> Option<(&'static str, Option<&'static str>)> {
    PROPERTIES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, syntax, initial)| (*syntax, *initial))
}
