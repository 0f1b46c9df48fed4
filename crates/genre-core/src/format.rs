//! The model file: one compact, versioned, checksummed binary format.
//!
//! ```text
//! offset  size  field
//! 0       4     magic "GLNS"
//! 4       2     format version (u16 LE): 1, or 2 for an imported model (below)
//! 6       2     reserved (0)
//! 8       4     payload length (u32 LE)
//! 12      4     CRC-32 (IEEE) of the payload
//! 16      n     payload: meta, classes, preprocessing, estimator (little-endian throughout)
//! ```
//! Trees are stored as struct-of-arrays in pre-order: one feature byte per node (255 = leaf),
//! threshold indices into a per-feature table of f32 split values (1, 2 or 4 bytes wide),
//! leaf covers as u16 fractions of the root's (internal covers are sums), and leaf values (forest: sparse class probabilities
//! in 1/255 steps; boosting: i16 steps of a per-model scale). [`quantize`] applies the same
//! rounding in memory right after training, so a saved model decodes to exactly the model
//! that was evaluated.
//!
//! Version 2 adds the estimator of an imported LightGBM/XGBoost model (type 3): full-precision
//! `f64` thresholds (a per-feature table, as above) and leaf values, node flags (default side,
//! missing type, categorical) and category sets, the tree → score map, the base scores and the
//! link. A file is written with the lowest version that holds it, so our own models' files are
//! unchanged, and an older app refuses an imported model as "made by a newer version".
//!
//! Decoding never panics and never allocates more than the file can back: every count is
//! checked against the bytes that remain before anything is reserved. [`read_info`] reads only
//! the start of the payload (meta, classes, features), for a page that lists or stores a model
//! without building it.

use crate::error::ModelFileError;
use crate::feature::{Feature, FeatureSet};
use crate::knn::KnnModel;
use crate::model::{Estimator, Holdout, ModelKind, ModelMeta, TrainedModel};
use crate::preprocess::Preprocessor;
use crate::svc::SvcModel;
use crate::tree::flat::{EnsembleKind, FlatTree, TreeEnsemble, LEAF};
use crate::tree::imported::{
    ImportedTree, ImportedTrees, Library, Link, CATEGORICAL, MISSING_SHIFT,
};

pub const MAGIC: &[u8; 4] = b"GLNS";
/// The newest version this code reads and writes.
pub const FORMAT_VERSION: u16 = 2;
/// The version of files without an imported model.
const BASE_VERSION: u16 = 1;
const HEADER_LEN: usize = 16;

/// Rounds covers and leaf values to what the file can hold (see the module docs).
pub fn quantize(ensemble: &mut TreeEnsemble) {
    ensemble.packed = Default::default();
    let scale = boosted_scale(ensemble);
    for t in &mut ensemble.trees {
        let root = t.cover.first().copied().unwrap_or(0.0);
        for i in 0..t.n_nodes() {
            if t.feature[i] == LEAF {
                t.cover[i] = quantize_cover(t.cover[i], root) as f32;
            }
        }
        sum_internal_covers(t);
        match ensemble.kind {
            EnsembleKind::Forest => {
                for v in &mut t.leaf_values {
                    *v = (*v * 255.0).round().clamp(0.0, 255.0) / 255.0;
                }
            }
            EnsembleKind::Boosted => {
                for v in &mut t.leaf_values {
                    *v = dequantize_i16(quantize_i16(*v, scale), scale);
                }
            }
        }
    }
}

/// Internal covers are the sums of their children's (children come after parents), so only
/// leaf covers are stored.
fn sum_internal_covers(t: &mut FlatTree) {
    for i in (0..t.n_nodes()).rev() {
        if t.feature[i] != LEAF {
            let c = t.child[i] as usize;
            t.cover[i] = t.cover[c] + t.cover[c + 1];
        }
    }
}

/// Leaf cover as a fraction of the root's, at least 1 so that no leaf weighs nothing.
fn quantize_cover(c: f32, root: f32) -> u16 {
    if root <= 0.0 || c <= 0.0 {
        return 0;
    }
    ((c / root * 65535.0).round() as u32).clamp(1, 65535) as u16
}

/// The nodes of a tree in the canonical layout (`feature[i]`, `LEAF` for a leaf; a split's
/// children at `child[i]` and `child[i] + 1`), in the pre-order the file stores them in: our
/// trees and imported ones alike.
fn pre_order(feature: &[u8], child: &[u32]) -> Vec<usize> {
    let mut order = Vec::with_capacity(feature.len());
    let mut stack = vec![0usize];
    while let Some(i) = stack.pop() {
        order.push(i);
        if feature[i] != LEAF {
            let c = child[i] as usize;
            stack.push(c + 1);
            stack.push(c);
        }
    }
    order
}
/// An imported tree as its reader rebuilds it in pre-order: nodes appended as placeholders,
/// filled in as the walk reaches them.
trait PreOrderTree {
    fn push_placeholder(&mut self) -> usize;
    fn set_child(&mut self, slot: usize, child: u32);
}

