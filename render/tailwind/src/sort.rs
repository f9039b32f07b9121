//! Tailwind's utility order: by variants (a bit set over the variant orders in use,
//! compared as a number), then by the global property order of the declarations (the
//! lowest property first, and so on), then by declaration count (more first), then by
//! candidate name with numbers compared as numbers.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::css::Node;

/// The property order, one property a line, as Tailwind's `property-order.ts` lists it.
const PROPERTY_ORDER: &str = include_str!("../data/property-order.txt");

fn property_index() -> &'static HashMap<&'static str, usize> {
    static INDEX: OnceLock<HashMap<&'static str, usize>> = OnceLock::new();
    INDEX.get_or_init(|| {
        PROPERTY_ORDER
            .lines()
            .filter(|l| !l.is_empty())
            .enumerate()
            .map(|(i, name)| (name, i))
            .collect()
    })
}

#[derive(Clone, Debug)]
pub struct Key {
    /// Variant bit positions, highest first.
    pub variants: Vec<usize>,
    /// Sorted, distinct property-order positions.
    pub properties: Vec<usize>,
    pub count: usize,
    pub candidate: String,
}

/// The property part of a key, from the utility's own declarations (before variants).
pub fn properties_of(nodes: &[Node]) -> (Vec<usize>, usize) {
    let index = property_index();
    let mut order = Vec::new();
    let mut count = 0;
    let mut queue: Vec<&Node> = nodes.iter().collect();
    let mut i = 0;
    let mut sorted_by_hint = false;
    while i < queue.len() {
        match queue[i] {
            Node::Decl {
                property, value, ..
            } => {
                count += 1;
                if sorted_by_hint {
                    i += 1;
                    continue;
                }
                if property == "--tw-sort"
                    && let Some(&position) = index.get(value.as_str())
                {
                    order.push(position);
                    sorted_by_hint = true;
                    i += 1;
                    continue;
                }
                if let Some(&position) = index.get(property.as_str())
                    && !order.contains(&position)
                {
                    order.push(position);
                }
            }
            Node::Rule { nodes, .. }
            | Node::AtRule {
                nodes: Some(nodes), ..
            } => {
                queue.extend(nodes.iter());
            }
            _ => {}
        }
        i += 1;
    }
    order.sort_unstable();
    (order, count)
}

pub fn compare(a: &Key, z: &Key) -> Ordering {
    a.variants
        .cmp(&z.variants)
        .then_with(|| {
            let common = a
                .properties
                .iter()
                .zip(&z.properties)
                .take_while(|(x, y)| x == y)
                .count();
            let x = a.properties.get(common).copied().unwrap_or(usize::MAX);
            let y = z.properties.get(common).copied().unwrap_or(usize::MAX);
            x.cmp(&y)
        })
        .then_with(|| z.count.cmp(&a.count))
        .then_with(|| compare_names(&a.candidate, &z.candidate))
}

/// Strings compared with runs of digits as numbers (`p-2` before `p-10`).
pub fn compare_names(a: &str, z: &str) -> Ordering {
    let (a, z) = (a.as_bytes(), z.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < z.len() {
        if a[i].is_ascii_digit() && z[j].is_ascii_digit() {
            let a_end = i + a[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            let z_end = j + z[j..].iter().take_while(|b| b.is_ascii_digit()).count();
            let (x, y) = (&a[i..a_end], &z[j..z_end]);
            let numeric = number_of(x)
                .partial_cmp(&number_of(y))
                .unwrap_or(Ordering::Equal);
            let ordering = numeric.then_with(|| x.cmp(y));
            if ordering != Ordering::Equal {
                return ordering;
            }
            i = a_end;
            j = z_end;
            continue;
        }
        if a[i] != z[j] {
            return a[i].cmp(&z[j]);
        }
        i += 1;
        j += 1;
    }
    (a.len() - i)
        .cmp(&(z.len() - j))
        .then(a.len().cmp(&z.len()))
}

fn number_of(digits: &[u8]) -> f64 {
    std::str::from_utf8(digits)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_numbers_as_numbers() {
        for (a, z, expected) in [
            ("p-2", "p-10", Ordering::Less),
            ("bg-red-500", "bg-red-500/70", Ordering::Less),
            ("m-1", "m-1", Ordering::Equal),
            ("a", "b", Ordering::Less),
        ] {
            assert_eq!(compare_names(a, z), expected, "{a} {z}");
        }
    }
}
