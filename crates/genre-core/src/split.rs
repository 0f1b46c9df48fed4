//! Stratified train/test split. It runs before anything is fitted, so no statistic of the
//! test rows can leak into the preprocessing or the model.

use crate::error::TrainError;
use crate::rng::Rng;

/// The share of each class held out for testing unless the user says otherwise (the original
/// report's 80/20 split). The CLI's `--test-fraction` and the Train page's field start here.
pub const DEFAULT_TEST_FRACTION: f64 = 0.2;

/// The seed of every random choice unless the user says otherwise (the original report's).
pub const DEFAULT_SEED: u64 = 42;

/// A test fraction must lie strictly between these: each part keeps some rows.
pub const TEST_FRACTION_BOUNDS: (f64, f64) = (0.0, 1.0);

/// Whether `f` is a test fraction the split takes.
pub fn test_fraction_ok(f: f64) -> bool {
    f > TEST_FRACTION_BOUNDS.0 && f < TEST_FRACTION_BOUNDS.1
}

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
    if !test_fraction_ok(test_fraction) {
        return Err(TrainError::InvalidParam {
            name: "test_fraction".into(),
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
                purpose: "to put one in the training part and one in the test part".into(),
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

/// A stratified sample of `n` of the rows `0..labels.len()` (all of them when `n` is not
/// smaller): each class keeps its share of the rows, rounded by largest remainder, and at least
/// two rows when it has them (so a sample can still be split into training and test parts; the
/// rows that costs come from the largest classes). Each class's rows are drawn by its own
/// seeded shuffle. A function of `(labels, n, seed)`; the indices come back sorted, so the
/// sample keeps the file's order.
pub fn stratified_sample(labels: &[usize], n: usize, seed: u64) -> Vec<usize> {
    if n >= labels.len() {
        return (0..labels.len()).collect();
    }
    let n_classes = labels.iter().max().map_or(0, |&m| m + 1);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, &c) in labels.iter().enumerate() {
        by_class[c].push(i);
    }
    let need: Vec<usize> = by_class.iter().map(|r| r.len().min(2)).collect();
    let mut quota = vec![0usize; n_classes];
    if need.iter().sum::<usize>() > n {
        // Too small a sample for two a class: one a class, in class order, while `n` lasts.
        let mut left = n;
        for (q, rows) in quota.iter_mut().zip(&by_class) {
            *q = usize::from(!rows.is_empty() && left > 0);
            left -= *q;
        }
    } else {
        // Each class's exact share n·count/total, rounded down, then the rows left over to the
        // largest remainders (the lower class on a tie).
        let total = labels.len();
        let mut remainders = Vec::with_capacity(n_classes);
        for (c, rows) in by_class.iter().enumerate() {
            let share = rows.len() * n;
            quota[c] = share / total;
            remainders.push((share % total, c));
        }
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let given: usize = quota.iter().sum();
        for &(_, c) in remainders.iter().take(n - given) {
            quota[c] += 1;
        }
        // Classes under their two rows take them from the largest quota above its own two.
        for c in 0..n_classes {
            while quota[c] < need[c] {
                let donor = (0..n_classes)
                    .filter(|&d| quota[d] > need[d])
                    .max_by(|&a, &b| quota[a].cmp(&quota[b]).then(b.cmp(&a)))
                    .expect("the quotas add up to n, which pays for every class's two");
                quota[donor] -= 1;
                quota[c] += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(n);
    for (c, rows) in by_class.iter_mut().enumerate() {
        Rng::derive(seed ^ 0x7361_6d70_6c65, c as u64).shuffle(rows);
        out.extend_from_slice(&rows[..quota[c]]);
    }
    out.sort_unstable();
    out
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
    #[test]
    fn a_sample_keeps_class_shares_is_deterministic_and_keeps_small_classes() {
        // 900 of class 0, 90 of class 1, 10 of class 2, 3 of class 3, interleaved.
        let mut labels = vec![0; 900];
        labels.extend(std::iter::repeat_n(1, 90));
        labels.extend(std::iter::repeat_n(2, 10));
        labels.extend(std::iter::repeat_n(3, 3));
        let mut rng = Rng::new(1);
        rng.shuffle(&mut labels);
        let s = stratified_sample(&labels, 100, 7);
        assert_eq!(s.len(), 100);
        assert!(s.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        let count = |c: usize| s.iter().filter(|&&i| labels[i] == c).count();
        // Shares 89.7, 9.0, 1.0 and 0.3 rows: 89, 8, 0, 0 and one more for each of the three
        // largest remainders; then the largest class gives the two smallest their two rows.
        assert_eq!((count(0), count(1), count(2), count(3)), (87, 9, 2, 2));
        assert_eq!(
            s,
            stratified_sample(&labels, 100, 7),
            "same seed, same rows"
        );
        assert_ne!(s, stratified_sample(&labels, 100, 8), "the seed matters");
        // Every sampled row keeps its label: a sample can be split, every class on each side.
        let sampled: Vec<usize> = s.iter().map(|&i| labels[i]).collect();
        assert!(stratified_split(&sampled, &names(4), 0.2, 1).is_ok());
        // Asking for more rows than there are gives them all; a tiny sample, one a class.
        assert_eq!(stratified_sample(&labels, 5000, 7).len(), labels.len());
        let tiny = stratified_sample(&labels, 3, 7);
        let mut tiny_classes: Vec<usize> = tiny.iter().map(|&i| labels[i]).collect();
        tiny_classes.sort_unstable();
        assert_eq!(tiny_classes, vec![0, 1, 2]);
    }
}
