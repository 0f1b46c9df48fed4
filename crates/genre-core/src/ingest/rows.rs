//! Spreadsheet row numbers for the records a `csv` reader returns from a stream: the reader
//! skips blank lines and a quoted cell may span several lines, so rows are worked out from the
//! line breaks the stream held before each record's end.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::rc::Rc;

/// Spreadsheet row numbers (the header's row is 1 when it is the first line) for the records a
/// `csv` reader returns, in order. The reader skips blank lines, which a spreadsheet shows as
/// rows, and a quoted cell may span several lines of one row. So a record's row is worked out
/// from where it ends: the line breaks before its end, minus its own terminator's, minus the
/// breaks inside its cells. Files whose lines end in a lone `\r` have no `\n` to count: rows
/// then count records.
#[derive(Debug, Default, Clone)]
pub(super) struct RowCounter {
    last: u64,
}

impl RowCounter {
    /// The row of `record`, the record just read. `breaks_before_end`: how many `\n` the file
    /// holds before the reader's position after the record; `ends_with_break`: whether the byte
    /// just before that position is a `\n` (the record's own terminator; with `\r\n` line
    /// ends the reader stops after the `\r`).
    pub(super) fn row(
        &mut self,
        record: &csv::ByteRecord,
        breaks_before_end: u64,
        ends_with_break: bool,
    ) -> u64 {
        let in_cells: u64 = record
            .iter()
            .map(|cell| cell.iter().filter(|&&b| b == b'\n').count() as u64)
            .sum();
        let first_line = (breaks_before_end + 1)
            .saturating_sub(u64::from(ends_with_break))
            .saturating_sub(in_cells);
        let row = first_line.max(self.last + 1);
        self.last = row;
        row
    }

    /// The row of the next record (for an error the reader raised before returning it).
    pub(super) fn next_row(&self) -> u64 {
        self.last + 1
    }
}

/// The offsets of the `\n`s a [`BreakLog`] has passed on and a [`BreakCount`] not yet counted.
type Breaks = Rc<RefCell<VecDeque<u64>>>;

/// A reader that notes the offset of every `\n` it passes on, so [`RowCounter`] can be told
/// how many lie before a record's end (the log is drained as records are read: it holds only
/// what the CSV reader has buffered ahead).
pub(super) struct BreakLog<R> {
    inner: R,
    offset: u64,
    breaks: Breaks,
}

impl<R: Read> Read for BreakLog<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut breaks = self.breaks.borrow_mut();
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' {
                breaks.push_back(self.offset + i as u64);
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Counts the logged breaks before `end` (a byte offset in the whole file): (how many, whether
/// the last is at `end - 1`).
pub(super) struct BreakCount {
    breaks: Breaks,
    before: u64,
}

impl BreakCount {
    pub(super) fn upto(&mut self, end: u64) -> (u64, bool) {
        let mut breaks = self.breaks.borrow_mut();
        let mut last = None;
        while breaks.front().is_some_and(|&b| b < end) {
            last = breaks.pop_front();
            self.before += 1;
        }
        (self.before, last.is_some_and(|b| b + 1 == end))
    }
}

/// `source` with its line breaks logged, and the counter that reads the log.
pub(super) fn log_breaks<R: Read>(source: R) -> (BreakLog<R>, BreakCount) {
    let breaks = Breaks::default();
    let count = BreakCount {
        breaks: breaks.clone(),
        before: 0,
    };
    let log = BreakLog {
        inner: source,
        offset: 0,
        breaks,
    };
    (log, count)
}
