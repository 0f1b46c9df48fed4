//! Where each record of a file read lies in it ([`RecordSpans`], recorded by the reader), and
//! writing those records out again with columns added ([`RecordWriter`]): how the Batch page's
//! download keeps the user's own cells without reading the file a second time.

use serde::{Deserialize, Serialize};

/// Where one record lies in the file: from where the reader started it to where it stopped, so
/// the line breaks around it (blank lines, the `\n` of a `\r\n`, its own terminator) are
/// included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RecordSpan {
    /// Spreadsheet row number (the header is row 1 when it is the first line).
    pub row: u64,
    /// Byte offsets in the file.
    pub start: u64,
    pub end: u64,
}

/// The header's span and every data record's, blank lines left out: the rows kept, rejected
/// and dropped as duplicates alike, in file order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RecordSpans {
    pub delimiter: u8,
    pub header: RecordSpan,
    pub records: Vec<RecordSpan>,
}

impl RecordSpans {
    pub(super) fn new(delimiter: u8, header: RecordSpan) -> RecordSpans {
        RecordSpans {
            delimiter,
            header,
            records: Vec::new(),
        }
    }
}

/// Why the records could not be written out again.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RewriteError {
    #[error("row {row} lies outside the file given (bytes {start}..{end} of {len}): is it the file that was read?")]
    OutsideFile {
        row: u64,
        start: u64,
        end: u64,
        len: usize,
    },
    #[error("could not write row {row}: {message}")]
    Write { row: u64, message: String },
}

/// Writes a file's header and records back out as comma-separated CSV (quoted where needed),
/// each with exactly the header's number of cells (cut or padded with empty ones) and then the
/// caller's columns. Resumable like the reader: [`RecordWriter::step`] writes a few records.
pub struct RecordWriter<'a> {
    file: &'a [u8],
    spans: &'a RecordSpans,
    /// The header's number of cells.
    width: usize,
    next: usize,
    out: csv::Writer<Vec<u8>>,
    /// The record being read back (for records that need unquoting) and the line being written.
    cells: csv::ByteRecord,
    line: csv::ByteRecord,
    added: Vec<String>,
}

