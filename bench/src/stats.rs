//! Medians. The harness reports medians over rounds because one disturbed round (a neighbour
//! compiling on the shared machine) moves a mean but not a median.

/// Median of `values` (the mean of the two middle values for an even count); `None` if empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[middle]),
        _ => Some((sorted[middle - 1] + sorted[middle]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(values: &[f64], expect: Option<f64>) {
        assert_eq!(median(values), expect, "values: {values:?}");
    }

    #[test]
    fn medians() {
        check(&[], None);
        check(&[7.0], Some(7.0));
        check(&[3.0, 1.0, 2.0], Some(2.0));
        check(&[4.0, 1.0, 3.0, 2.0], Some(2.5));
        check(&[1.0, 1000.0, 2.0], Some(2.0));
    }
}
