//! Classification metrics: accuracy, per-class and averaged precision/recall/F1, confusion matrix.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub accuracy: f64,
    pub macro_precision: f64,
    pub macro_recall: f64,
    pub macro_f1: f64,
    pub weighted_precision: f64,
    pub weighted_recall: f64,
    pub weighted_f1: f64,
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[true][predicted]`.
    pub confusion: Vec<Vec<u64>>,
}

impl Metrics {
    /// Computes everything from true and predicted class indices. A class with no predictions
    /// has precision 0 (scikit-learn's `zero_division=0`). The macro averages are over every
    /// class that has a true row or a prediction, as scikit-learn's are (its labels are those
    /// in either): a genre predicted but absent from the data counts, with an F1 of 0.
    pub fn compute(truth: &[usize], predicted: &[usize], n_classes: usize) -> Metrics {
        assert_eq!(truth.len(), predicted.len(), "one prediction per row");
        let mut confusion = vec![vec![0u64; n_classes]; n_classes];
        for (&t, &p) in truth.iter().zip(predicted) {
            confusion[t][p] += 1;
        }
        let total = truth.len() as f64;
        let correct: u64 = (0..n_classes).map(|c| confusion[c][c]).sum();
        let mut per_class = Vec::with_capacity(n_classes);
        let mut seen = vec![false; n_classes];
        for c in 0..n_classes {
            let tp = confusion[c][c] as f64;
            let support: u64 = confusion[c].iter().sum();
            let predicted_c: u64 = confusion.iter().map(|row| row[c]).sum();
            seen[c] = support > 0 || predicted_c > 0;
            let precision = if predicted_c > 0 {
                tp / predicted_c as f64
            } else {
                0.0
            };
            let recall = if support > 0 {
                tp / support as f64
            } else {
                0.0
            };
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            per_class.push(ClassMetrics {
                precision,
                recall,
                f1,
                support,
            });
        }
        let present: Vec<&ClassMetrics> = per_class
            .iter()
            .zip(&seen)
            .filter(|(_, &s)| s)
            .map(|(m, _)| m)
            .collect();
        let k = present.len().max(1) as f64;
        let macro_of = |f: fn(&ClassMetrics) -> f64| present.iter().map(|m| f(m)).sum::<f64>() / k;
        let weighted_of = |f: fn(&ClassMetrics) -> f64| {
            per_class
                .iter()
                .map(|m| f(m) * m.support as f64)
                .sum::<f64>()
                / total.max(1.0)
        };
        Metrics {
            accuracy: if total > 0.0 {
                correct as f64 / total
            } else {
                0.0
            },
            macro_precision: macro_of(|m| m.precision),
            macro_recall: macro_of(|m| m.recall),
            macro_f1: macro_of(|m| m.f1),
            weighted_precision: weighted_of(|m| m.precision),
            weighted_recall: weighted_of(|m| m.recall),
            weighted_f1: weighted_of(|m| m.f1),
            per_class,
            confusion,
        }
    }
}

impl Metrics {
    /// [`top_confusions`] of this confusion matrix.
    pub fn top_confusions(&self, n: usize) -> Vec<(usize, usize, u64)> {
        top_confusions(&self.confusion, n)
    }
}

/// The `n` largest off-diagonal cells of `confusion[true][predicted]` as (true class,
/// predicted class, rows), largest first (ties in row-major order): what a confusion matrix
/// says, legible for 100+ genres (the CLI's report, the app's "most confused" list).
pub fn top_confusions(confusion: &[Vec<u64>], n: usize) -> Vec<(usize, usize, u64)> {
    let mut cells: Vec<(usize, usize, u64)> = confusion
        .iter()
        .enumerate()
        .flat_map(|(t, row)| {
            row.iter()
                .enumerate()
                .filter(move |&(p, &c)| p != t && c > 0)
                .map(move |(p, &c)| (t, p, c))
        })
        .collect();
    cells.sort_by(|a, b| b.2.cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    cells.truncate(n);
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_confusions_are_the_largest_mistakes_first() {
        // truth:     0 0 0 1 1 1 2 2
        // predicted: 1 1 2 0 2 1 1 2
        let m = Metrics::compute(&[0, 0, 0, 1, 1, 1, 2, 2], &[1, 1, 2, 0, 2, 1, 1, 2], 3);
        assert_eq!(m.top_confusions(3), vec![(0, 1, 2), (0, 2, 1), (1, 0, 1)]);
        assert_eq!(m.top_confusions(10).len(), 5, "only cells with mistakes");
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn hand_computed_three_class_example() {
        // truth:     0 0 0 1 1 2
        // predicted: 0 0 1 1 2 2
        let m = Metrics::compute(&[0, 0, 0, 1, 1, 2], &[0, 0, 1, 1, 2, 2], 3);
        assert_eq!(
            m.confusion,
            vec![vec![2, 1, 0], vec![0, 1, 1], vec![0, 0, 1]]
        );
        close(m.accuracy, 4.0 / 6.0);
        // class 0: p = 2/2, r = 2/3, f1 = 0.8
        close(m.per_class[0].precision, 1.0);
        close(m.per_class[0].recall, 2.0 / 3.0);
        close(m.per_class[0].f1, 0.8);
        // class 1: p = 1/2, r = 1/2, f1 = 1/2
        close(m.per_class[1].f1, 0.5);
        // class 2: p = 1/2, r = 1, f1 = 2/3
        close(m.per_class[2].precision, 0.5);
        close(m.per_class[2].f1, 2.0 / 3.0);
        close(m.macro_f1, (0.8 + 0.5 + 2.0 / 3.0) / 3.0);
        close(m.macro_precision, (1.0 + 0.5 + 0.5) / 3.0);
        close(m.weighted_f1, (0.8 * 3.0 + 0.5 * 2.0 + 2.0 / 3.0) / 6.0);
        close(m.weighted_recall, m.accuracy);
    }

    #[test]
    fn never_predicted_class_has_zero_precision() {
        let m = Metrics::compute(&[0, 1], &[0, 0], 2);
        assert_eq!(m.per_class[1].precision, 0.0);
        assert_eq!(m.per_class[1].f1, 0.0);
        close(m.per_class[0].precision, 0.5);
    }

    #[test]
    fn macro_averages_count_every_genre_seen_in_the_truth_or_the_predictions() {
        // Every row is genre 0; the model also says 1 and 2; genre 3 appears nowhere.
        // scikit-learn: f1_score([0]*4, [0,0,1,2], average="macro") == (2/3 + 0 + 0) / 3.
        let m = Metrics::compute(&[0, 0, 0, 0], &[0, 0, 1, 2], 4);
        let f1_0 = 2.0 * 1.0 * 0.5 / 1.5;
        assert!((m.per_class[0].f1 - f1_0).abs() < 1e-12);
        assert!((m.macro_f1 - f1_0 / 3.0).abs() < 1e-12, "{}", m.macro_f1);
        assert!((m.macro_precision - 1.0 / 3.0).abs() < 1e-12);
        assert!((m.macro_recall - 0.5 / 3.0).abs() < 1e-12);
    }
}
