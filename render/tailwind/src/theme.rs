//! The theme: `@theme` variables in declaration order, with their options, and the look-ups
//! utilities make by namespace (`--color-*`, `--spacing-*`, …).

use std::collections::{BTreeSet, HashMap};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `@theme inline`: utilities use the value, not `var(--name)`.
    pub inline: bool,
    /// `@theme reference`: never emitted in `:root`.
    pub reference: bool,
    /// `@theme static`: always emitted, used or not.
    pub r#static: bool,
    /// `@theme default`: overridden by any later non-default declaration.
    pub default: bool,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub name: String,
    pub value: String,
    pub options: Options,
}

#[derive(Clone, Debug, Default)]
pub struct Theme {
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
    /// `@keyframes` declared inside `@theme`, by name, printed when an `--animate-*` using
    /// them is emitted.
    pub keyframes: Vec<(String, crate::css::Node)>,
}

impl Theme {
    /// Adds a declaration from an `@theme` block, applying `--ns-*: initial` resets.
    pub fn add(&mut self, name: &str, value: &str, options: Options) {
        if value == "initial" {
            if let Some(prefix) = name.strip_suffix('*') {
                self.entries.retain(|e| !e.name.starts_with(prefix));
                self.reindex();
                return;
            }
            self.entries.retain(|e| e.name != name);
            self.reindex();
            return;
        }
        if let Some(&i) = self.index.get(name) {
            if options.default && !self.entries[i].options.default {
                return;
            }
            // A redefined variable keeps its place.
            self.entries[i] = Entry {
                name: name.to_string(),
                value: value.to_string(),
                options,
            };
            return;
        }
        self.index.insert(name.to_string(), self.entries.len());
        self.entries.push(Entry {
            name: name.to_string(),
            value: value.to_string(),
            options,
        });
    }

    fn reindex(&mut self) {
        self.index = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.clone(), i))
            .collect();
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.index.get(name).map(|&i| &self.entries[i])
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The theme variable for `key` in the first namespace that has it.
    pub fn lookup(&self, key: &str, namespaces: &[&str]) -> Option<&Entry> {
        let key = key.replace('.', "_");
        namespaces
            .iter()
            .find_map(|ns| self.get(&format!("{ns}-{key}")))
            .filter(|e| !e.name.ends_with("--") && !key.contains("--"))
    }

    /// How a utility refers to a theme variable: `var(--x)` or, inline, its value.
    pub fn reference(&self, entry: &Entry) -> String {
        if entry.options.inline {
            entry.value.clone()
        } else if entry.options.reference {
            // Never printed in `:root`, so the value rides along as the fallback.
            format!("var({}, {})", entry.name, entry.value)
        } else {
            format!("var({})", entry.name)
        }
    }

    /// Keys of a namespace (`--breakpoint` → `sm`, `md`, …) with their values.
    pub fn namespace<'a>(&'a self, ns: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.entries.iter().filter_map(move |e| {
            let key = e.name.strip_prefix(ns)?.strip_prefix('-')?;
            if key.contains("--") {
                return None;
            }
            Some((key, e.value.as_str()))
        })
    }

    /// Resolves `--theme(--x, fallback)` inside theme values, dropping variables that end up
    /// `initial` (Tailwind's default theme defines `--default-font-feature-settings` that way).
    pub fn resolve_theme_functions(&mut self) {
        let snapshot = self.clone();
        let mut drop = Vec::new();
        for (i, entry) in self.entries.iter_mut().enumerate() {
            if !entry.value.contains("--theme(") {
                continue;
            }
            match crate::functions::replace_theme_calls(&entry.value, &snapshot, true) {
                Some(value) if value != "initial" => entry.value = value,
                _ => drop.push(i),
            }
        }
        for i in drop.into_iter().rev() {
            self.entries.remove(i);
        }
        self.reindex();
    }

    /// The variables `css` refers to with `var(--…)`, and those their values refer to.
    pub fn used_in(&self, css: &str, used: &mut BTreeSet<usize>) {
        let mut pending: Vec<usize> = Vec::new();
        collect_var_refs(css, |name| {
            if let Some(&i) = self.index.get(name) {
                pending.push(i);
            }
        });
        while let Some(i) = pending.pop() {
            if !used.insert(i) {
                continue;
            }
            collect_var_refs(&self.entries[i].value, |name| {
                if let Some(&j) = self.index.get(name) {
                    pending.push(j);
                }
            });
        }
    }
}

fn collect_var_refs(css: &str, mut found: impl FnMut(&str)) {
    let mut rest = css;
    while let Some(at) = rest.find("var(--") {
        let name_start = at + 4;
        let tail = &rest[name_start..];
        let end = tail
            .find(|c: char| {
                !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '\\' || c == '.')
            })
            .unwrap_or(tail.len());
        found(&tail[..end]);
        rest = &tail[end..];
    }
}
