//! The one CSV reader: resumable, so a caller that must not block (the browser's page thread)
//! reads a file a slice of rows at a time, and a caller that may (the CLI, a worker) steps to
//! the end in one go ([`super::read_csv`]). Every way of reading a file runs this code, so the
//! checks, messages, row numbers, de-duplication and counts are the same everywhere.

use std::io::{BufRead, BufReader, Read};

use super::records::{RecordSpan, RecordSpans};
use super::rows::{log_breaks, BreakCount, BreakLog, RowCounter};
use super::{detect_delimiter, sniff, Builder, IngestOptions, IngestProgress, Ingested, Layout};
use crate::error::IngestError;

/// Bytes read from the source at a time (and the most looked at to tell a CSV from a binary).
const READ_BUFFER: usize = 1 << 16;

/// What a [`Reader::step`] got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The step read as many records as it was allowed; more may follow.
    More(IngestProgress),
    /// The file is read: [`Reader::finish`] gives the result.
    Done,
}

/// A CSV being read: the header is read and checked by [`Reader::new`], the rows by
/// [`Reader::step`], a few at a time, and [`Reader::finish`] gives what [`super::read_csv`]
/// gives. After an error the reader is of no further use.
pub struct Reader<R: Read> {
    source: RecordSource<R>,
    layout: Layout,
    out: Builder,
    spans: RecordSpans,
    record_spans: bool,
    done: bool,
}

impl<R: Read> Reader<R> {
    /// Looks at the start of `source` (refusing what is clearly not CSV text), picks the
    /// delimiter and reads the header (the first line that is not blank) into a column layout.
    pub fn new(source: R, opts: &IngestOptions) -> Result<Reader<R>, IngestError> {
        let mut source = RecordSource::new(source)?;
        let header = loop {
            match source.next()? {
                None => return Err(IngestError::Empty),
                Some(span) if !source.is_blank_header() => break span,
                Some(_) => {}
            }
        };
        let headers: Vec<String> = source
            .record
            .iter()
            .enumerate()
            .map(|(i, h)| {
                std::str::from_utf8(h)
                    .map(|s| s.trim().to_string())
                    .map_err(|_| IngestError::NotUtf8 {
                        row: header.row,
                        column: format!("#{}", i + 1),
                    })
            })
            .collect::<Result<_, _>>()?;
        let layout = Layout::from_headers(&headers, opts)?;
        Ok(Reader {
            out: Builder::new(opts, &layout),
            layout,
            spans: RecordSpans::new(source.delimiter, header),
            record_spans: opts.record_spans,
            source,
            done: false,
        })
    }

    /// Reads up to `max_records` more records (blank lines count, so a step's work is bounded
    /// whatever the file holds). A step that reaches the end of the file says [`Step::Done`].
    pub fn step(&mut self, max_records: usize) -> Result<Step, IngestError> {
        for _ in 0..max_records {
            let Some(span) = self.source.next()? else {
                self.done = true;
                return Ok(Step::Done);
            };
            let record = &self.source.record;
            if record.len() == 1 && record.get(0).is_some_and(|c| c.is_empty()) {
                continue; // blank line
            }
            if self.record_spans {
                self.spans.records.push(span);
            }
            self.out.push(span.row, record, &self.layout)?;
        }
        Ok(Step::More(self.progress()))
    }

    /// Rows parsed and bytes consumed so far.
    pub fn progress(&self) -> IngestProgress {
        IngestProgress {
            rows: self.out.report.rows_read,
            bytes: self.source.csv.position().byte(),
        }
    }

    /// Reads what is left and gives the whole file's result.
    pub fn finish(mut self) -> Result<Ingested, IngestError> {
        while !self.done {
            self.step(usize::MAX)?;
        }
        self.out.report.delimiter = self.source.delimiter as char;
        self.out.finish(&self.layout, self.spans)
    }
}

/// The records of a CSV stream, each with its span in the file and its spreadsheet row.
struct RecordSource<R: Read> {
    csv: csv::Reader<BufReader<BreakLog<R>>>,
    breaks: BreakCount,
    rows: RowCounter,
    /// Bytes before the CSV reader's first position (a UTF-8 BOM): its positions plus this
    /// are offsets in the file.
    skipped: u64,
    delimiter: u8,
    /// The record read last.
    record: csv::ByteRecord,
}

impl<R: Read> RecordSource<R> {
    fn new(source: R) -> Result<RecordSource<R>, IngestError> {
        let (logged, breaks) = log_breaks(source);
        let mut buffered = BufReader::with_capacity(READ_BUFFER, logged);
        let head = buffered
            .fill_buf()
            .map_err(|e| IngestError::Io(e.to_string()))?;
        sniff(head)?;
        let bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
        let delimiter = detect_delimiter(head);
        let skipped = if bom { 3 } else { 0 };
        buffered.consume(skipped);
        let csv = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(buffered);
        Ok(RecordSource {
            csv,
            breaks,
            rows: RowCounter::default(),
            skipped: skipped as u64,
            delimiter,
            record: csv::ByteRecord::new(),
        })
    }

    /// Reads the next record into `self.record`: its span in the file (from where this read
    /// started to where it stopped) and row, or `None` at the end of the file.
    fn next(&mut self) -> Result<Option<RecordSpan>, IngestError> {
        let start = self.csv.position().byte() + self.skipped;
        match self.csv.read_byte_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let end = self.csv.position().byte() + self.skipped;
                let (before, ends) = self.breaks.upto(end);
                let row = self.rows.row(&self.record, before, ends);
                Ok(Some(RecordSpan { row, start, end }))
            }
            Err(e) => Err(csv_error(e, self.rows.next_row())),
        }
    }

    /// Whether the record just read is blank for finding the header: only whitespace.
    fn is_blank_header(&self) -> bool {
        self.record
            .iter()
            .all(|c| c.iter().all(u8::is_ascii_whitespace))
    }
}

fn csv_error(e: csv::Error, row: u64) -> IngestError {
    match e.kind() {
        csv::ErrorKind::Io(io) => IngestError::Io(io.to_string()),
        _ => IngestError::Malformed {
            row,
            message: e.to_string(),
        },
    }
}
