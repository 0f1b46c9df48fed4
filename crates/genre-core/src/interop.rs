//! Models from anywhere: LightGBM text models and XGBoost JSON models read into our model
//! (`lightgbm.rs`, `xgboost.rs`), with the libraries' own split rules and full precision
//! ([`ImportedTrees`]), and our tree models written as LightGBM text models (`export.rs`).
//!
//! An import is two steps, so that a page can ask about the features and classes in between:
//! [`read`] parses a file into a [`ForeignModel`] (its format detected from the content), and
//! [`ForeignModel::into_model`] maps its features onto ours by name (the ingest's header
//! normalisation) and names its classes, giving an ordinary [`TrainedModel`].
//!
//! An imported model reads missing values as missing (NaN reaches the trees, which send it where
//! the library would): its preprocessor has no imputation step that runs (see
//! [`TrainedModel::predict_raw`]), no caps and no scaling. It has no training data here, so the
//! Predict page's starting values are the middle of each feature's range as the model knows it
//! (LightGBM's `feature_infos`, else the span of the model's thresholds).

pub mod export;
pub mod lightgbm;
pub mod xgboost;

use serde::{Deserialize, Serialize};

use crate::error::ImportError;
use crate::feature::{Feature, FeatureSet};
use crate::model::{Estimator, ModelKind, ModelMeta, TrainedModel};
use crate::preprocess::Preprocessor;
use crate::tree::flat::LEAF;
use crate::tree::imported::{ImportedTree, ImportedTrees, Library, Link, CATEGORICAL};

/// A node of a tree as a library's file gives it, before the features are mapped and the layout
/// made canonical. Node 0 is the root.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawNode {
    /// The model's column; unused at leaves.
    pub column: u32,
    pub flags: u8,
    pub threshold: f64,
    /// A categorical node's categories, sorted.
    pub categories: Vec<u32>,
    pub left: usize,
    pub right: usize,
    /// `Some(value)` at a leaf.
    pub leaf: Option<f64>,
    pub cover: f64,
    pub gain: f64,
}

impl RawNode {
    /// A leaf with the library's value and cover (the column, flags and children are unused).
    pub(crate) fn leaf(value: f64, cover: f64) -> RawNode {
        RawNode {
            column: 0,
            flags: 0,
            threshold: 0.0,
            categories: Vec::new(),
            left: 0,
            right: 0,
            leaf: Some(value),
            cover,
            gain: 0.0,
        }
    }
}

/// A model as read from its file.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignModel {
    pub library: Library,
    /// The objective as the file names it (`multiclass`, `multi:softprob`, …).
    pub objective: String,
    /// The library's version, as the file says it.
    pub version: String,
    pub n_classes: usize,
    /// One per column of the model's input, in order.
    pub feature_names: Vec<String>,
    /// Whether the names are the library's placeholders (`Column_0`, `f0`) rather than real ones.
    pub placeholder_names: bool,
    /// The training range of each column, where the file records it (LightGBM).
    pub(crate) column_ranges: Vec<Option<(f64, f64)>>,
    pub(crate) link: Link,
    pub(crate) trees: Vec<Vec<RawNode>>,
    pub(crate) tree_score: Vec<u16>,
    pub(crate) base_score: Vec<f64>,
    pub(crate) average: bool,
}

/// What a page shows about a model before it is imported: what was read, and each column with
/// the feature its name matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForeignSummary {
    pub library: Library,
    pub objective: String,
    pub version: String,
    pub trees: usize,
    pub n_classes: usize,
    pub placeholder_names: bool,
    pub columns: Vec<ForeignColumn>,
}

/// One column of a model's input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForeignColumn {
    /// Its name in the file.
    pub name: String,
    /// Whether any tree splits on it (an unused column needs no feature).
    pub used: bool,
    /// The feature its name matches by the ingest's header normalisation; never for the
    /// library's placeholder names.
    pub feature: Option<Feature>,
}

