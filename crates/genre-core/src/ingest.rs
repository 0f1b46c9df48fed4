//! Streaming CSV ingest: maps columns by name, parses numbers, rejects bad rows with reasons,
//! drops exact duplicates and reports what it understood. One resumable [`Reader`] does the
//! reading for every caller; [`read_csv`] steps it to the end.

mod reader;
mod records;
mod rows;

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::error::IngestError;
use crate::feature::{normalize_header, Feature};

pub use reader::{Reader, Step};
pub use records::{RecordSpan, RecordSpans, RecordWriter, RewriteError};

/// How many rejected rows are kept with their reason (the count is always exact).
pub const MAX_REPORTED_REJECTIONS: usize = 100;

/// Header names (normalised) that hold a track's identity, not its sound: dropped.
const IDENTIFIER_COLUMNS: [&str; 9] = [
    "type",
    "id",
    "uri",
    "trackhref",
    "analysisurl",
    "unnamed0",
    "trackuri",
    "spotifyid",
    "",
];
/// Header names (normalised) that may hold the label, in order of preference: the Kaggle
/// layout's `genre`, generic names, then the public "Spotify Tracks Dataset" (`track_genre`)
/// and "30000 Spotify Songs" (`playlist_genre`) layouts.
const LABEL_COLUMNS: [&str; 6] = [
    "genre",
    "label",
    "class",
    "target",
    "trackgenre",
    "playlistgenre",
];

/// How many column names an error message lists before it says how many there are in all: every
/// column of a real export (the widest seen have ~30), never a megabyte of names.
const LISTED_COLUMNS: usize = 100;

/// How many column names a [`IngestError::MissingLabelColumn`] hands to a label picker.
const PICKABLE_COLUMNS: usize = 1_000;
/// Header names (normalised) that may hold a display name, in order of preference.
const NAME_COLUMNS: [&str; 5] = ["songname", "trackname", "title", "name", "track"];

/// One track as read: all 13 features (NaN where missing or where the file has no such column).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    /// Spreadsheet row number in the source file (the header is row 1).
    pub row: u64,
    pub values: [f64; 13],
    /// Index into [`Ingested::classes`].
    pub label: Option<u32>,
    pub name: Option<String>,
}

/// What the ingest decided a column is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnRole {
    Feature(Feature),
    Label,
    Name,
    /// An identifier (id, uri, ...), dropped before anything else.
    Identifier,
    /// Not used (unknown columns, a second name column).
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub header: String,
    pub role: ColumnRole,
}

/// A row that was left out, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowRejection {
    /// Spreadsheet row number: the header is row 1.
    pub row: u64,
    pub column: String,
    pub value: String,
    pub expected: String,
}

impl std::fmt::Display for RowRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut shown: String = self.value.chars().take(40).collect();
        if shown.len() < self.value.len() {
            shown.push('…');
        }
        write!(
            f,
            "row {}, column `{}`: expected {}, found {:?}",
            self.row, self.column, self.expected, shown
        )
    }
}

/// Everything a user needs to know about what was understood in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct IngestReport {
    pub delimiter: char,
    pub columns: Vec<ColumnMapping>,
    pub rows_read: u64,
    pub rows_kept: u64,
    pub rows_rejected: u64,
    /// The first [`MAX_REPORTED_REJECTIONS`] rejections.
    pub rejections: Vec<RowRejection>,
    /// Missing (empty, NaN, NA, null) cells per feature column present in the file.
    pub missing: Vec<(Feature, u64)>,
    pub duplicates_dropped: u64,
    /// The sample the rows were kept from ([`IngestOptions::sample`]) and how many rows it
    /// passed over (counted in `rows_read`, not parsed).
    #[serde(default)]
    pub sample: Option<(RowSample, u64)>,
    /// Rows per class among the kept rows, in class-index order.
    pub class_counts: Vec<(String, u64)>,
    pub label_column: Option<String>,
}

/// The result of reading a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ingested {
    pub tracks: Vec<Track>,
    /// Class names in order of first appearance.
    pub classes: Vec<String>,
    /// Feature columns the file has.
    pub present: Vec<Feature>,
    pub report: IngestReport,
    /// Where the header and each record lie in the file (to write them out again); only the
    /// header's when [`IngestOptions::record_spans`] is off.
    #[serde(default)]
    pub spans: RecordSpans,
}