impl PreOrderTree for ImportedTree {
    fn push_placeholder(&mut self) -> usize {
        ImportedTree::push_placeholder(self)
    }
    fn set_child(&mut self, slot: usize, child: u32) {
        self.nodes.child[slot] = child;
    }
}

/// Gives internal node `slot` its two children, side by side, and puts them on the walk's
/// stack so that the left one is filled in next.
fn open_children(tree: &mut impl PreOrderTree, slot: usize, stack: &mut Vec<usize>) {
    let l = tree.push_placeholder();
    tree.push_placeholder();
    tree.set_child(slot, l as u32);
    stack.push(l + 1);
    stack.push(l);
}

fn boosted_scale(e: &TreeEnsemble) -> f32 {
    let max = e
        .trees
        .iter()
        .flat_map(|t| t.leaf_values.iter())
        .fold(0.0f32, |m, v| m.max(v.abs()));
    if max > 0.0 {
        max / 32767.0
    } else {
        1.0
    }
}

fn quantize_i16(v: f32, scale: f32) -> i16 {
    (v / scale).round().clamp(-32767.0, 32767.0) as i16
}

fn dequantize_i16(q: i16, scale: f32) -> f32 {
    q as f32 * scale
}

/// CRC-32 (IEEE 802.3).
pub fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f32(&mut self, v: f32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn f32s(&mut self, v: &[f32]) {
        self.u32(v.len() as u32);
        v.iter().for_each(|&x| self.f32(x));
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Offset of `data` in the whole file, for error messages.
    base: usize,
}

type Res<T> = Result<T, ModelFileError>;

fn corrupt<T>(what: impl Into<String>) -> Res<T> {
    Err(ModelFileError::Corrupt(what.into()))
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Res<&'a [u8]> {
        if self.data.len() - self.pos < n {
            return Err(self.truncated(n));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    /// The error of reading `n` more bytes than remain.
    fn truncated(&self, n: usize) -> ModelFileError {
        ModelFileError::Truncated {
            len: self.base + self.data.len(),
            needed: self.base + self.pos + n,
        }
    }
    /// `n` items of `size` bytes, or as many whole ones as remain. A caller that checks them in
    /// order and then, if some are missing, reports [`Reader::truncated`]`(size)` gives the
    /// error reading them one by one would.
    fn take_up_to(&mut self, n: usize, size: usize) -> &'a [u8] {
        let len = n.min(self.remaining() / size) * size;
        let s = &self.data[self.pos..self.pos + len];
        self.pos += len;
        s
    }
    fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }
    /// A count of items of `size` bytes each, refused if the rest of the file cannot hold them.
    fn count(&mut self, size: usize, what: &str) -> Res<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(size.max(1)) > self.remaining() {
            return corrupt(format!("{what} count {n} is larger than the file"));
        }
        Ok(n)
    }
    fn u8(&mut self) -> Res<u8> {
        Ok(self.take(1)?[0])
    }
    /// The next `N` bytes.
    fn array<const N: usize>(&mut self) -> Res<[u8; N]> {
        Ok(self.take(N)?.try_into().expect("N bytes"))
    }
    fn u16(&mut self) -> Res<u16> {
        self.array().map(u16::from_le_bytes)
    }
    fn u32(&mut self) -> Res<u32> {
        self.array().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Res<u64> {
        self.array().map(u64::from_le_bytes)
    }
    fn f32(&mut self) -> Res<f32> {
        self.array().map(f32::from_le_bytes)
    }
    fn f64(&mut self) -> Res<f64> {
        self.array().map(f64::from_le_bytes)
    }
    fn str(&mut self) -> Res<String> {
        let n = self.count(1, "text length")?;
        String::from_utf8(self.take(n)?.to_vec()).or_else(|_| corrupt("text is not UTF-8"))
    }
    fn f32s(&mut self, what: &str) -> Res<Vec<f32>> {
        let n = self.count(4, what)?;
        (0..n).map(|_| self.f32()).collect()
    }
}

