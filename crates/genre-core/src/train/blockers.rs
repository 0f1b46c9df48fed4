//! What stops a training before it starts, from the class counts alone: the same rules the
//! pipeline enforces (the split's two rows per genre, SMOTE's k + 1 training rows), so a page
//! can say what is wrong before it sends any work to a worker.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{Balance, MAX_CLASSES};
use crate::genre::named;
use crate::smote::{too_small_for_smote, SMOTE_K};
use crate::split::train_rows;
use crate::text::count;

/// One reason a training cannot run. Its text is a sentence that names the genre and says
/// what to do (backticked names, shown as code by the app; genres as the charts name them).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Blocker {
    #[error("No row has a genre: add a genre column with values, or pick another label column.")]
    NoLabels,
    #[error("The label column has {count} different values: a model can tell at most {max} genres apart. Is it really the genre? Pick the column that holds the genre.", max = MAX_CLASSES)]
    TooManyGenres { count: usize },
    #[error("Only one genre ({}) has enough rows to train on: a classifier needs at least two. Add tracks of other genres.", named(class))]
    OneClass { class: String },
    #[error("Genre {} has {train_rows} row(s) in the training part: SMOTE needs at least {needed}. Choose \"class weights\" or \"none\" for balancing, or add rows of this genre.", named(class), needed = SMOTE_K + 1)]
    TooSmallForSmote { class: String, train_rows: u64 },
}

/// The fewest rows a genre needs to be split: one for training and one for testing. A genre
/// with fewer is set aside ([`SetAside`]), not a reason to refuse the file.
pub const MIN_ROWS_TO_SPLIT: u64 = 2;

/// How many set-aside genres a note names one by one (the count is always complete).
const NAMED_SET_ASIDE: usize = 5;

/// Genres with too few rows to split ([`MIN_ROWS_TO_SPLIT`]): left out of training and of the
/// test part, with the rows that hold them (spreadsheet numbers, at most a few per genre).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAside {
    /// Each genre and its rows, in the file's order of genres (at most [`NAMED_SET_ASIDE`]).
    pub genres: Vec<(String, Vec<u64>)>,
    /// How many genres are set aside in all, and how many rows they hold.
    pub count: usize,
    pub rows: u64,
}

