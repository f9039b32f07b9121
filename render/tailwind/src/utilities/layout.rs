//! Layout values that are plain numbers or theme keys: z-index, order, grid tracks and
//! placement, flex, columns, aspect ratio.

use super::{Out, Request, arbitrary, is_fraction, is_integer, is_number, negate, theme_value};

pub fn compile(request: &Request) -> Option<Out> {
    if request.modifier.is_some() {
        return None;
    }
    let named = request.value.named();
    let arbitrary_value = arbitrary(request.value);
    let (properties, value): (&[&str], String) = match request.root {
        "z" => (
            &["z-index"],
            negate(&integer_or_arbitrary(request)?, request.negative),
        ),
        "order" => (
            &["order"],
            match named {
                Some("first") => "-9999".to_string(),
                Some("last") => "9999".to_string(),
                Some("none") => "0".to_string(),
                _ => negate(&integer_or_arbitrary(request)?, request.negative),
            },
        ),
        "grid-cols" | "grid-rows" => {
            let property = if request.root == "grid-cols" {
                "grid-template-columns"
            } else {
                "grid-template-rows"
            };
            let value = match named {
                Some(n) if is_integer(n) => format!("repeat({n}, minmax(0, 1fr))"),
                _ => arbitrary_value?.to_string(),
            };
            return positive(request, Out::same(&[property], &value));
        }
        "col-span" | "row-span" => {
            let property = if request.root == "col-span" {
                "grid-column"
            } else {
                "grid-row"
            };
            let n = integer_or_arbitrary(request)?;
            return positive(
                request,
                Out::same(&[property], &format!("span {n} / span {n}")),
            );
        }
        "col-start" | "col-end" | "row-start" | "row-end" => {
            let property = match request.root {
                "col-start" => "grid-column-start",
                "col-end" => "grid-column-end",
                "row-start" => "grid-row-start",
                _ => "grid-row-end",
            };
            let value = match named {
                Some("auto") => "auto".to_string(),
                _ => negate(&integer_or_arbitrary(request)?, request.negative),
            };
            (std::slice::from_ref(leak(property)), value)
        }
        "flex" => {
            let value = match named {
                Some(n) if is_integer(n) => n.to_string(),
                Some(n) if is_fraction(n) => format!("calc({n} * 100%)"),
                _ => arbitrary_value?.to_string(),
            };
            return positive(request, Out::same(&["flex"], &value));
        }
        "grow" | "shrink" => {
            let property = if request.root == "grow" {
                "flex-grow"
            } else {
                "flex-shrink"
            };
            let value = match named {
                Some(n) if is_number(n) => n.to_string(),
                _ => arbitrary_value?.to_string(),
            };
            return positive(request, Out::same(&[property], &value));
        }
        "columns" => {
            let value = match named {
                Some(n) if is_integer(n) => n.to_string(),
                Some(_) => theme_value(request, &["--container"])?,
                None => arbitrary_value?.to_string(),
            };
            return positive(request, Out::same(&["columns"], &value));
        }
        "aspect" => {
            let value = match named {
                Some(n) if is_fraction(n) => n.replace('/', " / "),
                Some(_) => theme_value(request, &["--aspect"])?,
                None => arbitrary_value?.to_string(),
            };
            return positive(request, Out::same(&["aspect-ratio"], &value));
        }
        _ => return None,
    };
    Some(Out::same(properties, &value))
}

fn leak(property: &'static str) -> &'static &'static str {
    match property {
        "grid-column-start" => &"grid-column-start",
        "grid-column-end" => &"grid-column-end",
        "grid-row-start" => &"grid-row-start",
        _ => &"grid-row-end",
    }
}

fn positive(request: &Request, out: Out) -> Option<Out> {
    (!request.negative).then_some(out)
}

fn integer_or_arbitrary(request: &Request) -> Option<String> {
    match request.value.named() {
        Some(n) if is_integer(n) => Some(n.to_string()),
        Some(_) => None,
        None => arbitrary(request.value).map(str::to_string),
    }
}