impl Ingested {
    /// A stratified sample of `n` of the labelled tracks (each genre keeps its share, and two
    /// rows when it has them: [`crate::split::stratified_sample`]), in file order; unlabelled
    /// tracks are left out. Deterministic for `seed`. The report still describes the whole
    /// file as read. For experiments on small data (`genre-lens tune --sample 2000`).
    pub fn sample(&self, n: usize, seed: u64) -> Ingested {
        let labelled: Vec<&Track> = self.tracks.iter().filter(|t| t.label.is_some()).collect();
        let labels: Vec<usize> = labelled
            .iter()
            .map(|t| t.label.expect("filtered") as usize)
            .collect();
        let tracks = crate::split::stratified_sample(&labels, n, seed)
            .into_iter()
            .map(|i| labelled[i].clone())
            .collect();
        Ingested {
            tracks,
            ..self.clone()
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Use this column as the label instead of looking for `genre`/`label`/`class`.
    pub label_column: Option<String>,
    /// Fail when there is no label column (training); Batch prediction sets this to false.
    pub require_label: bool,
    /// Drop exact duplicate rows (same 13 features and label). On by default for training.
    pub keep_duplicates: bool,
    /// Record where each record lies in the file ([`Ingested::spans`]), to write the file out
    /// again (the Batch download). Off for training: 24 bytes a record that nothing reads
    /// (some 36 MB of a worker's heap for a 100 MB file).
    pub record_spans: bool,
    /// Keep a random sample of the rows instead of all of them (a file too large for the tab:
    /// [`crate::capacity`]). Rows outside the sample are counted and not parsed.
    pub sample: Option<RowSample>,
}

/// Each row is kept with probability `fraction`, decided by a seeded generator row after row:
/// the same file and seed give the same sample on every platform, and memory grows with the
/// rows kept, not the file. The sample's size is about `fraction` × the rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RowSample {
    pub fraction: f64,
    pub seed: u64,
}

impl IngestOptions {
    pub fn for_training() -> Self {
        IngestOptions {
            require_label: true,
            ..Default::default()
        }
    }
    pub fn for_prediction() -> Self {
        IngestOptions {
            require_label: false,
            keep_duplicates: true,
            record_spans: true,
            ..Default::default()
        }
    }
}

/// Progress of a read, for progress bars: rows parsed and bytes consumed so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestProgress {
    pub rows: u64,
    pub bytes: u64,
}

/// Reads a whole CSV with no progress reporting.
pub fn read_csv<R: Read>(reader: R, opts: &IngestOptions) -> Result<Ingested, IngestError> {
    Reader::new(reader, opts)?.finish()
}

/// Records read between two calls of a [`read_csv_with`] progress callback.
const PROGRESS_RECORDS: usize = 4096;

/// Reads a CSV, streaming. `progress` is called every few thousand rows; returning `false`
/// cancels the read.
pub fn read_csv_with<R: Read>(
    reader: R,
    opts: &IngestOptions,
    progress: &mut dyn FnMut(IngestProgress) -> bool,
) -> Result<Ingested, IngestError> {
    let mut reader = Reader::new(reader, opts)?;
    while let Step::More(at) = reader.step(PROGRESS_RECORDS)? {
        if !progress(at) {
            return Err(IngestError::Cancelled);
        }
    }
    reader.finish()
}

/// Refuses files that are clearly not CSV text before the parser makes a mess of them.
fn sniff(head: &[u8]) -> Result<(), IngestError> {
    if head.is_empty() {
        return Err(IngestError::Empty);
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        return Err(IngestError::Compressed);
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(IngestError::Utf16);
    }
    let probe = &head[..head.len().min(4096)];
    if let Some(offset) = probe
        .iter()
        .position(|&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)))
    {
        return Err(IngestError::Binary { offset });
    }
    Ok(())
}