impl TrainedModel {
    /// Encodes the model. Tree ensembles must have been [`quantize`]d (training does it).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        write_meta(&mut w, &self.meta);
        w.u16(self.classes.len() as u16);
        for c in &self.classes {
            w.str(c);
        }
        write_preprocessor(&mut w, &self.preprocessor);
        match &self.estimator {
            Estimator::Trees(t) => {
                w.u8(0);
                write_trees(&mut w, t);
            }
            Estimator::Knn(k) => {
                w.u8(1);
                w.u16(k.k as u16);
                w.u8(k.n_features as u8);
                w.u16(k.n_classes as u16);
                w.f32s(&k.points);
                w.u32(k.labels.len() as u32);
                k.labels.iter().for_each(|&l| w.u16(l));
            }
            Estimator::Svc(s) => {
                w.u8(2);
                w.u8(s.n_features as u8);
                w.u16(s.n_classes as u16);
                w.f32s(&s.projection);
                w.f32s(&s.phase);
                w.f32s(&s.weights);
            }
            Estimator::Imported(t) => {
                w.u8(3);
                write_imported(&mut w, t);
            }
        }
        let version = match self.estimator {
            Estimator::Imported(_) => FORMAT_VERSION,
            _ => BASE_VERSION,
        };
        let payload = w.0;
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(&crc32(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Decodes and validates a model file.
    pub fn from_bytes(bytes: &[u8]) -> Result<TrainedModel, ModelFileError> {
        let (mut r, version) = open_payload_versioned(bytes)?;
        let meta = read_meta(&mut r)?;
        let classes = read_classes(&mut r)?;
        let n_classes = classes.len();
        let preprocessor = read_preprocessor(&mut r)?;
        let p = preprocessor.features.len();
        let estimator = match r.u8()? {
            0 => Estimator::Trees(read_trees(&mut r, n_classes, p)?),
            1 => {
                let k = r.u16()? as usize;
                let nf = r.u8()? as usize;
                let nc = r.u16()? as usize;
                let points = r.f32s("point")?;
                let n = r.count(2, "label")?;
                let labels = (0..n).map(|_| r.u16()).collect::<Res<Vec<_>>>()?;
                if nf != p || nc != n_classes || k == 0 || n < k || points.len() != n * p {
                    return corrupt("the k-nearest-neighbours table does not fit its shape");
                }
                if labels.iter().any(|&l| l as usize >= n_classes) {
                    return corrupt("a neighbour's label is out of range");
                }
                Estimator::Knn(KnnModel {
                    k,
                    n_features: p,
                    n_classes,
                    points,
                    labels,
                })
            }
            2 => {
                let nf = r.u8()? as usize;
                let nc = r.u16()? as usize;
                let projection = r.f32s("projection")?;
                let phase = r.f32s("phase")?;
                let weights = r.f32s("weight")?;
                let d = phase.len();
                if nf != p
                    || nc != n_classes
                    || projection.len() != d * p
                    || weights.len() != nc * (d + 1)
                {
                    return corrupt("the SVC weights do not fit their shape");
                }
                Estimator::Svc(SvcModel {
                    n_features: p,
                    n_classes,
                    projection,
                    phase,
                    weights,
                })
            }
            3 if version >= 2 => Estimator::Imported(read_imported(&mut r, n_classes, p)?),
            t => return corrupt(format!("unknown estimator type {t}")),
        };
        if r.remaining() != 0 {
            return corrupt("trailing bytes in the payload");
        }
        Ok(TrainedModel {
            meta,
            classes,
            preprocessor,
            estimator,
        })
    }

    /// Refuses a model that needs a feature the data does not have.
    pub fn check_input(&self, present: &[Feature]) -> Result<(), ModelFileError> {
        let missing: Vec<&str> = self
            .features()
            .as_slice()
            .iter()
            .filter(|f| !present.contains(f))
            .map(|f| f.name())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ModelFileError::WrongFeatures {
                expected: present
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", "),
                found: format!(
                    "{}; missing from the data: {}",
                    self.features().names().join(", "),
                    missing.join(", ")
                ),
            })
        }
    }
}

/// What a model file says about its model: enough to list, name and check it, read without
/// decoding the preprocessing tables or the estimator (trees, neighbours, weights).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInfo {
    pub meta: ModelMeta,
    pub classes: Vec<String>,
    pub features: FeatureSet,
    /// The size of the whole file.
    pub file_bytes: usize,
}

/// Reads a model file's [`ModelInfo`]. The header and the checksum are checked as by
/// [`TrainedModel::from_bytes`] (a file that fails them fails here with the same error), but
/// what follows the feature list is not decoded, so this is cheap for any model size: a page can
/// describe a model it is about to store without building it.
pub fn read_info(bytes: &[u8]) -> Result<ModelInfo, ModelFileError> {
    let mut r = open_payload(bytes)?;
    Ok(ModelInfo {
        meta: read_meta(&mut r)?,
        classes: read_classes(&mut r)?,
        features: read_features(&mut r)?,
        file_bytes: bytes.len(),
    })
}

/// Checks the header (signature, version, length, checksum) and returns a reader over the
/// payload.
fn open_payload(bytes: &[u8]) -> Res<Reader<'_>> {
    open_payload_versioned(bytes).map(|(r, _)| r)
}

