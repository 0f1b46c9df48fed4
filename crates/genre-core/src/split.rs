//! Stratified train/test split. It runs before anything is fitted, so no statistic of the
//! test rows can leak into the preprocessing or the model.

use crate::error::TrainError;
use crate::rng::Rng;

/// Row indices of the two parts, each sorted ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// Rows of a class of `n` that go to the test part: the test share rounded, but at least one
/// on each side (a class of fewer than 2 rows cannot be split: none).
pub fn test_rows(n: usize, test_fraction: f64) -> usize {
    if n < 2 {
        return 0;
    }
    ((n as f64 * test_fraction).round() as usize).clamp(1, n - 1)
}

/// Rows of a class of `n` that stay in the training part.
pub fn train_rows(n: usize, test_fraction: f64) -> usize {
    n - test_rows(n, test_fraction)
}

/// Splits each class separately so both parts keep the class proportions. Every class needs
/// at least two rows (one on each side).
pub fn stratified_split(
    labels: &[usize],
    class_names: &[String],
    test_fraction: f64,
    seed: u64,
) -> Result<Split, TrainError> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(TrainError::InvalidParam {
            name: "test_fraction",
            value: test_fraction.to_string(),
            expected: "a fraction strictly between 0 and 1".into(),
        });
    }
    let n_classes = class_names.len();
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, &y) in labels.iter().enumerate() {
        by_class[y].push(i);
    }
    let mut rng = Rng::new(seed);
    let mut split = Split {
        train: Vec::new(),
        test: Vec::new(),
    };
    for (c, mut rows) in by_class.into_iter().enumerate() {
        if rows.is_empty() {
            continue;
        }
        if rows.len() < 2 {
            return Err(TrainError::ClassTooSmall {
                class: class_names[c].clone(),
                count: rows.len(),
                needed: 2,
                purpose: "to put one in the training part and one in the test part",
            });
        }
        rng.shuffle(&mut rows);
        let n_test = test_rows(rows.len(), test_fraction);
        split.test.extend_from_slice(&rows[..n_test]);
        split.train.extend_from_slice(&rows[n_test..]);
    }
    split.train.sort_unstable();
    split.test.sort_unstable();
    Ok(split)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn keeps_proportions_and_is_deterministic() {
        let labels: Vec<usize> = (0..1000).map(|i| if i % 10 == 0 { 1 } else { 0 }).collect();
        let s = stratified_split(&labels, &names(2), 0.2, 42).unwrap();
        assert_eq!(s.test.len(), 200);
        assert_eq!(s.test.iter().filter(|&&i| labels[i] == 1).count(), 20);
        let mut all: Vec<usize> = s.train.iter().chain(&s.test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
        assert_eq!(s, stratified_split(&labels, &names(2), 0.2, 42).unwrap());
        assert_ne!(s, stratified_split(&labels, &names(2), 0.2, 43).unwrap());
    }

    #[test]
    fn a_class_of_one_row_is_refused_by_name() {
        let e = stratified_split(&[0, 0, 0, 1], &names(2), 0.25, 1).unwrap_err();
        assert!(
            matches!(e, TrainError::ClassTooSmall { ref class, count: 1, .. } if class == "c1")
        );
        assert!(e.to_string().contains("`c1` has 1 row"));
    }

    #[test]
    fn each_side_keeps_a_row_of_every_class() {
        assert_eq!(train_rows(10, 0.2), 8);
        assert_eq!(train_rows(2, 0.2), 1);
        assert_eq!(train_rows(5, 0.2), 4);
        assert_eq!(train_rows(2, 0.9), 1);
        assert_eq!(train_rows(1, 0.2), 1);
    }

    #[test]
    fn bad_fraction_is_refused() {
        assert!(stratified_split(&[0, 1], &names(2), 1.0, 1).is_err());
        assert!(stratified_split(&[0, 1], &names(2), f64::NAN, 1).is_err());
    }
}