/// Picks `,`, `;` or tab: whichever occurs most in the first line outside quotes (ties prefer
/// `,` then `;`).
fn detect_delimiter(head: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in head
        .iter()
        .skip_while(|&&b| b == 0xEF || b == 0xBB || b == 0xBF)
    {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    candidates[best]
}

/// A header name as shown in a message: at most 40 characters (a line that lost its line
/// breaks makes a "header" of megabytes).
/// A header as a message lists it: shortened, and a blank one (a pandas index column) named.
fn shown_header(h: &str) -> String {
    if h.trim().is_empty() {
        "(unnamed)".to_string()
    } else {
        shorten(h)
    }
}

fn shorten(text: &str) -> String {
    let mut shown: String = text.chars().take(40).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown
}

/// Where each role sits in the header.
struct Layout {
    headers: Vec<String>,
    roles: Vec<ColumnRole>,
    features: Vec<(usize, Feature)>,
    label: Option<usize>,
    names: Vec<usize>,
}

impl Layout {
    fn from_headers(headers: &[String], opts: &IngestOptions) -> Result<Layout, IngestError> {
        let normalized: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
        // A map, not a scan per column: a 1 MB header line can hold 100,000+ columns.
        let mut first_seen: HashMap<&str, usize> = HashMap::with_capacity(normalized.len());
        for (i, n) in normalized.iter().enumerate() {
            if n.is_empty() {
                continue;
            }
            if let Some(&j) = first_seen.get(n.as_str()) {
                return Err(IngestError::DuplicateColumn {
                    column: shorten(&headers[i]),
                    first: j + 1,
                    second: i + 1,
                });
            }
            first_seen.insert(n, i);
        }
        let found = || {
            let mut s: Vec<String> = headers
                .iter()
                .take(LISTED_COLUMNS)
                .map(|h| shown_header(h))
                .collect();
            if headers.len() > LISTED_COLUMNS {
                s.push(format!("… ({} columns in all)", headers.len()));
            }
            if s.is_empty() {
                "no columns".to_string()
            } else {
                s.join(", ")
            }
        };
        let label = match &opts.label_column {
            Some(name) => {
                let key = normalize_header(name);
                Some(normalized.iter().position(|n| *n == key).ok_or_else(|| {
                    IngestError::UnknownLabelColumn {
                        column: name.clone(),
                        found: found(),
                    }
                })?)
            }
            None => LABEL_COLUMNS
                .iter()
                .find_map(|l| normalized.iter().position(|n| n == l)),
        };
        if label.is_none() && opts.require_label {
            return Err(IngestError::MissingLabelColumn {
                found: found(),
                columns: headers
                    .iter()
                    .take(PICKABLE_COLUMNS)
                    .filter(|h| !normalize_header(h).is_empty())
                    .cloned()
                    .collect(),
            });
        }
        let mut roles = vec![ColumnRole::Ignored; headers.len()];
        let mut features = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            if Some(i) == label {
                roles[i] = ColumnRole::Label;
            } else if let Some(f) = Feature::from_header(h) {
                roles[i] = ColumnRole::Feature(f);
                features.push((i, f));
            } else if IDENTIFIER_COLUMNS.contains(&normalized[i].as_str()) {
                roles[i] = ColumnRole::Identifier;
            }
        }
        if features.is_empty() {
            return Err(IngestError::NoFeatureColumns { found: found() });
        }
        let mut names = Vec::new();
        for key in NAME_COLUMNS {
            if let Some(i) = normalized.iter().position(|n| n == key) {
                if roles[i] == ColumnRole::Ignored {
                    roles[i] = ColumnRole::Name;
                    names.push(i);
                }
            }
        }
        Ok(Layout {
            headers: headers.to_vec(),
            roles,
            features,
            label,
            names,
        })
    }
}

/// What a numeric cell turned out to be.
enum Cell {
    Value(f64),
    Missing,
    Bad(&'static str),
}

/// The largest magnitude a cell may hold. Audio features are far smaller (duration_ms is
/// ~1e7); values near f64::MAX overflow the fitted statistics (medians, IQR caps) to
/// infinities and NaN, and made linfa's decision tree recurse until the stack overflowed.
pub const MAX_ABS_VALUE: f64 = 1e12;

/// Empty, NaN, NA, N/A, null and none are missing values; infinities, magnitudes over
/// [`MAX_ABS_VALUE`] and text are not numbers.
fn parse_cell(raw: &[u8]) -> Cell {
    let Ok(s) = std::str::from_utf8(raw) else {
        return Cell::Bad("a number");
    };
    let s = s.trim();
    if s.is_empty() {
        return Cell::Missing;
    }
    match s.to_ascii_lowercase().as_str() {
        "nan" | "na" | "n/a" | "null" | "none" | "-" => return Cell::Missing,
        _ => {}
    }
    match s.parse::<f64>() {
        Ok(v) if v.abs() <= MAX_ABS_VALUE => Cell::Value(v),
        Ok(v) if v.is_finite() => Cell::Bad("a number between -1e12 and 1e12"),
        Ok(_) => Cell::Bad("a finite number"),
        Err(_) => Cell::Bad("a number"),
    }
}

/// A row's values (bit for bit: -0.0 and 0.0 differ, as the duplicate test wants) and label,
/// hashed with SipHash under fixed keys: the same on every platform and run.
fn row_key(values: &[f64; 13], label: Option<u32>) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    values.map(f64::to_bits).hash(&mut h);
    label.hash(&mut h);
    h.finish()
}

