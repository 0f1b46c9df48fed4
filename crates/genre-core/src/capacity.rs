//! What a training data set costs the browser tab, and how much a tab may hold: the numbers
//! behind the Train page's "too large for this tab" message and its sampling offer. The core
//! has no clock and no browser, so these are estimates from a file's size and first bytes,
//! with costs measured in Chromium (`cargo test -p genre-lens-e2e --test scale -- --ignored`).

use serde::{Deserialize, Serialize};

/// The most the tab's processes should use for a training run: a laptop with 8 GB keeps its
/// other tabs and programs.
pub const TAB_BUDGET_BYTES: u64 = 1_500_000_000;

/// The tab's resident memory (its renderer process: the page and its workers) with the Train
/// page open and nothing read, measured.
const BASE_BYTES: u64 = 419_000_000;

/// What each row of a file adds at the tab's peak for a 100-tree forest with 2 workers (read,
/// split, sent to the workers, trained, merged, scored), measured on a 1,000,000-row file in the
/// genres_v2 layout (930,294 rows kept after de-duplication): a peak of 1,484 MB.
const BYTES_PER_ROW: u64 = 1_065;

/// Of those bytes, what each of the two training workers holds: its copy of the split, the
/// training matrix, the bins and its trees. Estimated from those structures' sizes (about 250
/// bytes a row), not measured apart: the rest is the page's and the merging worker's.
const WORKER_BYTES_PER_ROW: u64 = 250;

/// The most training workers the tab can give a forest on `rows` rows (at least 1): each one
/// holds its own copy of the data, so a machine with many cores must not start one per core
/// on a big file.
pub fn max_workers(rows: u64) -> usize {
    let shared = BASE_BYTES + rows * (BYTES_PER_ROW - 2 * WORKER_BYTES_PER_ROW);
    let per_worker = (rows * WORKER_BYTES_PER_ROW).max(1);
    (TAB_BUDGET_BYTES.saturating_sub(shared) / per_worker).clamp(1, 64) as usize
}

/// Above this many rows the Train page lets its parser worker go once the data set is split
/// (the next split reads the file again): its copy of the file would otherwise sit beside the
/// training workers' copies for the whole run.
pub const KEEP_READ_ROWS: u64 = 200_000;

/// How many bytes the first slice of a file should have for [`estimate_rows`] to be worth
/// something: a few thousand rows.
pub const HEAD_BYTES: usize = 1 << 20;

/// The tab's estimated peak for training on `rows` rows.
pub fn tab_bytes(rows: u64) -> u64 {
    BASE_BYTES + rows.saturating_mul(BYTES_PER_ROW)
}

/// The most rows a training run in the tab may hold.
pub fn max_tab_rows() -> u64 {
    (TAB_BUDGET_BYTES - BASE_BYTES) / BYTES_PER_ROW
}

/// The rows of a CSV of `file_bytes` bytes, from its first bytes `head` (the header line is
/// not a row): exact when `head` is the whole file, else the file's size over the mean length
/// of the whole lines in `head`.
pub fn estimate_rows(file_bytes: u64, head: &[u8]) -> u64 {
    if head.len() as u64 >= file_bytes {
        let lines = head
            .split(|&b| b == b'\n')
            .filter(|l| !l.trim_ascii().is_empty());
        return lines.count().saturating_sub(1) as u64;
    }
    let whole = head.iter().filter(|&&b| b == b'\n').count();
    let Some(header_end) = head.iter().position(|&b| b == b'\n') else {
        // Not even one line in a megabyte: no rows to speak of.
        return 0;
    };
    let body_end = head.iter().rposition(|&b| b == b'\n').unwrap_or(header_end);
    let body_lines = whole - 1;
    if body_lines == 0 {
        return 1;
    }
    let mean = (body_end - header_end) as f64 / body_lines as f64;
    ((file_bytes - header_end as u64 - 1) as f64 / mean).round() as u64
}

