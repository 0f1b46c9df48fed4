//! What stops a training before it starts, from the class counts alone: the same rules the
//! pipeline enforces (the split's two rows per genre, SMOTE's k + 1 training rows), so a page
//! can say what is wrong before it sends any work to a worker.

use thiserror::Error;

use super::Balance;
use crate::smote::{too_small_for_smote, SMOTE_K};
use crate::split::train_rows;

/// One reason a training cannot run. Its text is a sentence that names the genre and says
/// what to do (backticked names, shown as code by the app).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Blocker {
    #[error("No row has a genre: add a genre column with values, or pick another label column.")]
    NoLabels,
    #[error("Only one genre (`{class}`) in the data: a classifier needs at least two. Add tracks of other genres.")]
    OneClass { class: String },
    #[error("Genre `{class}` has {rows} row: at least 2 are needed, one for training and one for testing. Add rows of this genre or remove it from the file.")]
    ClassTooSmall { class: String, rows: u64 },
    #[error("Genre `{class}` has {train_rows} row(s) in the training part: SMOTE needs at least {needed}. Choose \"class weights\" or \"none\" for balancing, or add rows of this genre.", needed = SMOTE_K + 1)]
    TooSmallForSmote { class: String, train_rows: u64 },
}

/// Why training cannot start with these rows per genre (genres without rows are ignored).
/// Empty: training can run.
pub fn blockers(counts: &[(String, u64)], test_fraction: f64, balance: Balance) -> Vec<Blocker> {
    let present: Vec<&(String, u64)> = counts.iter().filter(|(_, n)| *n > 0).collect();
    let mut out = Vec::new();
    match present.as_slice() {
        [] => out.push(Blocker::NoLabels),
        [(class, _)] => out.push(Blocker::OneClass {
            class: class.clone(),
        }),
        _ => {}
    }
    out.extend(
        present
            .iter()
            .filter(|(_, n)| *n < 2)
            .map(|(class, n)| Blocker::ClassTooSmall {
                class: class.clone(),
                rows: *n,
            }),
    );
    if balance == Balance::Smote && out.is_empty() {
        let in_training = |n: u64| train_rows(n as usize, test_fraction);
        let largest = present
            .iter()
            .map(|(_, n)| in_training(*n))
            .max()
            .unwrap_or(0);
        for (class, n) in &present {
            let rows = in_training(*n);
            if too_small_for_smote(rows, largest, SMOTE_K) {
                out.push(Blocker::TooSmallForSmote {
                    class: class.clone(),
                    train_rows: rows as u64,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(v: &[(&str, u64)]) -> Vec<(String, u64)> {
        v.iter().map(|(c, n)| (c.to_string(), *n)).collect()
    }

    fn sentences(b: Vec<Blocker>) -> Vec<String> {
        b.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn blocking_messages_name_the_class() {
        assert!(blockers(&counts(&[("a", 10), ("b", 10)]), 0.2, Balance::None).is_empty());
        let one = sentences(blockers(&counts(&[("a", 10)]), 0.2, Balance::None));
        assert!(one[0].contains("Only one genre (`a`)"), "{one:?}");
        let small = sentences(blockers(
            &counts(&[("a", 10), ("b", 1)]),
            0.2,
            Balance::None,
        ));
        assert!(small[0].contains("`b` has 1 row"), "{small:?}");
        let smote = sentences(blockers(
            &counts(&[("a", 100), ("b", 5)]),
            0.2,
            Balance::Smote,
        ));
        assert!(
            smote[0].contains("`b` has 4 row(s) in the training part"),
            "{smote:?}"
        );
        assert!(blockers(&counts(&[("a", 100), ("b", 5)]), 0.2, Balance::ClassWeights).is_empty());
    }

    /// The sentences the Train page showed before the rules moved here, byte for byte.
    #[test]
    fn the_sentences_stay_as_the_page_showed_them() {
        assert_eq!(
            sentences(blockers(&counts(&[("a", 0)]), 0.2, Balance::None)),
            ["No row has a genre: add a genre column with values, or pick another label column."]
        );
        assert_eq!(
            sentences(blockers(&counts(&[("x", 1), ("y", 0)]), 0.2, Balance::None)),
            [
                "Only one genre (`x`) in the data: a classifier needs at least two. Add tracks of other genres.",
                "Genre `x` has 1 row: at least 2 are needed, one for training and one for testing. Add rows of this genre or remove it from the file."
            ]
        );
        assert_eq!(
            sentences(blockers(&counts(&[("a", 50), ("b", 3)]), 0.2, Balance::Smote)),
            ["Genre `b` has 2 row(s) in the training part: SMOTE needs at least 6. Choose \"class weights\" or \"none\" for balancing, or add rows of this genre."]
        );
    }

    /// What the page predicts is what the pipeline does: a class it lets through trains, one
    /// it blocks is refused by the split or by SMOTE.
    #[test]
    fn the_rules_are_the_ones_the_split_and_smote_apply() {
        use crate::smote::smote;
        use crate::split::stratified_split;
        for (n_small, fraction) in [(2, 0.2), (5, 0.2), (7, 0.2), (8, 0.25), (9, 0.5), (30, 0.9)] {
            let labels: Vec<usize> = (0..60 + n_small).map(|i| usize::from(i >= 60)).collect();
            let names = vec!["big".to_string(), "small".to_string()];
            let split = stratified_split(&labels, &names, fraction, 1).unwrap();
            let train_small = split.train.iter().filter(|&&i| labels[i] == 1).count();
            assert_eq!(
                train_small,
                train_rows(n_small, fraction),
                "{n_small} {fraction}"
            );
            let x: Vec<Vec<f64>> = split.train.iter().map(|&i| vec![i as f64]).collect();
            let y: Vec<usize> = split.train.iter().map(|&i| labels[i]).collect();
            let refused = smote(&x, &y, &names, SMOTE_K, 1).is_err();
            let c = counts(&[("big", 60), ("small", n_small as u64)]);
            let blocked = !blockers(&c, fraction, Balance::Smote).is_empty();
            assert_eq!(refused, blocked, "{n_small} rows, test fraction {fraction}");
        }
    }
}