impl SetAside {
    /// The genres of `counts` below [`MIN_ROWS_TO_SPLIT`] rows; `rows_of(genre)` lists a named
    /// genre's rows.
    pub fn of(counts: &[(String, u64)], rows_of: impl Fn(&str) -> Vec<u64>) -> SetAside {
        let small: Vec<&(String, u64)> = counts
            .iter()
            .filter(|(_, n)| *n > 0 && *n < MIN_ROWS_TO_SPLIT)
            .collect();
        SetAside {
            genres: small
                .iter()
                .take(NAMED_SET_ASIDE)
                .map(|(c, _)| (c.clone(), rows_of(c)))
                .collect(),
            count: small.len(),
            rows: small.iter().map(|(_, n)| n).sum(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// One sentence naming what is set aside and why, or `None` when nothing is.
    pub fn note(&self) -> Option<String> {
        let row_text = |rows: &[u64]| match rows {
            [r] => format!("row {r}"),
            rs => format!(
                "rows {}",
                rs.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
            ),
        };
        let named: Vec<String> = self
            .genres
            .iter()
            .map(|(c, rows)| format!("{} ({})", named(c), row_text(rows)))
            .collect();
        let more = self.count - self.genres.len();
        let list = match more {
            0 => named.join(", "),
            n => format!("{}, and {} more", named.join(", "), count(n as u64)),
        };
        match self.count {
            0 => None,
            1 => Some(format!(
                "Set aside: genre {list} has fewer than {MIN_ROWS_TO_SPLIT} rows, too few to put one in the training part and one in the test part. The other genres train without it."
            )),
            n => Some(format!(
                "Set aside: {} genres ({} rows) have fewer than {MIN_ROWS_TO_SPLIT} rows each, too few to put one in the training part and one in the test part: {list}. The other genres train without them.",
                count(n as u64),
                count(self.rows)
            )),
        }
    }
}

/// Why training cannot start with these rows per genre (genres without rows are ignored, and
/// genres too small to split are set aside, see [`SetAside`]). Empty: training can run.
pub fn blockers(counts: &[(String, u64)], test_fraction: f64, balance: Balance) -> Vec<Blocker> {
    let labelled = counts.iter().filter(|(_, n)| *n > 0).count();
    if labelled == 0 {
        return vec![Blocker::NoLabels];
    }
    // A label column that is not the genre (a song's name): one sentence, not one a value.
    if labelled > MAX_CLASSES {
        return vec![Blocker::TooManyGenres { count: labelled }];
    }
    let present: Vec<&(String, u64)> = counts
        .iter()
        .filter(|(_, n)| *n >= MIN_ROWS_TO_SPLIT)
        .collect();
    match present.as_slice() {
        [] => {
            let (class, _) = counts.iter().find(|(_, n)| *n > 0).expect("labelled > 0");
            return vec![Blocker::OneClass {
                class: class.clone(),
            }];
        }
        [(class, _)] => {
            return vec![Blocker::OneClass {
                class: class.clone(),
            }]
        }
        _ => {}
    }
    let mut out = Vec::new();
    if balance == Balance::Smote {
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
        assert!(one[0].contains("Only one genre (A (`a`))"), "{one:?}");
        let smote = sentences(blockers(
            &counts(&[("a", 100), ("b", 5)]),
            0.2,
            Balance::Smote,
        ));
        assert!(
            smote[0].contains("B (`b`) has 4 row(s) in the training part"),
            "{smote:?}"
        );
        assert!(blockers(&counts(&[("a", 100), ("b", 5)]), 0.2, Balance::ClassWeights).is_empty());
    }

    /// A genre of one row is set aside, not a reason to refuse the file; when it leaves one
    /// genre only, that is what is said.
    #[test]
    fn a_genre_too_small_to_split_is_set_aside() {
        let c = counts(&[("a", 10), ("rnb-0", 1), ("b", 10)]);
        assert!(blockers(&c, 0.2, Balance::None).is_empty());
        assert!(
            blockers(&c, 0.2, Balance::Smote).is_empty(),
            "SMOTE ignores it too"
        );
        let aside = SetAside::of(&c, |g| if g == "rnb-0" { vec![7] } else { vec![] });
        assert_eq!((aside.count, aside.rows), (1, 1));
        let note = aside.note().unwrap();
        assert!(
            note.starts_with("Set aside: genre Rnb-0 (`rnb-0`) (row 7) has fewer than 2 rows"),
            "{note}"
        );
        assert_eq!(
            SetAside::of(&counts(&[("a", 3), ("b", 2)]), |_| vec![]).note(),
            None
        );
        let only_one = sentences(blockers(
            &counts(&[("a", 10), ("b", 1)]),
            0.2,
            Balance::None,
        ));
        assert_eq!(only_one.len(), 1);
        assert!(
            only_one[0].contains("Only one genre (A (`a`)) has enough rows"),
            "{only_one:?}"
        );
    }

    /// Hundreds of genres: one sentence for the blocker and one for the note, whatever the count.
    #[test]
    fn a_label_that_is_not_the_genre_gets_one_sentence() {
        let many: Vec<(String, u64)> = (0..573)
            .map(|i| (format!("song {i}"), 1 + (i % 2)))
            .collect();
        let b = sentences(blockers(&many, 0.2, Balance::None));
        assert_eq!(b.len(), 1, "{b:?}");
        assert!(b[0].contains("573 different values"), "{b:?}");
        assert!(b[0].contains("at most 255 genres"), "{b:?}");
        let some: Vec<(String, u64)> = (0..40).map(|i| (format!("g{i}"), 1 + (i % 2))).collect();
        let note = SetAside::of(&some, |_| vec![1]).note().unwrap();
        assert!(note.contains("20 genres (20 rows)"), "{note}");
        assert!(note.contains("and 15 more"), "{note}");
    }

    /// The sentences the Train page shows, byte for byte.
    #[test]
    fn the_sentences_stay_as_the_page_shows_them() {
        assert_eq!(
            sentences(blockers(&counts(&[("a", 0)]), 0.2, Balance::None)),
            ["No row has a genre: add a genre column with values, or pick another label column."]
        );
        assert_eq!(
            sentences(blockers(&counts(&[("x", 1), ("y", 0)]), 0.2, Balance::None)),
            ["Only one genre (X (`x`)) has enough rows to train on: a classifier needs at least two. Add tracks of other genres."]
        );
        assert_eq!(
            sentences(blockers(&counts(&[("Rap", 50), ("Emo", 3)]), 0.2, Balance::Smote)),
            ["Genre `Emo` has 2 row(s) in the training part: SMOTE needs at least 6. Choose \"class weights\" or \"none\" for balancing, or add rows of this genre."]
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