/// The keys of [`Builder::seen`] are hashes already: used as they are.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys are hashed")
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

struct Builder {
    require_label: bool,
    keep_duplicates: bool,
    tracks: Vec<Track>,
    classes: Vec<String>,
    class_index: HashMap<String, u32>,
    /// The rows kept so far, by a hash of their values and label: each entry is 12 bytes
    /// (17 in the table) where a set of whole keys took 113, which at a million rows was the
    /// largest thing the CLI held (355 MB of 500). A hit is compared in full with the track it
    /// names, so only a true duplicate is dropped; on the (2^-64) chance of two different rows
    /// with one hash the second is simply kept.
    seen: HashMap<u64, u32, BuildHasherDefault<KeyHasher>>,
    sample: Option<(RowSample, crate::rng::Rng)>,
    missing: Vec<u64>,
    report: IngestReport,
}

impl Builder {
    fn new(opts: &IngestOptions, layout: &Layout) -> Builder {
        Builder {
            require_label: opts.require_label,
            keep_duplicates: opts.keep_duplicates,
            tracks: Vec::new(),
            classes: Vec::new(),
            class_index: HashMap::new(),
            seen: HashMap::default(),
            sample: opts.sample.map(|s| (s, crate::rng::Rng::new(s.seed))),
            missing: vec![0; layout.features.len()],
            report: IngestReport {
                sample: opts.sample.map(|s| (s, 0)),
                ..IngestReport::default()
            },
        }
    }

    fn reject(&mut self, rejection: RowRejection) {
        self.report.rows_rejected += 1;
        if self.report.rejections.len() < MAX_REPORTED_REJECTIONS {
            self.report.rejections.push(rejection);
        }
    }