/// What the user says about an imported model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportOptions {
    /// Class names in the library's class order (its labels 0, 1, …); `None`: the labels.
    pub classes: Option<Vec<String>>,
    /// Names of the model's columns in order, replacing the file's.
    pub features: Option<Vec<String>>,
    /// The model's name in the app.
    pub name: String,
    /// The file it came from.
    pub file_name: String,
    /// ISO-8601 date of the import (the core has no clock).
    pub imported_at: String,
}

/// The content after leading whitespace and a byte-order mark; `None` when nothing is left.
fn body(bytes: &[u8]) -> Option<&[u8]> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    Some(
        bytes[start..]
            .strip_prefix("\u{feff}".as_bytes())
            .unwrap_or(&bytes[start..]),
    )
}

/// Whether `bytes` open as a LightGBM text model (`tree`) or an XGBoost model (`{`): what
/// [`read`] is for, rather than our own model file (`GLNS`) or something else.
pub fn is_foreign(bytes: &[u8]) -> bool {
    body(bytes).is_some_and(|b| b.first() == Some(&b'{') || b.starts_with(b"tree"))
}

/// Class names as a person gives them: one a line when the text has several lines (blank
/// lines skipped), else a comma-separated list. An empty text gives no names.
pub fn class_names(text: &str) -> Result<Vec<String>, ImportError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    if text.contains('\n') {
        return Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect());
    }
    text.split(',')
        .enumerate()
        .map(|(i, name)| match name.trim() {
            "" => Err(ImportError::EmptyClassName { position: i + 1 }),
            name => Ok(name.to_string()),
        })
        .collect()
}

/// The classes a library was trained on, in its class order, from the labels a data file holds:
/// distinct and sorted, as scikit-learn's `LabelEncoder` (and so `LGBMClassifier` and
/// `XGBClassifier`) numbers them.
pub fn label_encoder_order(labels: &[String]) -> Vec<String> {
    let mut classes = labels.to_vec();
    classes.sort_unstable();
    classes.dedup();
    classes
}

/// Reads a LightGBM text model or an XGBoost JSON model, whichever the content is.
pub fn read(bytes: &[u8]) -> Result<ForeignModel, ImportError> {
    let body = body(bytes).ok_or(ImportError::Empty)?;
    match body.first() {
        Some(b'{') => {
            // UBJSON also opens with `{`, followed by binary length markers.
            match std::str::from_utf8(body) {
                Ok(text) if !text.bytes().any(|b| b < 0x09 || (0x0e..0x20).contains(&b)) => {
                    xgboost::parse(text)
                }
                _ => Err(ImportError::Ubjson),
            }
        }
        Some(b't') if body.starts_with(b"tree") => {
            let text = std::str::from_utf8(body).map_err(|e| ImportError::Malformed {
                library: "LightGBM".into(),
                what: format!("the text is not UTF-8 near byte {}", e.valid_up_to()),
            })?;
            lightgbm::parse(text)
        }
        None => Err(ImportError::Empty),
        _ => Err(ImportError::UnknownFormat),
    }
}

/// Reads and converts in one step.
pub fn import(bytes: &[u8], options: &ImportOptions) -> Result<TrainedModel, ImportError> {
    read(bytes)?.into_model(options)
}

impl ForeignModel {
    /// The columns the trees split on.
    pub fn used_columns(&self) -> Vec<bool> {
        let mut used = vec![false; self.feature_names.len()];
        for node in self.trees.iter().flatten() {
            if node.leaf.is_none() {
                used[node.column as usize] = true;
            }
        }
        used
    }

    /// What was read, for a page to show before the import.
    pub fn summary(&self) -> ForeignSummary {
        let used = self.used_columns();
        ForeignSummary {
            library: self.library,
            objective: self.objective.clone(),
            version: self.version.clone(),
            trees: self.trees.len(),
            n_classes: self.n_classes,
            placeholder_names: self.placeholder_names,
            columns: self
                .feature_names
                .iter()
                .zip(used)
                .map(|(name, used)| ForeignColumn {
                    name: name.clone(),
                    used,
                    feature: if self.placeholder_names {
                        None
                    } else {
                        Feature::from_header(name)
                    },
                })
                .collect(),
        }
    }

