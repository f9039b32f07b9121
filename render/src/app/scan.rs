//! The file-system half of discovery: lists the files under `<root>/app`.

use std::fs;
use std::path::Path;

use bext_core::limits::APP_MODULES_MAX;

use super::AppError;

/// Lists the files under `<root>/app` as paths relative to `root` with `/` separators.
///
/// Private folders (`_name`) and hidden ones (`.name`) are not entered. Symbolic links are
/// not followed, so a link loop cannot make the walk endless; the walk stops with an error
/// past `APP_MODULES_MAX` entries, so a mistaken root (a home directory) fails fast.
pub(crate) fn list_app_files(root: &Path) -> Result<Vec<String>, AppError> {
    let app = root.join("app");
    if !app.is_dir() {
        return Err(AppError {
            file: "app".to_owned(),
            message: format!("no app/ directory in {}", root.display()),
        });
    }
    let mut files = Vec::new();
    let mut entries = 0usize;
    let mut pending = vec![(app, "app".to_owned())];
    while let Some((dir, rel)) = pending.pop() {
        let read = fs::read_dir(&dir).map_err(|e| AppError {
            file: rel.clone(),
            message: format!("cannot list: {e}"),
        })?;
        for entry in read {
            let entry = entry.map_err(|e| AppError {
                file: rel.clone(),
                message: format!("cannot list: {e}"),
            })?;
            entries += 1;
            if entries > APP_MODULES_MAX {
                return Err(AppError {
                    file: "app".to_owned(),
                    message: format!("more than {APP_MODULES_MAX} entries under app/"),
                });
            }
            let Ok(name) = entry.file_name().into_string() else {
                // Not UTF-8: cannot be a module id or a URL segment.
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let child = format!("{rel}/{name}");
            if kind.is_dir() {
                if !name.starts_with('_') {
                    pending.push((entry.path(), child));
                }
            } else if kind.is_file() {
                files.push(child);
            }
        }
    }
    files.sort_unstable();
    Ok(files)
}
