//! The start-up check that every site root of a config file opens, reported like any other
//! config error: `file:line:col: site[i].root: message`.
//!
//! The core parser does no I/O, so a missing root passes it; the snapshot opens the roots, but
//! by then the spans are gone. Rather than carry spans through the model for this one check,
//! the binary re-finds the `root = ...` line of the i-th `[[site]]` in the text. The search
//! only places the message: if the site is written in a shape it does not follow (an inline
//! `site = [{ ... }]`), the error is still reported, at the site's header or at 1:1.

use bext_core::config::{Config, ConfigError};

/// An error for the first site whose root cannot be opened as a directory.
pub fn check(file: &str, text: &str, config: &Config) -> Result<(), ConfigError> {
    for (index, site) in config.sites.iter().enumerate() {
        // A site that only proxies has no root.
        if site.root.as_os_str().is_empty() {
            continue;
        }
        if let Some(app) = &site.app {
            if !app.join("app").is_dir() {
                let (line, column) = locate_site_key(text, index, "app").unwrap_or((1, 1));
                return Err(ConfigError {
                    file: file.to_owned(),
                    line,
                    column,
                    key: format!("site[{index}].app"),
                    message: format!(
                        "{} has no app/ directory (app/layout.tsx and app/**/page.tsx)",
                        app.display()
                    ),
                });
            }
            // An app's own public/ may be absent: the site then has no static files.
            if site.root == app.join("public") {
                continue;
            }
        }
        if let Err(e) = std::fs::read_dir(&site.root) {
            let (line, column) = locate_site_key(text, index, "root").unwrap_or((1, 1));
            return Err(ConfigError {
                file: file.to_owned(),
                line,
                column,
                key: format!("site[{index}].root"),
                message: format!("cannot open directory {}: {e}", site.root.display()),
            });
        }
    }
    Ok(())
}

/// 1-based line and character column of the value of `key` in the `index`-th (0-based)
/// `[[site]]` table; the table's header if it has no such line of its own.
fn locate_site_key(text: &str, index: usize, key: &str) -> Option<(usize, usize)> {
    let quoted = format!("\"{key}\"");
    let mut sites_seen = 0;
    let mut header: Option<(usize, usize)> = None;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.chars().count() - trimmed.chars().count();
        if trimmed.starts_with('[') {
            if let Some(found) = header {
                // The wanted site's own keys ended without a `root`.
                return Some(found);
            }
            let name: String = trimmed
                .chars()
                .take_while(|&c| c != '#')
                .filter(|c| !c.is_whitespace())
                .collect();
            if name == "[[site]]" {
                if sites_seen == index {
                    header = Some((number + 1, indent + 1));
                }
                sites_seen += 1;
            }
            continue;
        }
        if header.is_none() {
            continue;
        }
        let Some(rest) = trimmed
            .strip_prefix(key)
            .or_else(|| trimmed.strip_prefix(quoted.as_str()))
        else {
            continue;
        };
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let value_at = line.chars().count() - value.trim_start().chars().count();
        return Some((number + 1, value_at + 1));
    }
    header
}

#[cfg(test)]
mod tests {
    use super::locate_site_key;

    fn check(text: &str, index: usize, expect: Option<(usize, usize)>) {
        assert_eq!(
            locate_site_key(text, index, "root"),
            expect,
            "site {index} in:\n{text}"
        );
    }

    #[test]
    fn finds_the_root_value_of_the_nth_site() {
        let two = "[server]\nroot_ish = 1\n\n[[site]]\nroot = \"a\"\n\n[[site]]\nhosts = [\"x\"]\n  root  =  \"b\"\n";
        check(two, 0, Some((5, 8)));
        check(two, 1, Some((9, 12)));
        check(two, 2, None);
        check("[[ site ]] # the first\n\"root\" = 'a'\n", 0, Some((2, 10)));
        // Unicode before the value counts as one column per character.
        check(
            "[[site]]\nroot = \"é\"\n[[site]]\nhosts = [\"é\"]\nroot=\"b\"\n",
            1,
            Some((5, 6)),
        );
        // A `root` that belongs to a sub-table is not the site's: fall back to the header.
        check(
            "[[site]]\nhosts = []\n[site.error_pages]\n404 = \"x\"\n",
            0,
            Some((1, 1)),
        );
        check("site = [{ root = \"a\" }]\n", 0, None);
        // `rooted` is another key.
        check("[[site]]\nrooted = 1\nroot = \"a\"\n", 0, Some((3, 8)));
    }
}