impl<'a> RecordWriter<'a> {
    /// Starts the output: `file` is the file that was read into `spans`, `added_header` the
    /// names of the added columns.
    pub fn new(
        file: &'a [u8],
        spans: &'a RecordSpans,
        added_header: &[String],
    ) -> Result<RecordWriter<'a>, RewriteError> {
        let mut writer = RecordWriter {
            file,
            spans,
            width: 0,
            next: 0,
            out: csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(Vec::with_capacity(file.len() * 2)),
            cells: csv::ByteRecord::new(),
            line: csv::ByteRecord::new(),
            added: added_header.to_vec(),
        };
        let mut header = std::mem::take(&mut writer.cells);
        writer.read_cells(&spans.header, &mut header)?;
        writer.width = header.len();
        writer.cells = header;
        writer.write_line(spans.header.row)?;
        Ok(writer)
    }

    /// Writes up to `max_records` more records, each followed by the columns `added` puts in
    /// the list it is given (empty; the argument is the record's row). Returns whether records
    /// remain.
    pub fn step(
        &mut self,
        max_records: usize,
        added: &mut dyn FnMut(u64, &mut Vec<String>),
    ) -> Result<bool, RewriteError> {
        let spans = self.spans;
        for span in spans.records.iter().skip(self.next).take(max_records) {
            let mut cells = std::mem::take(&mut self.cells);
            self.read_cells(span, &mut cells)?;
            self.cells = cells;
            self.added.clear();
            added(span.row, &mut self.added);
            self.write_line(span.row)?;
            self.next += 1;
        }
        Ok(self.next < spans.records.len())
    }

    /// The written file (after the last [`RecordWriter::step`]).
    pub fn finish(self) -> Result<Vec<u8>, RewriteError> {
        self.out.into_inner().map_err(|e| RewriteError::Write {
            row: 0,
            message: e.to_string(),
        })
    }

    /// The cells of the record at `span`. A record with no quote in a comma-separated file is
    /// its bytes cut at the commas, which is what the reader saw; any other is read back by
    /// the CSV parser with the file's settings (one record, not the file).
    fn read_cells(
        &self,
        span: &RecordSpan,
        cells: &mut csv::ByteRecord,
    ) -> Result<(), RewriteError> {
        let outside = || RewriteError::OutsideFile {
            row: span.row,
            start: span.start,
            end: span.end,
            len: self.file.len(),
        };
        let start = usize::try_from(span.start).map_err(|_| outside())?;
        let end = usize::try_from(span.end).map_err(|_| outside())?;
        let bytes = self.file.get(start..end).ok_or_else(outside)?;
        cells.clear();
        let line_break = |b: &u8| *b == b'\n' || *b == b'\r';
        if self.spans.delimiter == b',' && !bytes.contains(&b'"') {
            // Unquoted, a record holds no line break: the ones around it are not cells.
            let first = bytes.iter().position(|b| !line_break(b));
            let last = bytes.iter().rposition(|b| !line_break(b));
            if let (Some(first), Some(last)) = (first, last) {
                bytes[first..=last]
                    .split(|&b| b == b',')
                    .for_each(|c| cells.push_field(c));
            } else {
                cells.push_field(b"");
            }
            return Ok(());
        }
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.spans.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        reader
            .read_byte_record(cells)
            .map_err(|e| RewriteError::Write {
                row: span.row,
                message: e.to_string(),
            })?;
        Ok(())
    }

    /// Writes `self.cells` cut or padded to the header's width, then `self.added`.
    fn write_line(&mut self, row: u64) -> Result<(), RewriteError> {
        self.line.clear();
        for i in 0..self.width {
            self.line.push_field(self.cells.get(i).unwrap_or(b""));
        }
        for cell in &self.added {
            self.line.push_field(cell.as_bytes());
        }
        self.out
            .write_byte_record(&self.line)
            .map_err(|e| RewriteError::Write {
                row,
                message: e.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_csv, IngestOptions};

    /// The spans the reader records for `text`.
    fn spans_of(text: &str) -> RecordSpans {
        let read = read_csv(text.as_bytes(), &IngestOptions::for_prediction());
        read.expect("a readable file").spans
    }

    /// Writes `text` back with the column `row` added, two records per step.
    fn rewrite(text: &str) -> String {
        let spans = spans_of(text);
        let mut w = RecordWriter::new(text.as_bytes(), &spans, &["row".to_string()]).unwrap();
        while w
            .step(2, &mut |row, cells| cells.push(row.to_string()))
            .unwrap()
        {}
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn cells_are_kept_cut_or_padded_to_the_header() {
        let text = "name,energy\n\"A, b\",0.5\n\nplain,0.6,extra\nshort\n\"q\"\"x\",0.7";
        assert_eq!(
            rewrite(text),
            "name,energy,row\n\"A, b\",0.5,2\nplain,0.6,4\nshort,,5\n\"q\"\"x\",0.7,6\n"
        );
    }

    #[test]
    fn other_delimiters_bom_and_crlf_become_plain_commas() {
        let text = "\u{feff}name;energy\r\n\"two\r\nlines\";0.5\r\nx,y;0.6\r\n";
        assert_eq!(
            rewrite(text),
            "name,energy,row\n\"two\r\nlines\",0.5,2\n\"x,y\",0.6,4\n"
        );
    }

    #[test]
    fn spans_of_another_file_are_an_error() {
        let spans = spans_of("energy\n0.5\n0.25\n");
        let mut w = RecordWriter::new(b"energy\n0.5\n", &spans, &[]).unwrap();
        assert!(matches!(
            w.step(10, &mut |_, _| {}),
            Err(RewriteError::OutsideFile { row: 3, .. })
        ));
    }
}
