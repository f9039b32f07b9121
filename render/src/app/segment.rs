//! What one folder name under `app/` means for the URL.

/// One folder of the app tree, classified by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Segment<'a> {
    /// A plain folder: one literal URL segment.
    Static(&'a str),
    /// `(name)`: organises files and may hold a layout, adds no URL segment.
    Group,
    /// `[name]`: exactly one URL segment, captured as `params.name`.
    Dynamic(&'a str),
    /// `[...name]`: one or more trailing URL segments.
    CatchAll(&'a str),
    /// `[[...name]]`: zero or more trailing URL segments.
    OptionalCatchAll(&'a str),
}

/// Classifies a folder name. `Ok(None)` means a private `_folder`: it and everything below it
/// are not routes (colocated components, helpers).
pub(crate) fn parse_segment(name: &str) -> Result<Option<Segment<'_>>, String> {
    if name.starts_with('_') {
        return Ok(None);
    }
    if name.starts_with('@') {
        // Slots are taken apart before URL segments are read (tree.rs); one here is nested
        // in another slot.
        return Err(format!(
            "parallel route slot {name:?} inside another slot is not supported"
        ));
    }
    if let Some(inner) = name.strip_prefix('(').and_then(|n| n.strip_suffix(')')) {
        if inner.is_empty() || inner.starts_with('.') {
            // `(.)x`, `(..)x`: Next.js intercepting routes.
            return Err(format!(
                "folder name {name:?} is not a route group (intercepting routes are not supported)"
            ));
        }
        return Ok(Some(Segment::Group));
    }
    if name.starts_with('(') && name.contains(')') {
        return Err(format!(
            "folder name {name:?}: intercepting routes are not supported"
        ));
    }
    if let Some(inner) = name
        .strip_prefix("[[...")
        .and_then(|n| n.strip_suffix("]]"))
    {
        return param_name(name, inner).map(|p| Some(Segment::OptionalCatchAll(p)));
    }
    if let Some(inner) = name.strip_prefix("[...").and_then(|n| n.strip_suffix(']')) {
        return param_name(name, inner).map(|p| Some(Segment::CatchAll(p)));
    }
    if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        return param_name(name, inner).map(|p| Some(Segment::Dynamic(p)));
    }
    if name.contains(['[', ']']) {
        return Err(format!("folder name {name:?} has unbalanced brackets"));
    }
    Ok(Some(Segment::Static(name)))
}

fn param_name<'a>(folder: &str, name: &'a str) -> Result<&'a str, String> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '$');
    if valid {
        Ok(name)
    } else {
        Err(format!(
            "folder name {folder:?} has an invalid parameter name"
        ))
    }
}