/// A file the tab should not train on whole: its size, the rows it seems to have, what
/// training on them would need, and the sample the page offers instead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TooLarge {
    pub file_bytes: u64,
    pub rows: u64,
    pub needed_bytes: u64,
    pub budget_bytes: u64,
    /// The rows the offered sample keeps (about).
    pub sample_rows: u64,
}

impl TooLarge {
    /// The share of rows the offered sample keeps.
    pub fn sample_fraction(&self) -> f64 {
        (self.sample_rows as f64 / self.rows.max(1) as f64).min(1.0)
    }
}

/// `Err` when a file of `file_bytes` starting with `head` would not fit in the tab.
pub fn check(file_bytes: u64, head: &[u8]) -> Result<u64, TooLarge> {
    let rows = estimate_rows(file_bytes, head);
    if rows <= max_tab_rows() {
        return Ok(rows);
    }
    Err(too_large(file_bytes, rows))
}

/// What the page says of a file of `file_bytes` with about `rows` rows, over the limit.
pub fn too_large(file_bytes: u64, rows: u64) -> TooLarge {
    TooLarge {
        file_bytes,
        rows,
        needed_bytes: tab_bytes(rows),
        budget_bytes: TAB_BUDGET_BYTES,
        // A round number a little under the limit: the estimate is an estimate.
        sample_rows: (max_tab_rows() * 9 / 10) / 10_000 * 10_000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(rows: usize) -> Vec<u8> {
        let mut s = String::from("energy,tempo,genre\n");
        for i in 0..rows {
            s.push_str(&format!("0.{},{}.5,rap\n", i % 10, 100 + i % 50));
        }
        s.into_bytes()
    }

    #[test]
    fn rows_are_counted_in_a_small_file_and_estimated_in_a_big_one() {
        let small = csv(1000);
        assert_eq!(estimate_rows(small.len() as u64, &small), 1000);
        // Without the last newline, and with a blank line at the end.
        assert_eq!(
            estimate_rows((small.len() - 1) as u64, &small[..small.len() - 1]),
            1000
        );
        let mut blank = small.clone();
        blank.extend_from_slice(b"\n");
        assert_eq!(estimate_rows(blank.len() as u64, &blank), 1000);
        let big = csv(200_000);
        let est = estimate_rows(big.len() as u64, &big[..HEAD_BYTES.min(big.len() / 4)]);
        assert!((est as f64 - 200_000.0).abs() < 2_000.0, "{est}");
        assert_eq!(estimate_rows(10, b"genre,energy"), 0);
    }

    #[test]
    fn workers_are_limited_by_memory_on_big_data_only() {
        // The measurement behind the limit used 2 workers: at the limit, 2 still fit.
        assert_eq!(max_workers(max_tab_rows()), 2);
        assert!(max_workers(500_000) >= 4);
        assert!(max_workers(42_305) >= 8);
        assert_eq!(max_workers(50_000_000), 1);
    }

    #[test]
    fn the_limit_follows_the_budget_and_the_offer_fits_under_it() {
        let max = max_tab_rows();
        assert!(tab_bytes(max) <= TAB_BUDGET_BYTES);
        assert!(tab_bytes(max + 1) > TAB_BUDGET_BYTES - BYTES_PER_ROW);
        let big = csv(10_000);
        let per_row = big.len() as f64 / 10_000.0;
        let fits = (max as f64 * per_row) as u64;
        assert!(check(fits / 2, &big[..4096]).is_ok());
        let too = check(fits * 3, &big[..4096]).expect_err("three times the limit");
        assert!(too.needed_bytes > TAB_BUDGET_BYTES);
        assert!(too.sample_rows < max && too.sample_rows > max / 2);
        assert!((too.sample_fraction() - too.sample_rows as f64 / too.rows as f64).abs() < 1e-12);
        assert!(too.sample_fraction() < 0.5);
    }
}