    /// Maps the features and names the classes: a model like any other.
    pub fn into_model(self, options: &ImportOptions) -> Result<TrainedModel, ImportError> {
        let columns = self.feature_names.len();
        let names: Vec<String> = match &options.features {
            Some(given) => {
                if given.len() != columns {
                    return Err(ImportError::FeatureCount {
                        given: given.len(),
                        expected: columns,
                    });
                }
                given.clone()
            }
            None => self.feature_names.clone(),
        };
        let named = options.features.is_some() || !self.placeholder_names;
        let used = self.used_columns();
        // Each used column becomes one of our features, in the model's column order.
        let mut features: Vec<Feature> = Vec::new();
        let mut slot_of: Vec<Option<u8>> = vec![None; columns];
        let mut column_of: Vec<usize> = Vec::new();
        for (c, name) in names.iter().enumerate() {
            if !used[c] {
                continue;
            }
            if !named {
                return Err(ImportError::UnnamedFeatures {
                    example: name.clone(),
                });
            }
            let Some(f) = Feature::from_header(name) else {
                return Err(ImportError::UnknownFeature {
                    position: c + 1,
                    name: name.clone(),
                    expected: Feature::ALL.map(|f| f.name()).join(", "),
                });
            };
            if let Some(k) = features.iter().position(|&g| g == f) {
                return Err(ImportError::DuplicateFeature {
                    first: column_of[k] + 1,
                    second: c + 1,
                    feature: f.name().to_string(),
                });
            }
            slot_of[c] = Some(features.len() as u8);
            features.push(f);
            column_of.push(c);
        }
        if features.is_empty() {
            // A model of constant trees: it still needs one input for the form.
            let f = names
                .iter()
                .find_map(|n| Feature::from_header(n))
                .unwrap_or(Feature::Energy);
            features.push(f);
            column_of.push(usize::MAX);
        }
        let classes = match &options.classes {
            Some(given) => {
                if given.len() != self.n_classes {
                    return Err(ImportError::ClassCount {
                        given: given.len(),
                        expected: self.n_classes,
                    });
                }
                given.clone()
            }
            None => (0..self.n_classes).map(|c| c.to_string()).collect(),
        };

        let p = features.len();
        let mut importance = vec![0.0f64; p];
        let mut trees = Vec::with_capacity(self.trees.len());
        for (t, raw) in self.trees.iter().enumerate() {
            trees.push(canonical(raw, &slot_of, &mut importance).map_err(|what| {
                ImportError::Malformed {
                    library: self.library.name().into(),
                    what: format!("tree {t} {what}"),
                }
            })?);
        }
        let total: f64 = importance.iter().sum();
        let importance = importance
            .iter()
            .map(|&g| if total > 0.0 { (g / total) as f32 } else { 0.0 })
            .collect();

        // Ranges: the file's, else the span of the thresholds and categories used.
        let mut spans: Vec<Option<(f64, f64)>> = vec![None; p];
        for tree in &trees {
            for i in 0..tree.n_nodes() {
                let f = tree.nodes.feature[i];
                if f == LEAF {
                    continue;
                }
                let values: Vec<f64> = if tree.flags[i] & CATEGORICAL != 0 {
                    let set = &tree.categories[tree.nodes.threshold[i] as usize];
                    set.first()
                        .iter()
                        .chain(set.last().iter())
                        .map(|&&c| c as f64)
                        .collect()
                } else {
                    vec![tree.nodes.threshold[i]]
                };
                for v in values.into_iter().filter(|v| v.is_finite()) {
                    let s = spans[f as usize].get_or_insert((v, v));
                    s.0 = s.0.min(v);
                    s.1 = s.1.max(v);
                }
            }
        }
        let mut ranges = Vec::with_capacity(p);
        let mut medians = Vec::with_capacity(p);
        for (j, &f) in features.iter().enumerate() {
            let known = column_of
                .get(j)
                .and_then(|&c| self.column_ranges.get(c).copied().flatten());
            let (lo, hi) = known.or(spans[j]).unwrap_or((0.0, 0.0));
            let mut mid = lo + (hi - lo) / 2.0;
            if f.is_integer() {
                mid = mid.round();
            }
            ranges.push((lo, hi));
            medians.push(mid);
        }
        let kind = if self.average {
            ModelKind::RandomForest
        } else {
            ModelKind::GradientBoosting
        };
        let n_scores = match self.link {
            Link::Binary { .. } => 1,
            _ => self.n_classes,
        };
        let settings = format!(
            "imported from {} {} ({}, {} trees{}{})",
            self.library.name(),
            self.version,
            self.objective,
            trees.len(),
            if n_scores > 1 {
                format!(", {} rounds × {} classes", trees.len() / n_scores, n_scores)
            } else {
                String::new()
            },
            if self.average {
                ", random-forest mode"
            } else {
                ""
            }
        );
        let estimator = ImportedTrees {
            library: self.library,
            link: self.link,
            n_classes: self.n_classes,
            n_features: p,
            trees,
            tree_score: self.tree_score,
            base_score: self.base_score,
            average: self.average,
            importance,
            packed: Default::default(),
        };
        Ok(TrainedModel {
            meta: ModelMeta {
                kind,
                name: options.name.clone(),
                trained_at: options.imported_at.clone(),
                data_file: options.file_name.clone(),
                // What marks it imported (`ModelMeta::imported`): its rows were never here.
                train_rows: 0,
                seed: 0,
                settings,
                holdout: None,
            },
            classes,
            preprocessor: Preprocessor {
                features: FeatureSet::new(features).expect("distinct and not empty"),
                medians,
                ranges,
                caps: None,
                scaling: None,
            },
            estimator: Estimator::Imported(estimator),
        })
    }
}

