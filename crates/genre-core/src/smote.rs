//! SMOTE (Chawla et al. 2002): synthetic minority rows on the segment between a row and one of
//! its k nearest same-class neighbours. Only ever applied to the training part.

use crate::error::TrainError;
use crate::rng::Rng;

/// The neighbours SMOTE draws from (scikit-learn's and the original comparison's k).
pub const SMOTE_K: usize = 5;

/// A class that SMOTE must grow (it has rows, fewer than the largest class) but that has no
/// `k` neighbours of its own: it needs `k + 1` training rows.
pub fn too_small_for_smote(rows: usize, largest: usize, k: usize) -> bool {
    rows > 0 && rows < largest && rows <= k
}

/// How SMOTE measures which rows are neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmoteDistance {
    /// Each column divided by its standard deviation, so that a feature in milliseconds does
    /// not drown the 0-1 scores: the product's.
    Scaled,
    /// Plain Euclidean distance on the values as they are: imbalanced-learn's default, which
    /// the original report used (its neighbours are mostly tracks of similar duration).
    Raw,
}

/// Oversamples every class up to the size of the largest one. `x` rows are already
/// preprocessed; distances use each column's training standard deviation so that a feature in
/// milliseconds does not drown the 0-1 scores.
pub fn smote(
    x: &[Vec<f64>],
    y: &[usize],
    class_names: &[String],
    k: usize,
    seed: u64,
) -> Result<(Vec<Vec<f64>>, Vec<usize>), TrainError> {
    smote_with(x, y, class_names, k, seed, SmoteDistance::Scaled)
}

/// [`smote`] with the neighbours found by `distance`.
pub fn smote_with(
    x: &[Vec<f64>],
    y: &[usize],
    class_names: &[String],
    k: usize,
    seed: u64,
    distance: SmoteDistance,
) -> Result<(Vec<Vec<f64>>, Vec<usize>), TrainError> {
    let n_classes = class_names.len();
    let p = x.first().map_or(0, Vec::len);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, &c) in y.iter().enumerate() {
        by_class[c].push(i);
    }
    let target = by_class.iter().map(Vec::len).max().unwrap_or(0);
    for (c, rows) in by_class.iter().enumerate() {
        if too_small_for_smote(rows.len(), target, k) {
            return Err(TrainError::ClassTooSmall {
                class: class_names[c].clone(),
                count: rows.len(),
                needed: k + 1,
                purpose:
                    "in the training part for SMOTE (k = 5 neighbours); or turn class balancing off"
                        .into(),
            });
        }
    }
    let inv_std: Vec<f64> = (0..p)
        .map(|j| {
            let n = x.len() as f64;
            let mean = x.iter().map(|r| r[j]).sum::<f64>() / n;
            let var = x.iter().map(|r| (r[j] - mean) * (r[j] - mean)).sum::<f64>() / n;
            if distance == SmoteDistance::Raw {
                1.0
            } else if var > 1e-24 {
                1.0 / var.sqrt()
            } else {
                0.0
            }
        })
        .collect();
    let dist = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .zip(&inv_std)
            .map(|((u, v), s)| ((u - v) * s) * ((u - v) * s))
            .sum()
    };

    let mut out_x = x.to_vec();
    let mut out_y = y.to_vec();
    let mut rng = Rng::new(seed);
    let mut neighbours: Vec<(f64, usize)> = Vec::new();
    for (c, rows) in by_class.iter().enumerate() {
        let need = target.saturating_sub(rows.len());
        if need == 0 || rows.is_empty() {
            continue;
        }
        // Neighbour lists are computed lazily for the rows actually drawn.
        let mut knn: Vec<Option<Vec<usize>>> = vec![None; rows.len()];
        for _ in 0..need {
            let a = rng.below(rows.len());
            if knn[a].is_none() {
                neighbours.clear();
                for (b, &row_b) in rows.iter().enumerate() {
                    if b != a {
                        neighbours.push((dist(&x[rows[a]], &x[row_b]), b));
                    }
                }
                let kk = k.min(neighbours.len());
                neighbours
                    .select_nth_unstable_by(kk - 1, |u, v| u.0.total_cmp(&v.0).then(u.1.cmp(&v.1)));
                let mut list: Vec<(f64, usize)> = neighbours[..kk].to_vec();
                list.sort_by(|u, v| u.0.total_cmp(&v.0).then(u.1.cmp(&v.1)));
                knn[a] = Some(list.into_iter().map(|(_, b)| b).collect());
            }
            let list = knn[a].as_ref().expect("filled above");
            let b = list[rng.below(list.len())];
            let gap = rng.unit();
            let (ra, rb) = (&x[rows[a]], &x[rows[b]]);
            out_x.push(ra.iter().zip(rb).map(|(u, v)| u + gap * (v - u)).collect());
            out_y.push(c);
        }
    }
    Ok((out_x, out_y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balances_classes_with_points_inside_the_minority_hull() {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..20 {
            x.push(vec![i as f64, 0.0]);
            y.push(0);
        }
        for i in 0..6 {
            x.push(vec![100.0 + i as f64, 5.0]);
            y.push(1);
        }
        let names = vec!["a".to_string(), "b".to_string()];
        let (sx, sy) = smote(&x, &y, &names, 5, 3).unwrap();
        assert_eq!(sy.iter().filter(|&&c| c == 1).count(), 20);
        assert_eq!(sx.len(), 40);
        for (r, &c) in sx.iter().zip(&sy).skip(26) {
            assert_eq!(c, 1);
            assert!((100.0..=105.0).contains(&r[0]) && r[1] == 5.0, "{r:?}");
        }
    }

    #[test]
    fn too_small_class_is_named() {
        let x: Vec<Vec<f64>> = (0..13).map(|i| vec![i as f64]).collect();
        let y: Vec<usize> = (0..13).map(|i| usize::from(i >= 10)).collect();
        let names = vec!["big".to_string(), "tiny".to_string()];
        let e = smote(&x, &y, &names, 5, 1).unwrap_err();
        assert!(
            matches!(e, TrainError::ClassTooSmall { ref class, count: 3, needed: 6, .. } if class == "tiny")
        );
    }
}
