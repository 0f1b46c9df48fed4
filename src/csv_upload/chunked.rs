//! Reading a big CSV on the main thread without freezing the page.
//!
//! `genre_core::ingest::read_csv` is synchronous: on a 100,000-row file it is one task of
//! several hundred milliseconds. Here the file is cut at record boundaries (found with the same
//! `csv` reader settings the core uses) into pieces of `CHUNK_ROWS` records, each piece gets the
//! header line in front and is read by the core, and the pieces are merged: row numbers shifted
//! back to the whole file's, class indices mapped by name, report counts summed, and exact
//! duplicates dropped across pieces as the core drops them within one. Between pieces the browser
//! gets control back (`yield_now`), so it can paint the progress bar and handle input.
//!
//! The core stays the only parser: any piece it cannot read in isolation (all rows rejected,
//! say) makes this fall back to one `read_csv` of the whole file, so the messages are exactly
//! the core's.

use std::collections::{HashMap, HashSet};

use genre_core::error::IngestError;
use genre_core::ingest::{read_csv, FileRows, IngestOptions, Ingested, MAX_REPORTED_REJECTIONS};

use super::yield_now;

/// Records per piece: about 10 to 20 ms of core work in the browser.
pub const CHUNK_ROWS: usize = 2_000;

/// The core's delimiter rule: the cut points must be record boundaries for the core's parser.
pub use genre_core::ingest::detect_delimiter;

/// A resumable scan for the cut points (record boundaries) and each piece's row offset, so even
/// the scan runs in slices between yields. Rows are counted with the core's [`FileRows`], as
/// the core counts them, so row numbers in a piece shift to the whole file's.
pub struct Splitter<'a> {
    bytes: &'a [u8],
    /// Bytes before the CSV reader's start (a UTF-8 BOM).
    skipped: usize,
    reader: csv::Reader<&'a [u8]>,
    record: csv::ByteRecord,
    header: Option<(usize, usize)>,
    rows: FileRows<'a>,
    /// Where the last record read ends.
    scanned: usize,
    /// The row of the last record read.
    last_row: u64,
    done: bool,
}

impl<'a> Splitter<'a> {
    pub fn new(bytes: &'a [u8]) -> Splitter<'a> {
        let skipped = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        let reader = csv::ReaderBuilder::new()
            .delimiter(detect_delimiter(bytes))
            .has_headers(false)
            .flexible(true)
            .from_reader(&bytes[skipped..]);
        Splitter {
            bytes,
            skipped,
            reader,
            record: csv::ByteRecord::new(),
            header: None,
            rows: FileRows::new(bytes),
            scanned: 0,
            last_row: 0,
            done: false,
        }
    }

    /// Reads the next record; returns the offset where its read started (a cut point: blank
    /// lines before it belong to its piece).
    fn next_start(&mut self) -> Option<usize> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {
                let start = self.skipped + self.record.position().map_or(0, |p| p.byte() as usize);
                let end =
                    (self.skipped + self.reader.position().byte() as usize).min(self.bytes.len());
                self.scanned = end;
                self.last_row = self.rows.row(&self.record, end);
                Some(start)
            }
            _ => {
                self.done = true;
                None
            }
        }
    }

    /// Finds the header (skipping blank lines, as the core does).
    pub fn header(&mut self) -> Option<(usize, usize)> {
        while self.header.is_none() {
            let start = self.next_start()?;
            if self
                .record
                .iter()
                .all(|c| c.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            self.header = Some((start, self.scanned));
        }
        self.header
    }

    /// Skips `n` records and returns the next piece's start offset and row offset (what to add
    /// to a row number the core gives for the piece read with the header in front), or `None`
    /// at the end of the file.
    pub fn next_piece(&mut self, n: usize) -> Option<(usize, u64)> {
        if self.done {
            return None;
        }
        // In the piece the header is row 1, so the record after it (or the blank lines before
        // that record) start at row 2; in the file, right after the last record read.
        let offset = self.last_row.saturating_sub(1);
        let start = self.next_start()?;
        for _ in 1..n {
            if self.next_start().is_none() {
                break;
            }
        }
        Some((start, offset))
    }
}