    fn push(
        &mut self,
        row: u64,
        record: &csv::ByteRecord,
        layout: &Layout,
    ) -> Result<(), IngestError> {
        self.report.rows_read += 1;
        if let Some((sample, rng)) = &mut self.sample {
            if rng.unit() >= sample.fraction {
                if let Some((_, passed)) = &mut self.report.sample {
                    *passed += 1;
                }
                return Ok(());
            }
        }
        if record.len() != layout.headers.len() {
            // An open quote joins the following lines into one cell, which also shifts the
            // field count: name the quote, not the count.
            if let Some(col) = record.iter().position(|c| c.contains(&b'\n')) {
                self.reject(RowRejection {
                    row,
                    column: layout
                        .headers
                        .get(col)
                        .cloned()
                        .unwrap_or_else(|| format!("#{}", col + 1)),
                    value: String::from_utf8_lossy(&record[col]).into_owned(),
                    expected: "a value on one line (a quote opened in this cell is never closed)"
                        .into(),
                });
                return Ok(());
            }
            self.reject(RowRejection {
                row,
                column: "(whole row)".into(),
                value: format!("{} fields", record.len()),
                expected: format!("{} fields like the header", layout.headers.len()),
            });
            return Ok(());
        }
        let mut values = [f64::NAN; 13];
        let mut missing_here = Vec::new();
        for (k, &(col, feature)) in layout.features.iter().enumerate() {
            let raw = &record[col];
            match parse_cell(raw) {
                Cell::Value(v) => values[feature.index()] = v,
                Cell::Missing => missing_here.push(k),
                Cell::Bad(expected) => {
                    self.reject(RowRejection {
                        row,
                        column: layout.headers[col].clone(),
                        value: String::from_utf8_lossy(raw).into_owned(),
                        expected: expected.into(),
                    });
                    return Ok(());
                }
            }
        }
        if missing_here.len() == layout.features.len() {
            self.reject(RowRejection {
                row,
                column: "(all features)".into(),
                value: String::new(),
                expected: "at least one audio-feature value".into(),
            });
            return Ok(());
        }
        let label = match layout.label {
            Some(col) => {
                let raw = &record[col];
                let text = std::str::from_utf8(raw).map_err(|_| IngestError::NotUtf8 {
                    row,
                    column: layout.headers[col].clone(),
                })?;
                let text = text.trim();
                if text.contains('\n') {
                    // An unbalanced quote upstream joins the following lines into this cell.
                    self.reject(RowRejection {
                        row,
                        column: layout.headers[col].clone(),
                        value: text.to_string(),
                        expected: "a genre name on one line (is a quote left open?)".into(),
                    });
                    return Ok(());
                }
                if text.is_empty() {
                    if self.require_label {
                        self.reject(RowRejection {
                            row,
                            column: layout.headers[col].clone(),
                            value: String::new(),
                            expected: "a genre name".into(),
                        });
                        return Ok(());
                    }
                    None
                } else {
                    Some(self.class_id(text))
                }
            }
            None => None,
        };
        let mut name = None;
        for &col in &layout.names {
            let raw = &record[col];
            let text = std::str::from_utf8(raw).map_err(|_| IngestError::NotUtf8 {
                row,
                column: layout.headers[col].clone(),
            })?;
            if !text.trim().is_empty() {
                name = Some(text.trim().to_string());
                break;
            }
        }
        if !self.keep_duplicates {
            let key = row_key(&values, label);
            match self.seen.entry(key) {
                Entry::Occupied(e) => {
                    let kept = &self.tracks[*e.get() as usize];
                    let same = kept.label == label
                        && kept.values.map(f64::to_bits) == values.map(f64::to_bits);
                    if same {
                        self.report.duplicates_dropped += 1;
                        return Ok(());
                    }
                }
                Entry::Vacant(e) => {
                    e.insert(self.tracks.len() as u32);
                }
            }
        }
        for k in missing_here {
            self.missing[k] += 1;
        }
        self.tracks.push(Track {
            row,
            values,
            label,
            name,
        });
        Ok(())
    }

