//! Reading a big CSV on the page thread without freezing the page: the core's [`Reader`] reads
//! a few hundred rows per step, and between time slices the browser gets control back
//! (`yield_now`) to paint the progress bar and handle input. The core is the only parser, so
//! the result, and every message, is exactly one `read_csv`'s.

use genre_core::error::IngestError;
use genre_core::ingest::{IngestOptions, Ingested, Reader, Step};

use crate::browser::yield_now;
use crate::perf::now;

/// Rows per step: well under a millisecond of core work, so a slice ends close to its time.
const STEP_ROWS: usize = 256;
/// Work per slice before giving the browser a turn (as `pages::batch::run`): well under the
/// 50 ms long-task line, with room for a slow or busy machine.
const SLICE_MS: f64 = 8.0;

/// Reads `bytes` with the core, in time slices, yielding to the browser between them.
/// `progress(done, total)` is told how many bytes are read.
pub async fn read_csv_sliced(
    bytes: &[u8],
    opts: &IngestOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Ingested, IngestError> {
    let mut reader = Reader::new(bytes, opts)?;
    let mut slice_start = now();
    while let Step::More(at) = reader.step(STEP_ROWS)? {
        if now() - slice_start > SLICE_MS {
            progress(at.bytes as usize, bytes.len());
            yield_now().await;
            slice_start = now();
        }
    }
    progress(bytes.len(), bytes.len());
    reader.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv_upload::block_on;
    use genre_core::ingest::read_csv;

    fn csv_text(rows: usize) -> String {
        let mut s = String::from("\u{feff}track_name;energy;tempo;genre\r\n");
        for i in 0..rows {
            let energy = if i % 7 == 3 {
                "oops".to_string()
            } else {
                format!("0.{}", i % 10)
            };
            let genre = ["a", "b", "c"][(i / 5) % 3];
            // Every 11th row repeats the previous one, to exercise de-duplication across steps.
            let i = if i % 11 == 10 { i - 1 } else { i };
            // Some names span two lines, and blank lines come and go: row numbers must still
            // be the whole file's in every step.
            let name = if i % 13 == 5 {
                format!("Song {i};\r\nlive")
            } else {
                format!("Song {i}; live")
            };
            s.push_str(&format!("\"{name}\";{energy};{};{genre}\r\n", 100 + i % 50));
            if i % 17 == 8 {
                s.push_str("\r\n");
            }
        }
        s
    }

    fn read_sliced(text: &[u8], opts: &IngestOptions) -> Result<Ingested, IngestError> {
        let mut sink = |_: usize, _: usize| {};
        block_on(read_csv_sliced(text, opts, &mut sink))
    }

    #[test]
    fn slices_give_the_one_shot_result() {
        let text = csv_text(STEP_ROWS * 9 + 357);
        for opts in [
            IngestOptions::for_prediction(),
            IngestOptions::for_training(),
        ] {
            let whole = read_csv(text.as_bytes(), &opts).unwrap();
            let sliced = read_sliced(text.as_bytes(), &opts).unwrap();
            // Debug text, because NaN (a missing value) is never == NaN.
            let (a, b) = (format!("{sliced:?}"), format!("{whole:?}"));
            let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y);
            assert!(
                at.is_none() && a.len() == b.len(),
                "differ at {at:?}: {:?}",
                at.map(|i| &a[i.saturating_sub(200)..(i + 200).min(a.len())])
            );
        }
    }

    #[test]
    fn row_errors_name_the_whole_files_row() {
        let mut text = csv_text(STEP_ROWS * 4 + 10).into_bytes();
        // Break the UTF-8 of a genre late in the file: a file-level error naming its row.
        let at = text
            .windows(12)
            .rposition(|w| w == b";100;a\r\n\"Son")
            .unwrap();
        text[at + 5] = 0xFF;
        let opts = IngestOptions::for_prediction();
        let whole = read_csv(text.as_slice(), &opts).map_err(|e| e.to_string());
        let sliced = read_sliced(&text, &opts).map_err(|e| e.to_string());
        assert!(whole.is_err(), "the file should not be readable");
        assert_eq!(sliced.unwrap_err(), whole.unwrap_err());
    }

    #[test]
    fn small_and_broken_files_get_the_cores_answer() {
        for text in [
            "",
            "energy,genre\n",
            "energy,genre\nx,a\n",
            "\n\nenergy\n0.5\n",
        ] {
            let whole = read_csv(text.as_bytes(), &IngestOptions::for_prediction());
            let sliced = read_sliced(text.as_bytes(), &IngestOptions::for_prediction());
            assert_eq!(format!("{sliced:?}"), format!("{whole:?}"));
        }
    }
}