/// The bytes the core reads for a piece: the header line, then the piece's records.
fn piece_bytes(bytes: &[u8], header: (usize, usize), start: usize, end: usize) -> Vec<u8> {
    let head = &bytes[header.0..header.1];
    let mut out = Vec::with_capacity(head.len() + 1 + end - start);
    out.extend_from_slice(head);
    if !head.ends_with(b"\n") && !head.ends_with(b"\r") {
        out.push(b'\n');
    }
    out.extend_from_slice(&bytes[start..end]);
    out
}

/// Shifts the row number of a row-level error from a piece to the whole file.
fn shift_error(e: IngestError, offset: u64) -> IngestError {
    match e {
        IngestError::NotUtf8 { row, column } => IngestError::NotUtf8 {
            row: row + offset,
            column,
        },
        IngestError::Malformed { row, message } => IngestError::Malformed {
            row: row + offset,
            message,
        },
        other => other,
    }
}

/// Accumulates pieces into one `Ingested`, as if the core had read the whole file.
struct Merger {
    out: Ingested,
    class_index: HashMap<String, u32>,
    seen: Option<HashSet<([u64; 13], Option<String>)>>,
}

impl Merger {
    fn new(first: Ingested, dedupe: bool) -> Merger {
        let class_index = first
            .classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i as u32))
            .collect();
        let seen = dedupe.then(|| {
            first
                .tracks
                .iter()
                .map(|t| {
                    (
                        t.values.map(f64::to_bits),
                        t.label.map(|l| first.classes[l as usize].clone()),
                    )
                })
                .collect()
        });
        Merger {
            out: first,
            class_index,
            seen,
        }
    }

    fn add(&mut self, part: Ingested, offset: u64) {
        let r = &mut self.out.report;
        r.rows_read += part.report.rows_read;
        r.rows_rejected += part.report.rows_rejected;
        r.duplicates_dropped += part.report.duplicates_dropped;
        for mut rej in part.report.rejections {
            if r.rejections.len() >= MAX_REPORTED_REJECTIONS {
                break;
            }
            rej.row += offset;
            r.rejections.push(rej);
        }
        for (f, m) in part.report.missing {
            if let Some(slot) = r.missing.iter_mut().find(|x| x.0 == f) {
                slot.1 += m;
            }
        }
        for mut t in part.tracks {
            let name = t.label.map(|l| part.classes[l as usize].clone());
            if let Some(seen) = &mut self.seen {
                if !seen.insert((t.values.map(f64::to_bits), name.clone())) {
                    // Dropped as the core would have: it also leaves its missing cells uncounted.
                    r.duplicates_dropped += 1;
                    for (f, m) in r.missing.iter_mut() {
                        if t.values[f.index()].is_nan() {
                            *m -= 1;
                        }
                    }
                    continue;
                }
            }
            t.row += offset;
            t.label = name.map(|n| {
                let next = self.out.classes.len() as u32;
                *self.class_index.entry(n.clone()).or_insert_with(|| {
                    self.out.classes.push(n);
                    next
                })
            });
            self.out.tracks.push(t);
        }
    }

    fn finish(mut self) -> Ingested {
        let mut counts = vec![0u64; self.out.classes.len()];
        for t in &self.out.tracks {
            if let Some(l) = t.label {
                counts[l as usize] += 1;
            }
        }
        let r = &mut self.out.report;
        r.rows_kept = self.out.tracks.len() as u64;
        r.class_counts = self.out.classes.iter().cloned().zip(counts).collect();
        self.out
    }
}