    fn class_id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.class_index.get(name) {
            return id;
        }
        let id = self.classes.len() as u32;
        self.classes.push(name.to_string());
        self.class_index.insert(name.to_string(), id);
        id
    }

    fn finish(mut self, layout: &Layout, spans: RecordSpans) -> Result<Ingested, IngestError> {
        if self.report.rows_read == 0 {
            return Err(IngestError::HeaderOnly);
        }
        if self.tracks.is_empty() && self.report.rows_rejected > 0 {
            return Err(IngestError::NoUsableRows {
                rejected: self.report.rows_rejected,
                first: self.report.rejections[0].to_string(),
            });
        }
        self.report.rows_kept = self.tracks.len() as u64;
        self.report.columns = layout
            .headers
            .iter()
            .zip(&layout.roles)
            .map(|(h, r)| ColumnMapping {
                header: h.clone(),
                role: r.clone(),
            })
            .collect();
        self.report.missing = layout
            .features
            .iter()
            .zip(&self.missing)
            .map(|(&(_, f), &m)| (f, m))
            .collect();
        let mut counts = vec![0u64; self.classes.len()];
        for t in &self.tracks {
            if let Some(l) = t.label {
                counts[l as usize] += 1;
            }
        }
        self.report.class_counts = self.classes.iter().cloned().zip(counts).collect();
        self.report.label_column = layout.label.map(|i| layout.headers[i].clone());
        Ok(Ingested {
            tracks: self.tracks,
            classes: self.classes,
            present: layout.features.iter().map(|&(_, f)| f).collect(),
            report: self.report,
            spans,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Ingested, IngestError> {
        read_csv(text.as_bytes(), &IngestOptions::for_training())
    }

    #[test]
    fn reads_kaggle_layout_with_missing_loudness() {
        let csv = "danceability,energy,loudness,tempo,id,genre,song_name,title\n\
                   0.5,0.8,-5.1,120,,Rap,\"Hello, world\",\n\
                   0.6,0.7,,128,,techno,,Track B\n";
        let d = read(csv).unwrap();
        assert_eq!(d.tracks.len(), 2);
        assert_eq!(d.classes, vec!["Rap", "techno"]);
        assert_eq!(d.tracks[0].name.as_deref(), Some("Hello, world"));
        assert_eq!(d.tracks[1].name.as_deref(), Some("Track B"));
        assert!(d.tracks[1].values[Feature::Loudness.index()].is_nan());
        assert!(d.tracks[0].values[Feature::Key.index()].is_nan());
        let missing: HashMap<_, _> = d.report.missing.iter().cloned().collect();
        assert_eq!(missing[&Feature::Loudness], 1);
        assert_eq!(missing[&Feature::Energy], 0);
        assert_eq!(d.report.columns[4].role, ColumnRole::Identifier);
    }

    #[test]
    fn bom_semicolons_crlf_and_exportify_headers() {
        let csv = "\u{feff}Track Name;Energy;Duration (ms);Genre\r\nA;0.5;200000;pop\r\nB;0.25;100000;rock\r\n";
        let d = read(csv).unwrap();
        assert_eq!(d.report.delimiter, ';');
        assert_eq!(d.tracks[1].values[Feature::DurationMs.index()], 100000.0);
        assert_eq!(d.tracks[0].name.as_deref(), Some("A"));
    }

    #[test]
    fn rows_are_spreadsheet_rows_across_blank_lines_and_multi_line_cells() {
        // Row 1 header, 2 good, 3 blank, 4 bad tempo, 5-6 one row with a two-line name,
        // 7 blank, 8 bad energy, 9 blank, 10 good.
        let csv = "energy,tempo,genre,song_name\n\
                   0.5,120,Rap,a\n\
                   \n\
                   0.5,fast,Rap,b\n\
                   0.5,121,Rap,\"two\nlines\"\n\
                   \n\
                   x,120,Rap,c\n\
                   \n\
                   0.5,122,Rap,d\n";
        let d = read(csv).unwrap();
        let rows: Vec<u64> = d.report.rejections.iter().map(|r| r.row).collect();
        assert_eq!(rows, vec![4, 8]);
        let kept: Vec<u64> = d.tracks.iter().map(|t| t.row).collect();
        assert_eq!(kept, vec![2, 5, 10]);
        // The same with CRLF line ends, a BOM and no line break at the end.
        let crlf = format!("\u{feff}{}", csv.replace('\n', "\r\n").trim_end());
        let d = read(&crlf).unwrap();
        let rows: Vec<u64> = d.report.rejections.iter().map(|r| r.row).collect();
        assert_eq!(rows, vec![4, 8]);
        let kept: Vec<u64> = d.tracks.iter().map(|t| t.row).collect();
        assert_eq!(kept, vec![2, 5, 10]);
        // Every record's span carries its row, and holds its bytes: the header, the rows kept
        // and the rejected ones (blank lines are no records).
        for text in [csv.to_string(), crlf.clone()] {
            // Training records none: only the header's, which the reader has anyway.
            assert!(read(&text).unwrap().spans.records.is_empty());
            let opts = IngestOptions {
                record_spans: true,
                ..IngestOptions::for_training()
            };
            let d = read_csv(text.as_bytes(), &opts).unwrap();
            let spans = &d.spans;
            let rows: Vec<u64> = std::iter::once(&spans.header)
                .chain(&spans.records)
                .map(|s| s.row)
                .collect();
            assert_eq!(rows, vec![1, 2, 4, 5, 8, 10], "{text:?}");
            let bytes = |s: &RecordSpan| &text.as_bytes()[s.start as usize..s.end as usize];
            assert!(bytes(&spans.header).starts_with(b"energy,tempo"));
            // Row 8, after the blank row 7: the line breaks around it are in its span.
            let row_8 = String::from_utf8_lossy(bytes(&spans.records[3]));
            assert_eq!(row_8.trim(), "x,120,Rap,c", "{text:?}");
            assert_eq!(spans.records.last().unwrap().end as usize, text.len());
        }
        // Lines ending in a lone CR: rows are counted record by record.
        let d = read("energy,tempo,genre\r0.5,120,Rap\r0.5,slow,Rap\r").unwrap();
        assert_eq!(d.report.rejections[0].row, 3);
    }

    #[test]
    fn delimiter_rule_matches() {
        assert_eq!(detect_delimiter(b"a;b;c\n1,2,3"), b';');
        assert_eq!(detect_delimiter(b"\"a,b\"\tc\n"), b'\t');
        assert_eq!(detect_delimiter(b"a,b;c\n"), b',');
    }

    #[test]
    fn tabs_are_detected() {
        let d = read("energy\ttempo\tgenre\n0.1\t90\ta\n").unwrap();
        assert_eq!(d.report.delimiter, '\t');
        assert_eq!(d.tracks[0].values[Feature::Tempo.index()], 90.0);
    }

    #[test]
    fn bad_cells_are_rejected_with_row_and_column() {
        let csv = "energy,tempo,genre\n0.1,90,a\nloud,90,a\n0.2,inf,b\n0.3,1e400,b\n0.4,NaN,b\n";
        let d = read(csv).unwrap();
        assert_eq!(d.report.rows_read, 5);
        assert_eq!(d.report.rows_kept, 2);
        assert_eq!(d.report.rows_rejected, 3);
        let r = &d.report.rejections[0];
        assert_eq!(
            (r.row, r.column.as_str(), r.value.as_str()),
            (3, "energy", "loud")
        );
        assert_eq!(r.expected, "a number");
        assert_eq!(d.report.rejections[1].expected, "a finite number");
        assert_eq!(d.report.rejections[2].row, 5);
        assert!(d.report.rejections[0]
            .to_string()
            .contains("row 3, column `energy`"));
    }

    #[test]
    fn a_sample_keeps_about_its_share_the_same_rows_for_a_seed_and_counts_the_rest() {
        let mut text = String::from("energy,tempo,genre\n");
        for i in 0..20_000 {
            text.push_str(&format!("0.{},{i},g{}\n", i % 7, i % 3));
        }
        let sampled = |seed| {
            let opts = IngestOptions {
                sample: Some(RowSample {
                    fraction: 0.25,
                    seed,
                }),
                ..IngestOptions::for_training()
            };
            read_csv(text.as_bytes(), &opts).unwrap()
        };
        let a = sampled(7);
        let kept = a.tracks.len() as u64;
        assert!((4_700..5_300).contains(&kept), "{kept}");
        let (sample, passed) = a.report.sample.expect("a sample");
        assert_eq!(sample.fraction, 0.25);
        assert_eq!(kept + passed, 20_000);
        assert_eq!(a.report.rows_read, 20_000);
        assert_eq!(a.report.rows_kept, kept);
        // In file order, the same rows again for the same seed, others for another.
        assert!(a.tracks.windows(2).all(|w| w[0].row < w[1].row));
        let rows = |d: &Ingested| d.tracks.iter().map(|t| t.row).collect::<Vec<_>>();
        assert_eq!(rows(&sampled(7)), rows(&a));
        assert_ne!(rows(&sampled(8)), rows(&a));
        assert_eq!(
            read_csv(text.as_bytes(), &IngestOptions::for_training())
                .unwrap()
                .report
                .sample,
            None
        );
    }

    #[test]
    fn exact_duplicates_are_dropped_and_counted() {
        let d = read("energy,genre\n0.1,a\n0.1,a\n0.1,b\n").unwrap();
        assert_eq!(d.tracks.len(), 2);
        assert_eq!(d.report.duplicates_dropped, 1);
        assert_eq!(
            d.report.class_counts,
            vec![("a".into(), 1), ("b".into(), 1)]
        );
    }

    #[test]
    fn a_sample_keeps_labelled_rows_in_file_order_with_their_values() {
        let mut csv = String::from("energy,genre\n");
        for i in 0..60 {
            csv.push_str(&format!("{},{}\n", i, ["a", "b", "c"][i % 3]));
        }
        let d = read(&csv).unwrap();
        let s = d.sample(12, 4);
        assert_eq!(s.tracks.len(), 12);
        assert!(s.tracks.windows(2).all(|w| w[0].row < w[1].row));
        for t in &s.tracks {
            // The row's own values and genre (the energy column is the row's index).
            assert_eq!(t.values[1], (t.row - 2) as f64);
            assert_eq!(t.label, Some(((t.row - 2) % 3) as u32));
        }
        for c in 0..3 {
            assert_eq!(s.tracks.iter().filter(|t| t.label == Some(c)).count(), 4);
        }
        let rows = |d: &Ingested| d.tracks.iter().map(|t| t.row).collect::<Vec<_>>();
        assert_eq!(rows(&s), rows(&d.sample(12, 4)), "same seed, same rows");
        assert_ne!(rows(&s), rows(&d.sample(12, 5)), "the seed matters");
        assert_eq!(s.classes, d.classes);
    }

    #[test]
    fn whole_file_errors() {
        assert_eq!(read(""), Err(IngestError::Empty));
        assert_eq!(read("energy,genre\n"), Err(IngestError::HeaderOnly));
        assert!(matches!(
            read("energy,tempo\n1,2\n"),
            Err(IngestError::MissingLabelColumn { .. })
        ));
        assert!(matches!(
            read("foo,genre\n1,a\n"),
            Err(IngestError::NoFeatureColumns { .. })
        ));
        assert!(matches!(
            read("energy,Energy,genre\n1,1,a\n"),
            Err(IngestError::DuplicateColumn {
                first: 1,
                second: 2,
                ..
            })
        ));
        assert_eq!(
            read_csv(&[0x1f, 0x8b, 8, 0][..], &IngestOptions::for_training()),
            Err(IngestError::Compressed)
        );
        assert_eq!(
            read_csv(&[0xFF, 0xFE, b'e', 0][..], &IngestOptions::for_training()),
            Err(IngestError::Utf16)
        );
        assert!(matches!(
            read_csv(&[b'a', 0, 1, 2, 3][..], &IngestOptions::for_training()),
            Err(IngestError::Binary { offset: 1 })
        ));
        assert!(matches!(
            read("energy,genre\nx,a\ny,b\n"),
            Err(IngestError::NoUsableRows { rejected: 2, .. })
        ));
    }

    #[test]
    fn latin1_names_are_an_error_naming_the_column() {
        let bytes = b"energy,genre,song_name\n0.1,a,Caf\xe9\n";
        match read_csv(&bytes[..], &IngestOptions::for_training()) {
            Err(IngestError::NotUtf8 { row, column }) => {
                assert_eq!((row, column.as_str()), (2, "song_name"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unbalanced_quote_rejects_the_row() {
        let d = read("energy,genre\n0.1,a\n0.2,\"b\n0.3,c\n");
        // The open quote swallows the rest of the file into one field of row 3.
        let d = d.unwrap();
        assert_eq!(d.tracks.len(), 1);
        assert_eq!(d.report.rows_rejected, 1);
        assert_eq!(d.report.rejections[0].row, 3);
        assert!(d.report.rejections[0].expected.contains("quote"));
    }

    #[test]
    fn other_layouts_label_columns() {
        // The Spotify Tracks Dataset: a blank pandas index column and `track_genre`.
        let csv = ",track_id,artists,energy,tempo,track_genre\n0,a1,X,0.5,120,acoustic\n1,a2,Y,0.6,90,j-pop\n";
        let d = read(csv).unwrap();
        assert_eq!(d.report.label_column.as_deref(), Some("track_genre"));
        assert_eq!(d.classes, vec!["acoustic".to_string(), "j-pop".to_string()]);
        // Not recognised: every column is listed (up to 100), and offered to a picker.
        let mut header: Vec<String> = (0..30).map(|i| format!("col{i}")).collect();
        header[0] = String::new();
        header.push("energy".into());
        header.push("style".into());
        let csv = format!("{}\n{}\n", header.join(","), vec!["1"; 32].join(","));
        let Err(IngestError::MissingLabelColumn { found, columns }) = read(&csv) else {
            panic!("no label column expected")
        };
        assert!(found.starts_with("(unnamed), col1, col2"), "{found}");
        assert!(found.ends_with("energy, style"), "{found}");
        assert_eq!(columns.len(), 31, "the blank one is not offered");
        assert_eq!(columns.last().map(String::as_str), Some("style"));
    }

    #[test]
    fn labels_are_optional_for_prediction() {
        let d = read_csv(
            &b"energy,tempo\n0.1,100\n"[..],
            &IngestOptions::for_prediction(),
        )
        .unwrap();
        assert_eq!(d.tracks[0].label, None);
        assert!(d.classes.is_empty());
    }

    #[test]
    fn progress_can_cancel() {
        let mut csv = String::from("energy,genre\n");
        for i in 0..10_000 {
            csv.push_str(&format!("{},a\n", i));
        }
        let r = read_csv_with(csv.as_bytes(), &IngestOptions::for_training(), &mut |_| {
            false
        });
        assert_eq!(r.unwrap_err(), IngestError::Cancelled);
    }
}