/// A tree in the canonical layout with the columns mapped to feature slots; adds each split's
/// gain to `importance`. Every node must be reached exactly once from the root.
fn canonical(
    raw: &[RawNode],
    slot_of: &[Option<u8>],
    importance: &mut [f64],
) -> Result<ImportedTree, String> {
    if raw.is_empty() {
        return Err("has no nodes".into());
    }
    let mut out = ImportedTree::default();
    let mut reached = vec![false; raw.len()];
    out.push_placeholder();
    let mut stack = vec![(0usize, 0usize)];
    while let Some((old, slot)) = stack.pop() {
        if std::mem::replace(&mut reached[old], true) {
            return Err(format!("reaches node {old} twice (it is not a tree)"));
        }
        let node = &raw[old];
        out.nodes.cover[slot] = node.cover;
        if let Some(value) = node.leaf {
            out.nodes.child[slot] = out.nodes.leaf_values.len() as u32;
            out.nodes.leaf_values.push(value);
            continue;
        }
        let Some(f) = slot_of.get(node.column as usize).copied().flatten() else {
            return Err(format!(
                "splits on column {} of {}",
                node.column,
                slot_of.len()
            ));
        };
        if node.left >= raw.len() || node.right >= raw.len() {
            return Err(format!(
                "node {old} has a child beyond its {} nodes",
                raw.len()
            ));
        }
        out.nodes.feature[slot] = f;
        out.flags[slot] = node.flags;
        out.nodes.threshold[slot] = if node.flags & CATEGORICAL != 0 {
            out.categories.push(node.categories.clone());
            (out.categories.len() - 1) as f64
        } else {
            node.threshold
        };
        if node.gain.is_finite() && node.gain > 0.0 {
            importance[f as usize] += node.gain;
        }
        let l = out.push_placeholder();
        out.push_placeholder();
        out.nodes.child[slot] = l as u32;
        stack.push((node.right, l + 1));
        stack.push((node.left, l));
    }
    Ok(out)
}

/// Parses a number as the libraries write them (`1e-35`, `inf`, `-nan` included).
pub(crate) fn parse_f64(s: &str) -> Option<f64> {
    let s = s.trim();
    match s {
        "nan" | "-nan" | "NaN" => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}