/// Reads `bytes` with the core, piece by piece, yielding to the browser between pieces.
/// `progress(done, total)` is told how many bytes are read.
pub async fn read_csv_chunked(
    bytes: &[u8],
    opts: &IngestOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Ingested, IngestError> {
    let mut split = Splitter::new(bytes);
    let Some(header) = split.header() else {
        return read_csv(bytes, opts);
    };
    let mut start = split.next_piece(CHUNK_ROWS);
    let mut merged: Option<Merger> = None;
    let mut first_piece = true;
    while let Some((from, offset)) = start {
        let next = split.next_piece(CHUNK_ROWS);
        let to = next.map_or(bytes.len(), |n| n.0);
        // The first piece is read straight from the file's start, so the core sees the file's
        // own first bytes (BOM, encoding and binary checks) exactly as in a one-shot read.
        let piece = if first_piece {
            read_csv(&bytes[..to], opts)
        } else {
            read_csv(piece_bytes(bytes, header, from, to).as_slice(), opts)
        };
        match piece {
            Ok(part) => match &mut merged {
                None => merged = Some(Merger::new(part, !opts.keep_duplicates)),
                Some(m) => m.add(part, offset),
            },
            Err(e @ (IngestError::NotUtf8 { .. } | IngestError::Malformed { .. })) => {
                // The first piece is read from the file's start: its rows are the file's.
                return Err(shift_error(e, if first_piece { 0 } else { offset }));
            }
            // Single piece: the core's answer is the answer. Otherwise (say, every row of one
            // piece rejected) let the core read the whole file so its report is exact.
            Err(e) if first_piece && next.is_none() => return Err(e),
            Err(_) => return read_csv(bytes, opts),
        }
        first_piece = false;
        progress(to, bytes.len());
        start = next;
        yield_now().await;
    }
    match merged {
        Some(m) => Ok(m.finish()),
        None => read_csv(bytes, opts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv_upload::block_on;

    fn csv_text(rows: usize) -> String {
        let mut s = String::from("\u{feff}track_name;energy;tempo;genre\r\n");
        for i in 0..rows {
            let energy = if i % 7 == 3 {
                "oops".to_string()
            } else {
                format!("0.{}", i % 10)
            };
            let genre = ["a", "b", "c"][(i / 5) % 3];
            // Every 11th row repeats the previous one, to exercise de-duplication across pieces.
            let i = if i % 11 == 10 { i - 1 } else { i };
            // Some names span two lines, and blank lines come and go: row numbers must still
            // be the whole file's in every piece.
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

    fn read_pieces(text: &str, opts: &IngestOptions) -> Result<Ingested, IngestError> {
        let mut sink = |_: usize, _: usize| {};
        block_on(read_csv_chunked(text.as_bytes(), opts, &mut sink))
    }

    #[test]
    fn pieces_merge_to_the_one_shot_result() {
        let text = csv_text(CHUNK_ROWS * 2 + 357);
        for opts in [
            IngestOptions::for_prediction(),
            IngestOptions::for_training(),
        ] {
            let whole = read_csv(text.as_bytes(), &opts).unwrap();
            let pieces = read_pieces(&text, &opts).unwrap();
            // Debug text, because NaN (a missing value) is never == NaN.
            let (a, b) = (format!("{pieces:?}"), format!("{whole:?}"));
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
        let mut text = csv_text(CHUNK_ROWS + 10).into_bytes();
        // Break the UTF-8 of a genre in the second piece: a file-level error naming its row.
        let at = text
            .windows(12)
            .rposition(|w| w == b";100;a\r\n\"Son")
            .unwrap();
        text[at + 5] = 0xFF;
        let opts = IngestOptions::for_prediction();
        let whole = read_csv(text.as_slice(), &opts).map_err(|e| e.to_string());
        let mut sink = |_: usize, _: usize| {};
        let pieces = block_on(read_csv_chunked(&text, &opts, &mut sink)).map_err(|e| e.to_string());
        assert!(whole.is_err(), "the file should not be readable");
        assert_eq!(pieces.unwrap_err(), whole.unwrap_err());
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
            let pieces = read_pieces(text, &IngestOptions::for_prediction());
            assert_eq!(format!("{pieces:?}"), format!("{whole:?}"));
        }
    }

    #[test]
    fn delimiter_rule_matches() {
        assert_eq!(detect_delimiter(b"a;b;c\n1,2,3"), b';');
        assert_eq!(detect_delimiter(b"\"a,b\"\tc\n"), b'\t');
        assert_eq!(detect_delimiter(b"a,b;c\n"), b',');
    }
}
