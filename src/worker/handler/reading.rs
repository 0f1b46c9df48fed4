//! Reading a data set in the worker: a file the user chose, in slices, or the bundled data set,
//! fetched and inflated; the parse answers with its report (or that the file is too large).

use super::*;

/// `std::io::Read` over a `Blob`, one slice at a time with the worker-only synchronous reader.
pub(super) struct BlobReader {
    blob: Blob,
    reader: FileReaderSync,
    pos: f64,
    buf: Vec<u8>,
    at: usize,
}

impl Read for BlobReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.buf.len() {
            let size = self.blob.size();
            if self.pos >= size {
                return Ok(0);
            }
            let end = (self.pos + CHUNK).min(size);
            self.buf = read_slice(&self.reader, &self.blob, self.pos, end)?;
            self.at = 0;
            self.pos = end;
        }
        let n = out.len().min(self.buf.len() - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Bytes `start..end` of `blob`, read synchronously (workers only).
fn read_slice(
    reader: &FileReaderSync,
    blob: &Blob,
    start: f64,
    end: f64,
) -> std::io::Result<Vec<u8>> {
    let slice = blob
        .slice_with_f64_and_f64(start, end)
        .map_err(|_| std::io::Error::other("could not slice the file"))?;
    let buffer = reader.read_as_array_buffer(&slice).map_err(|_| {
        std::io::Error::other("the browser could not read the file (was it moved or deleted?)")
    })?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A `Blob` as a reader, with its size.
pub(super) fn blob_reader(blob: Blob) -> Result<(BlobReader, f64), WorkError> {
    let reader = FileReaderSync::new().map_err(|_| WorkError::NoFileReader)?;
    let size = blob.size();
    let r = BlobReader {
        blob,
        reader,
        pos: 0.0,
        buf: Vec::new(),
        at: 0,
    };
    Ok((r, size))
}

pub(super) fn parse_blob(
    id: RequestId,
    blob: Blob,
    name: String,
    label: Option<String>,
    sample: Option<RowSample>,
) {
    // A file that would not fit in the tab is refused from its first megabyte, before anything
    // is read, unless the user asked for a sample of it.
    // (A head that cannot be read is left to the read itself, which says why.)
    if sample.is_none() {
        let head = FileReaderSync::new()
            .ok()
            .and_then(|r| read_slice(&r, &blob, 0.0, capacity::HEAD_BYTES as f64).ok());
        if let Some(Err(too)) = head.map(|h| capacity::check(blob.size() as u64, &h)) {
            return refuse_too_large(id, too);
        }
    }
    match blob_reader(blob) {
        Ok((r, size)) => parse_reader(id, r, size, name, label, sample),
        Err(e) => fail(id, e),
    }
}

/// Reads a whole CSV, posting the bytes read as progress now and then.
pub(super) fn read_with_progress(
    id: RequestId,
    r: impl Read,
    size: f64,
    opts: &IngestOptions,
) -> Result<Ingested, IngestError> {
    read_within(id, r, size, opts, &mut |_| true)
}

/// [`read_with_progress`], stopping (as cancelled) when `go_on` says so.
fn read_within(
    id: RequestId,
    r: impl Read,
    size: f64,
    opts: &IngestOptions,
    go_on: &mut dyn FnMut(IngestProgress) -> bool,
) -> Result<Ingested, IngestError> {
    let mut last = 0.0;
    read_csv_with(r, opts, &mut |p| {
        if !go_on(p) {
            return false;
        }
        let t = now();
        if t - last >= PROGRESS_EVERY_MS {
            last = t;
            let msg = Response::Progress {
                done: p.bytes,
                total: size as u64,
                stops_by: None,
            };
            post(id, msg, Vec::new());
        }
        true
    })
}

pub(super) fn parse_reader(
    id: RequestId,
    r: impl Read,
    size: f64,
    name: String,
    label: Option<String>,
    sample: Option<RowSample>,
) {
    let start = now();
    let opts = IngestOptions {
        label_column: label,
        sample,
        ..IngestOptions::for_training()
    };
    // The first megabyte's estimate can be wrong (long lines first, short ones after): the
    // read stops once the rows read pass the tab's limit by a quarter, with the estimate made
    // from what was read so far.
    let limit = capacity::max_tab_rows() + capacity::max_tab_rows() / 4;
    let mut over = None;
    let result = read_within(id, r, size, &opts, &mut |p| {
        if sample.is_none() && p.rows > limit {
            let rows = (p.rows as f64 * size / p.bytes.max(1) as f64) as u64;
            over = Some(capacity::too_large(size as u64, rows));
            return false;
        }
        true
    });
    if let Some(too) = over {
        return refuse_too_large(id, too);
    }
    match result {
        Ok(data) => {
            let summary = DataSummary {
                file_name: name.clone(),
                file_bytes: size as u64,
                report: data.report.clone(),
                classes: data.classes.clone(),
                present: data.present.clone(),
                set_aside: genre_core::train::set_aside(&data),
                parse_ms: now() - start,
                heap_bytes: heap_bytes(),
            };
            STATE.with_borrow_mut(|s| {
                s.ingested = Some(data);
                s.file_name = name;
            });
            post(id, Response::Parsed(summary), Vec::new());
        }
        Err(e) => {
            STATE.with_borrow_mut(|s| s.ingested = None);
            fail(id, e);
        }
    }
}

/// Answers that the file is too large for the tab; like any failed read, it leaves no data set
/// here.
fn refuse_too_large(id: RequestId, too: capacity::TooLarge) {
    STATE.with_borrow_mut(|s| s.ingested = None);
    post(id, Response::TooLarge(too), Vec::new());
}

fn heap_bytes() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) as u64 * 65_536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

pub(super) async fn fetch_gunzip(url: &str) -> Result<Vec<u8>, BundledDataError> {
    use BundledDataError as E;
    // The service worker keeps the data set once it has been downloaded; only the first use
    // needs the network, and offline that is what the user must be told.
    let body = fetch_stream(url).await.map_err(|e| match e {
        FetchError::Network(_) => E::Offline,
        FetchError::Status { code, .. } => E::Answered(code),
        FetchError::Read(reason) => E::Read(reason),
    })?;
    // DecompressionStream is behind web-sys's unstable flag: construct it through js-sys.
    let gunzip = Reflect::get(&js_sys::global(), &"DecompressionStream".into())
        .ok()
        .and_then(|c| c.dyn_into::<js_sys::Function>().ok())
        .and_then(|c| Reflect::construct(&c, &Array::of1(&"gzip".into())).ok())
        .ok_or(E::NoGunzip)?;
    let inflated = body.pipe_through(gunzip.unchecked_ref());
    let out = web_sys::Response::new_with_opt_readable_stream(Some(&inflated))
        .map_err(|_| E::Decompression)?;
    let buf = JsFuture::from(out.array_buffer().map_err(|_| E::Decompression)?)
        .await
        .map_err(|_| E::NotGzip)?;
    Ok(Uint8Array::new(&buf).to_vec())
}
