//! Tailwind's CSS functions in declaration values: `--theme()`, `theme()`, `--spacing()`,
//! `--alpha()`.

use crate::theme::Theme;

/// Replaces every Tailwind function call in `value`. `None` when a `--theme()` with an
/// `initial` fallback names a missing variable inside the theme itself (the variable is then
/// dropped, as Tailwind does).
pub fn replace_theme_calls(value: &str, theme: &Theme, in_theme: bool) -> Option<String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    loop {
        let Some((at, name)) = next_call(rest) else {
            out.push_str(rest);
            return Some(out);
        };
        out.push_str(&rest[..at]);
        let open = at + name.len() + 1;
        let close = matching_paren(rest, open - 1)?;
        let args = rest[open..close].trim();
        let args = replace_theme_calls(args, theme, in_theme)?;
        let replaced = match name {
            "--theme" => theme_call(&args, theme, in_theme)?,
            "theme" => legacy_theme_call(&args, theme).unwrap_or_else(|| format!("theme({args})")),
            "--spacing" => match theme.get("--spacing") {
                Some(spacing) => format!("calc({} * {args})", theme.reference(spacing)),
                None => format!("--spacing({args})"),
            },
            "--alpha" => match args.rsplit_once('/') {
                Some((color, alpha)) => {
                    crate::utilities::color::with_alpha(color.trim(), alpha.trim())
                }
                None => args.clone(),
            },
            _ => format!("{name}({args})"),
        };
        out.push_str(&replaced);
        rest = &rest[close + 1..];
    }
}

fn next_call(text: &str) -> Option<(usize, &'static str)> {
    ["--theme(", "theme(", "--spacing(", "--alpha("]
        .iter()
        .filter_map(|needle| {
            let mut from = 0;
            while let Some(i) = text[from..].find(needle) {
                let at = from + i;
                let before = text[..at].chars().last();
                // `theme(` must not be the tail of `--theme(` or of another identifier.
                if before.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
                    return Some((at, &needle[..needle.len() - 1]));
                }
                from = at + 1;
            }
            None
        })
        .min_by_key(|(at, _)| *at)
}

pub fn matching_paren(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices().skip_while(|(i, _)| *i < open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn theme_call(args: &str, theme: &Theme, in_theme: bool) -> Option<String> {
    let (head, fallback) = match split_top_level_comma(args) {
        Some((head, fallback)) => (head.trim(), Some(fallback.trim())),
        None => (args.trim(), None),
    };
    let (name, inline) = match head.strip_suffix(" inline") {
        Some(name) => (name.trim(), true),
        None => (head, false),
    };
    match theme.get(name) {
        Some(entry) if inline || entry.options.inline => Some(entry.value.clone()),
        Some(entry) => Some(match fallback {
            None | Some("initial") => format!("var({})", entry.name),
            Some(fallback) => format!("var({}, {fallback})", entry.name),
        }),
        None => match fallback {
            Some("initial") if in_theme => None,
            Some(fallback) if in_theme => Some(fallback.to_string()),
            Some(fallback) => Some(format!("var({name}, {fallback})")),
            None => Some(format!("var({name})")),
        },
    }
}

/// `theme(--color-red-500)` or the v3 path `theme(colors.red.500)`: the value, inlined.
fn legacy_theme_call(args: &str, theme: &Theme) -> Option<String> {
    let (path, fallback) = match split_top_level_comma(args) {
        Some((p, f)) => (p.trim(), Some(f.trim())),
        None => (args.trim(), None),
    };
    let (path, alpha) = match path.rsplit_once('/') {
        Some((p, a)) => (p.trim(), Some(a.trim())),
        None => (path, None),
    };
    let name = if path.starts_with("--") {
        path.to_string()
    } else {
        let mut parts = path.split('.');
        let ns = match parts.next()? {
            "colors" => "--color",
            "spacing" => "--spacing",
            "fontSize" => "--text",
            "borderRadius" => "--radius",
            "screens" => "--breakpoint",
            "fontFamily" => "--font",
            "fontWeight" => "--font-weight",
            "boxShadow" => "--shadow",
            other => {
                return fallback
                    .map(str::to_string)
                    .or(Some(format!("theme({other})")));
            }
        };
        let rest: Vec<&str> = parts.collect();
        format!("{ns}-{}", rest.join("-"))
    };
    let value = match theme.get(&name) {
        Some(entry) => entry.value.clone(),
        None => fallback?.to_string(),
    };
    Some(match alpha {
        Some(alpha) => crate::utilities::color::with_alpha(&value, alpha),
        None => value,
    })
}

/// Splits at the first comma outside parentheses.
fn split_top_level_comma(text: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => return Some((&text[..i], &text[i + 1..])),
            _ => {}
        }
    }
    None
}