/// [`open_payload`], with the file's format version.
fn open_payload_versioned(bytes: &[u8]) -> Res<(Reader<'_>, u16)> {
    if bytes.is_empty() {
        return Err(ModelFileError::Empty);
    }
    let sig = &bytes[..bytes.len().min(4)];
    if sig != &MAGIC[..sig.len()] {
        return Err(ModelFileError::BadMagic);
    }
    if bytes.len() < HEADER_LEN {
        return Err(ModelFileError::Truncated {
            len: bytes.len(),
            needed: HEADER_LEN,
        });
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if version > FORMAT_VERSION {
        return Err(ModelFileError::NewerVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return corrupt("format version 0 does not exist");
    }
    let len = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
    let stored = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes"));
    let available = bytes.len() - HEADER_LEN;
    if len > available {
        return Err(ModelFileError::Truncated {
            len: bytes.len(),
            needed: HEADER_LEN + len,
        });
    }
    if len < available {
        return corrupt(format!(
            "{} unexpected bytes after the end of the model",
            available - len
        ));
    }
    let payload = &bytes[HEADER_LEN..];
    let computed = crc32(payload);
    if computed != stored {
        return Err(ModelFileError::Checksum { stored, computed });
    }
    Ok((
        Reader {
            data: payload,
            pos: 0,
            base: HEADER_LEN,
        },
        version,
    ))
}

fn read_classes(r: &mut Reader) -> Res<Vec<String>> {
    let n_classes = r.u16()? as usize;
    if n_classes < 2 {
        return corrupt(format!("{n_classes} classes (at least 2 expected)"));
    }
    (0..n_classes).map(|_| r.str()).collect()
}

fn write_meta(w: &mut Writer, m: &ModelMeta) {
    w.u8(ModelKind::ALL
        .iter()
        .position(|&k| k == m.kind)
        .expect("listed") as u8);
    w.str(&m.name);
    w.str(&m.trained_at);
    w.str(&m.data_file);
    w.u64(m.train_rows);
    w.u64(m.seed);
    w.str(&m.settings);
    match &m.holdout {
        Some(h) => {
            w.u8(1);
            w.f64(h.accuracy);
            w.f64(h.macro_f1);
            w.f64(h.weighted_f1);
            w.u64(h.rows);
        }
        None => w.u8(0),
    }
}

fn read_meta(r: &mut Reader) -> Res<ModelMeta> {
    let kind_id = r.u8()? as usize;
    let Some(&kind) = ModelKind::ALL.get(kind_id) else {
        return corrupt(format!("unknown model kind {kind_id}"));
    };
    Ok(ModelMeta {
        kind,
        name: r.str()?,
        trained_at: r.str()?,
        data_file: r.str()?,
        train_rows: r.u64()?,
        seed: r.u64()?,
        settings: r.str()?,
        holdout: match r.u8()? {
            0 => None,
            1 => Some(Holdout {
                accuracy: r.f64()?,
                macro_f1: r.f64()?,
                weighted_f1: r.f64()?,
                rows: r.u64()?,
            }),
            _ => return corrupt("bad holdout flag"),
        },
    })
}

fn write_preprocessor(w: &mut Writer, p: &Preprocessor) {
    w.u8(p.features.len() as u8);
    p.features
        .as_slice()
        .iter()
        .for_each(|f| w.u8(f.index() as u8));
    p.medians.iter().for_each(|&v| w.f64(v));
    p.ranges.iter().for_each(|&(a, b)| {
        w.f64(a);
        w.f64(b)
    });
    for pairs in [&p.caps, &p.scaling] {
        match pairs {
            Some(v) => {
                w.u8(1);
                v.iter().for_each(|&(a, b)| {
                    w.f64(a);
                    w.f64(b)
                });
            }
            None => w.u8(0),
        }
    }
}

/// The preprocessor's feature list (the first thing it stores).
fn read_features(r: &mut Reader) -> Res<FeatureSet> {
    let p = r.u8()? as usize;
    let mut features = Vec::with_capacity(p);
    for _ in 0..p {
        let id = r.u8()? as usize;
        match Feature::from_index(id) {
            Some(f) => features.push(f),
            None => return Err(ModelFileError::UnknownFeature { id: id as u8 }),
        }
    }
    FeatureSet::new(features).or_else(corrupt)
}

fn read_preprocessor(r: &mut Reader) -> Res<Preprocessor> {
    let features = read_features(r)?;
    let p = features.len();
    let medians = (0..p).map(|_| r.f64()).collect::<Res<Vec<_>>>()?;
    let pair = |r: &mut Reader| -> Res<(f64, f64)> { Ok((r.f64()?, r.f64()?)) };
    let ranges = (0..p).map(|_| pair(r)).collect::<Res<Vec<_>>>()?;
    let opt = |r: &mut Reader| -> Res<Option<Vec<(f64, f64)>>> {
        match r.u8()? {
            0 => Ok(None),
            1 => Ok(Some((0..p).map(|_| pair(r)).collect::<Res<Vec<_>>>()?)),
            _ => corrupt("bad preprocessing flag"),
        }
    };
    let caps = opt(r)?;
    let scaling = opt(r)?;
    // Prediction clamps to the caps: a NaN or reversed pair would panic there.
    let names = features.names();
    if let Some(j) = medians.iter().position(|m| m.is_nan()) {
        return corrupt(format!("the median of `{}` is not a number", names[j]));
    }
    if let Some(j) = caps
        .iter()
        .flatten()
        .position(|&(lo, hi)| lo.is_nan() || hi.is_nan() || lo > hi)
    {
        return corrupt(format!(
            "the outlier caps of `{}` are not a range",
            names[j]
        ));
    }
    Ok(Preprocessor {
        features,
        medians,
        ranges,
        caps,
        scaling,
    })
}

fn write_trees(w: &mut Writer, e: &TreeEnsemble) {
    w.u8(match e.kind {
        EnsembleKind::Forest => 0,
        EnsembleKind::Boosted => 1,
    });
    w.u32(e.trees.len() as u32);
    w.f32s(&e.base_score);
    w.f32s(&e.importance);
    // Per-feature tables of distinct thresholds.
    let mut tables: Vec<Vec<f32>> = vec![Vec::new(); e.n_features];
    for t in &e.trees {
        for (i, &f) in t.feature.iter().enumerate() {
            if f != LEAF {
                tables[f as usize].push(t.threshold[i]);
            }
        }
    }
    for table in &mut tables {
        table.sort_by(f32::total_cmp);
        table.dedup_by(|a, b| a.to_bits() == b.to_bits());
    }
    let longest = tables.iter().map(Vec::len).max().unwrap_or(0);
    let width: u8 = if longest <= 256 {
        1
    } else if longest <= 65536 {
        2
    } else {
        4
    };
    w.u8(width);
    for table in &tables {
        w.f32s(table);
    }
    let scale = boosted_scale(e);
    if e.kind == EnsembleKind::Boosted {
        w.f32(scale);
    }
    for t in &e.trees {
        w.u32(t.n_nodes() as u32);
        let order = pre_order(&t.feature, &t.child);
        order.iter().for_each(|&i| w.u8(t.feature[i]));
        for &i in &order {
            let f = t.feature[i];
            if f != LEAF {
                let table = &tables[f as usize];
                let idx = table
                    .binary_search_by(|v| v.total_cmp(&t.threshold[i]))
                    .expect("threshold is in its table") as u32;
                match width {
                    1 => w.u8(idx as u8),
                    2 => w.u16(idx as u16),
                    _ => w.u32(idx),
                }
            }
        }
        // Covers are already quantized (see `quantize`): leaves hold small integers.
        for &i in &order {
            if t.feature[i] == LEAF {
                w.u16(t.cover[i].clamp(0.0, 65535.0) as u16);
            }
        }
        for &i in &order {
            if t.feature[i] != LEAF {
                continue;
            }
            let leaf = t.child[i] as usize;
            match e.kind {
                EnsembleKind::Forest => {
                    let vals = &t.leaf_values[leaf * e.n_classes..(leaf + 1) * e.n_classes];
                    write_forest_leaf(w, vals, e.n_classes);
                }
                EnsembleKind::Boosted => {
                    w.u16(quantize_i16(t.leaf_values[leaf], scale) as u16);
                }
            }
        }
    }
}

/// A forest leaf's class probabilities in 255ths, the classes at zero left out.
///
/// Most of a leaf's classes hold no rows: those are skipped before rounding (a value at or below
/// zero, or NaN, rounds to level 0 anyway), and the levels are counted, then written, with no
/// list in between: encoding the bundled forest takes a quarter fewer instructions than
/// rounding every class into a list first.
fn write_forest_leaf(w: &mut Writer, vals: &[f32], n_classes: usize) {
    let level = |v: f32| (v * 255.0).round().clamp(0.0, 255.0) as u8;
    let levels = || {
        vals.iter()
            .enumerate()
            .filter(|(_, &v)| v > 0.0)
            .map(move |(c, &v)| (c as u8, level(v)))
            .filter(|&(_, q)| q > 0)
    };
    let mut rest = levels();
    let first = rest.next();
    let count = first.map_or(0, |_| 1 + rest.count());
    // Most forest leaves are pure: one byte, the class with the high bit set.
    if let (true, 1, Some((c, 255))) = (n_classes < 128, count, first) {
        w.u8(0x80 | c);
        return;
    }
    w.u8(count as u8);
    for (c, q) in levels() {
        w.u8(c);
        w.u8(q);
    }
}

fn read_trees(r: &mut Reader, n_classes: usize, p: usize) -> Res<TreeEnsemble> {
    let kind = match r.u8()? {
        0 => EnsembleKind::Forest,
        1 => EnsembleKind::Boosted,
        k => return corrupt(format!("unknown ensemble kind {k}")),
    };
    // Forest leaves name their classes with one byte; more classes cannot have been written,
    // and would let a small file ask for leaves × classes floats (gigabytes).
    if kind == EnsembleKind::Forest && n_classes > 256 {
        return corrupt(format!(
            "a forest with {n_classes} classes (at most 256 fit the format)"
        ));
    }
    let n_trees = r.count(4, "tree")?;
    let base_score = r.f32s("base score")?;
    let importance = r.f32s("importance")?;
    if importance.len() != p || (kind == EnsembleKind::Boosted && base_score.len() != n_classes) {
        return corrupt("the ensemble header does not fit the model's features and classes");
    }
    let width = r.u8()?;
    if !matches!(width, 1 | 2 | 4) {
        return corrupt(format!("bad threshold index width {width}"));
    }
    let tables = (0..p)
        .map(|_| r.f32s("threshold"))
        .collect::<Res<Vec<_>>>()?;
    let scale = if kind == EnsembleKind::Boosted {
        r.f32()?
    } else {
        1.0
    };
    let stride = if kind == EnsembleKind::Forest {
        n_classes
    } else {
        1
    };
    let header = TreesHeader {
        kind,
        n_classes,
        p,
        tables,
        scale,
        stride,
    };
    let read = match width {
        1 => read_tree::<1>,
        2 => read_tree::<2>,
        _ => read_tree::<4>,
    };
    let mut trees = Vec::with_capacity(n_trees);
    let mut scratch = Scratch::default();
    for ti in 0..n_trees {
        trees.push(read(r, ti, &header, &mut scratch)?);
    }
    Ok(TreeEnsemble {
        kind,
        n_classes,
        n_features: p,
        trees,
        base_score,
        importance,
        packed: Default::default(),
    })
}

/// What every tree of an ensemble is read with.
struct TreesHeader {
    kind: EnsembleKind,
    n_classes: usize,
    p: usize,
    tables: Vec<Vec<f32>>,
    scale: f32,
    stride: usize,
}

/// Reused from tree to tree: decoding is the page's first work, and allocation was a fifth of
/// it.
#[derive(Default)]
struct Scratch {
    /// The slots of right children still to be filled in, innermost last.
    right: Vec<u32>,
    /// The slot of each leaf, in leaf-number (= file) order.
    leaf_slot: Vec<u32>,
}

/// Reads tree `ti` of an ensemble. Each check is made in the order reading the tree value by
/// value makes it, so a corrupt file gives the error it always gave. `WIDTH` is the bytes of a
/// threshold index (1, 2 or 4), a constant so that reading one is a load, not a branch.
// Called once a tree rather than looping over all trees in `read_trees`: the page decodes once,
// and V8 tiers a wasm function up from its baseline compiler (Liftoff) to TurboFan only for
// later calls, so a loop in a function called once never leaves Liftoff.
#[inline(never)]
fn read_tree<const WIDTH: usize>(
    r: &mut Reader,
    ti: usize,
    h: &TreesHeader,
    scratch: &mut Scratch,
) -> Res<FlatTree> {
    let (p, n_classes) = (h.p, h.n_classes);
    let n = r.count(1, "node")?;
    let features = r.take(n)?;
    if n == 0 {
        return corrupt(format!("tree {ti} has no nodes"));
    }
    // The shape first: `open` counts the nodes the walk still expects, so the layout below can
    // trust it.
    let mut open = 1usize;
    let mut splits = 0usize;
    for (k, &f) in features.iter().enumerate() {
        if open == 0 {
            return corrupt(format!("tree {ti} has {} nodes after its last leaf", n - k));
        }
        if f == LEAF {
            open -= 1;
        } else {
            if f as usize >= p {
                return corrupt(format!("tree {ti} splits on feature {f} of {p}"));
            }
            open += 1;
            splits += 1;
        }
    }
    if open != 0 {
        return corrupt(format!("tree {ti} is incomplete"));
    }
    let leaves = n - splits;
    let mut tree = FlatTree {
        feature: vec![LEAF; n],
        threshold: vec![0.0; n],
        child: vec![0; n],
        cover: vec![0.0; n],
        leaf_values: Vec::new(),
    };
    // Rebuild the canonical layout from the pre-order shape, thresholds on the way: a split's
    // children take the next two slots, and its left child is the next node in the file.
    let thresholds = r.take_up_to(splits, WIDTH);
    let Scratch { right, leaf_slot } = scratch;
    right.clear();
    leaf_slot.clear();
    let (mut slot, mut next, mut split) = (0usize, 1u32, 0usize);
    for &f in features {
        tree.feature[slot] = f;
        if f == LEAF {
            tree.child[slot] = leaf_slot.len() as u32;
            leaf_slot.push(slot as u32);
            // Empty only after the last node (the shape is checked).
            slot = right.pop().unwrap_or(0) as usize;
            continue;
        }
        let Some(b) = thresholds.get(split * WIDTH..(split + 1) * WIDTH) else {
            return Err(r.truncated(WIDTH));
        };
        let mut le = [0u8; 4];
        le[..WIDTH].copy_from_slice(b);
        let idx = u32::from_le_bytes(le) as usize;
        let table = &h.tables[f as usize];
        let Some(&th) = table.get(idx) else {
            return corrupt(format!("tree {ti} uses threshold {idx} of {}", table.len()));
        };
        tree.threshold[slot] = th;
        tree.child[slot] = next;
        right.push(next + 1);
        slot = next as usize;
        next += 2;
        split += 1;
    }
    let covers = r.take_up_to(leaves, 2);
    for (c, &s) in covers.chunks_exact(2).zip(leaf_slot.iter()) {
        tree.cover[s as usize] = u16::from_le_bytes([c[0], c[1]]) as f32;
    }
    if covers.len() < 2 * leaves {
        return Err(r.truncated(2));
    }
    sum_internal_covers(&mut tree);
    match h.kind {
        EnsembleKind::Boosted => {
            let values = r.take_up_to(leaves, 2);
            if values.len() < 2 * leaves {
                return Err(r.truncated(2));
            }
            tree.leaf_values = values
                .chunks_exact(2)
                .map(|v| dequantize_i16(i16::from_le_bytes([v[0], v[1]]), h.scale))
                .collect();
        }
        EnsembleKind::Forest => {
            let stride = h.stride;
            tree.leaf_values = vec![0.0; leaves * stride];
            for leaf in 0..leaves {
                let m = r.u8()? as usize;
                if m & 0x80 != 0 && n_classes < 128 {
                    let c = m & 0x7F;
                    if c >= n_classes {
                        return corrupt(format!(
                            "tree {ti} has a leaf for class {c} of {n_classes}"
                        ));
                    }
                    tree.leaf_values[leaf * stride + c] = 1.0;
                    continue;
                }
                if m > n_classes {
                    return corrupt(format!(
                        "tree {ti} has a leaf with {m} classes of {n_classes}"
                    ));
                }
                for _ in 0..m {
                    let c = r.u8()? as usize;
                    let q = r.u8()?;
                    if c >= n_classes {
                        return corrupt(format!(
                            "tree {ti} has a leaf for class {c} of {n_classes}"
                        ));
                    }
                    tree.leaf_values[leaf * stride + c] = q as f32 / 255.0;
                }
            }
        }
    }
    Ok(tree)
}

/// Per-feature tables of the distinct thresholds of numeric nodes, sorted by bits.
fn imported_tables(e: &ImportedTrees) -> Vec<Vec<f64>> {
    let mut tables: Vec<Vec<f64>> = vec![Vec::new(); e.n_features];
    for t in &e.trees {
        for (i, &f) in t.nodes.feature.iter().enumerate() {
            if f != LEAF && t.flags[i] & CATEGORICAL == 0 {
                tables[f as usize].push(t.nodes.threshold[i]);
            }
        }
    }
    for table in &mut tables {
        table.sort_by(f64::total_cmp);
        table.dedup_by(|a, b| a.to_bits() == b.to_bits());
    }
    tables
}

fn write_imported(w: &mut Writer, e: &ImportedTrees) {
    w.u8(match e.library {
        Library::LightGbm => 0,
        Library::XgBoost => 1,
    });
    match e.link {
        Link::Softmax => w.u8(0),
        Link::OneVsRest { sigmoid } => {
            w.u8(1);
            w.f64(sigmoid);
        }
        Link::Binary { sigmoid } => {
            w.u8(2);
            w.f64(sigmoid);
        }
        Link::Identity => w.u8(3),
    }
    w.u8(e.average as u8);
    w.u32(e.base_score.len() as u32);
    e.base_score.iter().for_each(|&b| w.f64(b));
    w.f32s(&e.importance);
    let tables = imported_tables(e);
    for table in &tables {
        w.u32(table.len() as u32);
        table.iter().for_each(|&v| w.f64(v));
    }
    w.u32(e.trees.len() as u32);
    for (t, &score) in e.trees.iter().zip(&e.tree_score) {
        w.u16(score);
        w.u32(t.n_nodes() as u32);
        let order = pre_order(&t.nodes.feature, &t.nodes.child);
        order.iter().for_each(|&i| w.u8(t.nodes.feature[i]));
        for &i in &order {
            let f = t.nodes.feature[i];
            if f == LEAF {
                w.f64(t.nodes.leaf_values[t.nodes.child[i] as usize]);
                w.f64(t.nodes.cover[i]);
                continue;
            }
            w.u8(t.flags[i]);
            w.f64(t.nodes.cover[i]);
            if t.flags[i] & CATEGORICAL != 0 {
                let set = &t.categories[t.nodes.threshold[i] as usize];
                w.u32(set.len() as u32);
                set.iter().for_each(|&c| w.u32(c));
            } else {
                let table = &tables[f as usize];
                let idx = table
                    .binary_search_by(|v| v.total_cmp(&t.nodes.threshold[i]))
                    .expect("threshold is in its table") as u32;
                if table.len() <= 256 {
                    w.u8(idx as u8);
                } else if table.len() <= 65536 {
                    w.u16(idx as u16);
                } else {
                    w.u32(idx);
                }
            }
        }
    }
}

fn read_imported(r: &mut Reader, n_classes: usize, p: usize) -> Res<ImportedTrees> {
    let library = match r.u8()? {
        0 => Library::LightGbm,
        1 => Library::XgBoost,
        l => return corrupt(format!("unknown library {l}")),
    };
    let link = match r.u8()? {
        0 => Link::Softmax,
        1 => Link::OneVsRest { sigmoid: r.f64()? },
        2 => Link::Binary { sigmoid: r.f64()? },
        3 => Link::Identity,
        l => return corrupt(format!("unknown link {l}")),
    };
    if matches!(link, Link::Binary { .. }) && n_classes != 2 {
        return corrupt("a binary model with other than 2 classes");
    }
    let average = match r.u8()? {
        0 => false,
        1 => true,
        _ => return corrupt("bad averaging flag"),
    };
    let n_scores = match link {
        Link::Binary { .. } => 1,
        _ => n_classes,
    };
    let n_base = r.count(8, "base score")?;
    if n_base != n_scores {
        return corrupt("the base scores do not fit the model's classes");
    }
    let base_score = (0..n_base).map(|_| r.f64()).collect::<Res<Vec<_>>>()?;
    let importance = r.f32s("importance")?;
    if importance.len() != p {
        return corrupt("the importances do not fit the model's features");
    }
    let mut tables = Vec::with_capacity(p);
    for _ in 0..p {
        let n = r.count(8, "threshold")?;
        tables.push((0..n).map(|_| r.f64()).collect::<Res<Vec<_>>>()?);
    }
    let n_trees = r.count(7, "tree")?;
    let mut trees = Vec::with_capacity(n_trees);
    let mut tree_score = Vec::with_capacity(n_trees);
    for ti in 0..n_trees {
        let score = r.u16()?;
        if score as usize >= n_scores {
            return corrupt(format!("tree {ti} adds to score {score} of {n_scores}"));
        }
        tree_score.push(score);
        let n = r.count(1, "node")?;
        if n == 0 {
            return corrupt(format!("tree {ti} has no nodes"));
        }
        let features = r.take(n)?.to_vec();
        let mut tree = ImportedTree::default();
        tree.push_placeholder();
        let mut stack = vec![0usize];
        for (k, &f) in features.iter().enumerate() {
            let Some(slot) = stack.pop() else {
                return corrupt(format!("tree {ti} has {} nodes after its last leaf", n - k));
            };
            tree.nodes.feature[slot] = f;
            if f == LEAF {
                tree.nodes.child[slot] = tree.nodes.leaf_values.len() as u32;
                tree.nodes.leaf_values.push(r.f64()?);
                tree.nodes.cover[slot] = r.f64()?;
                continue;
            }
            if f as usize >= p {
                return corrupt(format!("tree {ti} splits on feature {f} of {p}"));
            }
            let flags = r.u8()?;
            if flags & !(1 | (3 << MISSING_SHIFT) | CATEGORICAL) != 0
                || (flags >> MISSING_SHIFT) & 3 == 3
            {
                return corrupt(format!("tree {ti} has a node with flags {flags}"));
            }
            tree.flags[slot] = flags;
            tree.nodes.cover[slot] = r.f64()?;
            if flags & CATEGORICAL != 0 {
                let m = r.count(4, "category")?;
                let set = (0..m).map(|_| r.u32()).collect::<Res<Vec<_>>>()?;
                if set.windows(2).any(|w| w[0] >= w[1]) {
                    return corrupt(format!("tree {ti} has an unsorted category set"));
                }
                tree.nodes.threshold[slot] = tree.categories.len() as f64;
                tree.categories.push(set);
            } else {
                let table = &tables[f as usize];
                let idx = if table.len() <= 256 {
                    r.u8()? as usize
                } else if table.len() <= 65536 {
                    r.u16()? as usize
                } else {
                    r.u32()? as usize
                };
                let Some(&th) = table.get(idx) else {
                    return corrupt(format!("tree {ti} uses threshold {idx} of {}", table.len()));
                };
                tree.nodes.threshold[slot] = th;
            }
            open_children(&mut tree, slot, &mut stack);
        }
        if !stack.is_empty() || tree.n_nodes() != n {
            return corrupt(format!("tree {ti} is incomplete"));
        }
        trees.push(tree);
    }
    Ok(ImportedTrees {
        library,
        link,
        n_classes,
        n_features: p,
        trees,
        tree_score,
        base_score,
        average,
        importance,
        packed: Default::default(),
    })
}
