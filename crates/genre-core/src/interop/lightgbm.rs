//! LightGBM's text model (`Booster.save_model`, `model.txt`): a header of `key=value` lines,
//! then one `Tree=N` block per tree (iteration × class order), then `end of trees` and sections
//! we do not need (importances, parameters).
//!
//! A tree block: `num_leaves`, `num_cat`, and per internal node `split_feature`, `threshold`,
//! `decision_type` (bit 0 categorical, bit 1 default left, bits 2-3 missing type), `left_child`,
//! `right_child` (a negative child `c` is leaf `!c`), `split_gain`, `internal_weight`/`_count`;
//! per leaf `leaf_value`, `leaf_weight`/`_count`; categorical nodes' `threshold` is an index into
//! `cat_boundaries`, which delimit bitsets of 32-bit words in `cat_threshold`.

use std::collections::HashMap;

use super::{parse_f64, ForeignModel, RawNode};
use crate::error::ImportError;
use crate::tree::imported::{Library, Link, CATEGORICAL, DEFAULT_LEFT, MISSING_SHIFT};

fn bad(what: impl Into<String>) -> ImportError {
    ImportError::Malformed {
        library: "LightGBM text model".into(),
        what: what.into(),
    }
}

fn unsupported(objective: &str) -> ImportError {
    ImportError::UnsupportedObjective {
        library: "LightGBM".into(),
        objective: objective.to_string(),
        supported: "`multiclass`, `multiclassova`, `binary`".into(),
    }
}

/// `key=value` lines; a line without `=` is a key with an empty value (`average_output`).
fn key_value(line: &str) -> (&str, &str) {
    match line.split_once('=') {
        Some((k, v)) => (k.trim(), v.trim()),
        None => (line.trim(), ""),
    }
}

struct Block<'a> {
    values: HashMap<&'a str, &'a str>,
    tree: usize,
}

impl<'a> Block<'a> {
    fn get(&self, key: &str) -> Option<&'a str> {
        self.values.get(key).copied()
    }

    fn need(&self, key: &str) -> Result<&'a str, ImportError> {
        self.get(key)
            .ok_or_else(|| bad(format!("tree {} has no `{key}`", self.tree)))
    }

    /// A list of exactly `n` numbers.
    fn numbers<T>(
        &self,
        key: &str,
        n: usize,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, ImportError> {
        let text = self.need(key)?;
        let values = text
            .split_whitespace()
            .map(|s| {
                parse(s).ok_or_else(|| {
                    bad(format!(
                        "tree {}: `{key}` has `{s}`, not a number",
                        self.tree
                    ))
                })
            })
            .collect::<Result<Vec<T>, _>>()?;
        if values.len() != n {
            return Err(bad(format!(
                "tree {}: `{key}` has {} values, {n} expected",
                self.tree,
                values.len()
            )));
        }
        Ok(values)
    }

    fn optional<T>(
        &self,
        key: &str,
        n: usize,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<Vec<T>>, ImportError> {
        match self.get(key) {
            Some(_) => self.numbers(key, n, parse).map(Some),
            None => Ok(None),
        }
    }
}

fn int(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

pub(crate) fn parse(text: &str) -> Result<ForeignModel, ImportError> {
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r')).peekable();
    match lines.next() {
        Some(l) if l.trim() == "tree" => {}
        _ => return Err(bad("the first line is not `tree`")),
    }
    let mut header: HashMap<&str, &str> = HashMap::new();
    while let Some(&line) = lines.peek() {
        if line.starts_with("Tree=") || line.trim() == "end of trees" {
            break;
        }
        lines.next();
        if !line.trim().is_empty() {
            let (k, v) = key_value(line);
            header.insert(k, v);
        }
    }
    let head_int = |key: &str| -> Result<i64, ImportError> {
        let v = header
            .get(key)
            .ok_or_else(|| bad(format!("the header has no `{key}`")))?;
        int(v).ok_or_else(|| bad(format!("`{key}={v}` is not a whole number")))
    };
    let num_class = head_int("num_class")?;
    let per_iteration = match header.get("num_tree_per_iteration") {
        Some(_) => head_int("num_tree_per_iteration")?,
        None => num_class,
    };
    let max_feature_idx = head_int("max_feature_idx")?;
    if !(0..100_000).contains(&max_feature_idx) {
        return Err(bad(format!("max_feature_idx={max_feature_idx}")));
    }
    let columns = max_feature_idx as usize + 1;
    let average = header.contains_key("average_output");
    let objective = header.get("objective").copied().unwrap_or("").trim();
    let kind = objective.split_whitespace().next().unwrap_or("");
    let option = |name: &str| -> Option<f64> {
        objective
            .split_whitespace()
            .skip(1)
            .find_map(|t| t.strip_prefix(name)?.strip_prefix(':'))
            .and_then(parse_f64)
    };
    let sigmoid = option("sigmoid").unwrap_or(1.0);
    let (link, n_classes, n_scores) = match kind {
        "multiclass" | "softmax" => (Link::Softmax, num_class, num_class),
        "multiclassova" | "multiclass_ova" | "ova" | "ovr" => {
            (Link::OneVsRest { sigmoid }, num_class, num_class)
        }
        "binary" => (Link::Binary { sigmoid }, 2, 1),
        // No objective: raw scores. Averaged over a random forest's trees, they are the
        // probabilities themselves (how `genre-lens export` writes a forest).
        "" if average && num_class >= 2 => (Link::Identity, num_class, num_class),
        "" => return Err(unsupported("(none: raw scores)")),
        other => return Err(unsupported(other)),
    };
    if !(2..=65_535).contains(&n_classes) {
        return Err(bad(format!("num_class={num_class} for `{kind}`")));
    }
    if per_iteration != n_scores {
        return Err(bad(format!(
            "num_tree_per_iteration={per_iteration}, but `{kind}` with num_class={num_class} needs {n_scores}"
        )));
    }
    if !(sigmoid.is_finite() && sigmoid > 0.0) {
        return Err(bad(format!("sigmoid {sigmoid} in `{objective}`")));
    }
    let (n_classes, n_scores) = (n_classes as usize, n_scores as usize);

    let feature_names: Vec<String> = match header.get("feature_names") {
        Some(names) => names.split_whitespace().map(str::to_string).collect(),
        None => (0..columns).map(|c| format!("Column_{c}")).collect(),
    };
    if feature_names.len() != columns {
        return Err(bad(format!(
            "{} feature names for {columns} features",
            feature_names.len()
        )));
    }
    let placeholder_names = feature_names.iter().all(|n| {
        n.strip_prefix("Column_")
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    });
    let column_ranges: Vec<Option<(f64, f64)>> = match header.get("feature_infos") {
        Some(infos) => infos.split_whitespace().map(range_of).collect(),
        None => vec![None; columns],
    };
    let column_ranges = if column_ranges.len() == columns {
        column_ranges
    } else {
        vec![None; columns]
    };

    let mut trees = Vec::new();
    while let Some(line) = lines.next() {
        let line = line.trim();
        if line == "end of trees" {
            break;
        }
        if line.is_empty() {
            continue;
        }
        let Some(number) = line.strip_prefix("Tree=") else {
            return Err(bad(format!(
                "expected `Tree=` or `end of trees`, found `{}`",
                clip(line)
            )));
        };
        if int(number) != Some(trees.len() as i64) {
            return Err(bad(format!(
                "`{}` where Tree={} was expected",
                clip(line),
                trees.len()
            )));
        }
        let mut values = HashMap::new();
        while let Some(&l) = lines.peek() {
            if l.trim().is_empty() || l.starts_with("Tree=") || l.trim() == "end of trees" {
                break;
            }
            lines.next();
            let (k, v) = key_value(l);
            values.insert(k, v);
        }
        trees.push(parse_tree(
            &Block {
                values,
                tree: trees.len(),
            },
            columns,
        )?);
    }
    if trees.len() % n_scores != 0 {
        return Err(bad(format!(
            "{} trees is not a whole number of iterations of {n_scores}",
            trees.len()
        )));
    }
    let tree_score = (0..trees.len()).map(|t| (t % n_scores) as u16).collect();
    Ok(ForeignModel {
        library: Library::LightGbm,
        objective: if kind.is_empty() {
            "no objective".into()
        } else {
            kind.to_string()
        },
        version: header.get("version").copied().unwrap_or("").to_string(),
        n_classes,
        feature_names,
        placeholder_names,
        column_ranges,
        link,
        trees,
        tree_score,
        base_score: vec![0.0; n_scores],
        average,
    })
}

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

/// `[min:max]` of a numeric column; categorical (`1:4:6`) and unused (`none`) columns: `None`.
fn range_of(info: &str) -> Option<(f64, f64)> {
    let (lo, hi) = info.strip_prefix('[')?.strip_suffix(']')?.split_once(':')?;
    let (lo, hi) = (parse_f64(lo)?, parse_f64(hi)?);
    (lo.is_finite() && hi.is_finite() && lo <= hi).then_some((lo, hi))
}

fn parse_tree(b: &Block, columns: usize) -> Result<Vec<RawNode>, ImportError> {
    let t = b.tree;
    if b.get("is_linear").and_then(int).unwrap_or(0) != 0 {
        return Err(ImportError::LinearTree { tree: t });
    }
    let leaves = int(b.need("num_leaves")?)
        .filter(|&n| n >= 1)
        .ok_or_else(|| bad(format!("tree {t}: num_leaves is not a positive number")))?;
    // Every leaf has a value in the text: a count beyond it cannot be real.
    let leaf_text = b.need("leaf_value")?;
    if leaves as usize > leaf_text.len() {
        return Err(bad(format!(
            "tree {t}: num_leaves={leaves} but fewer leaf values"
        )));
    }
    let leaves = leaves as usize;
    let leaf_value = b.numbers("leaf_value", leaves, parse_f64)?;
    let leaf_cover = match b.optional("leaf_weight", leaves, parse_f64)? {
        Some(w) if w.iter().any(|&v| v > 0.0) => w,
        _ => b
            .optional("leaf_count", leaves, |s| int(s).map(|v| v as f64))?
            .unwrap_or_else(|| vec![1.0; leaves]),
    };
    if leaves == 1 {
        return Ok(vec![RawNode::leaf(leaf_value[0], leaf_cover[0])]);
    }
    let inner = leaves - 1;
    let split_feature = b.numbers("split_feature", inner, int)?;
    let threshold = b.numbers("threshold", inner, parse_f64)?;
    let decision = b
        .optional("decision_type", inner, int)?
        .unwrap_or_else(|| vec![0; inner]);
    let left = b.numbers("left_child", inner, int)?;
    let right = b.numbers("right_child", inner, int)?;
    let gain = b
        .optional("split_gain", inner, parse_f64)?
        .unwrap_or_else(|| vec![0.0; inner]);
    let inner_cover = match b.optional("internal_weight", inner, parse_f64)? {
        Some(w) if w.iter().any(|&v| v > 0.0) => w,
        _ => b
            .optional("internal_count", inner, |s| int(s).map(|v| v as f64))?
            .unwrap_or_else(|| vec![0.0; inner]),
    };
    let num_cat = int(b.need("num_cat")?)
        .filter(|&n| n >= 0 && n as usize <= inner)
        .ok_or_else(|| bad(format!("tree {t}: num_cat is not a count of its nodes")))?
        as usize;
    let (boundaries, bitset) = if num_cat > 0 {
        let boundaries = b.numbers("cat_boundaries", num_cat + 1, int)?;
        let words = *boundaries.last().expect("num_cat + 1 values");
        if boundaries[0] != 0
            || boundaries.windows(2).any(|w| w[0] > w[1])
            || words < 0
            || words as usize > b.need("cat_threshold")?.len()
        {
            return Err(bad(format!(
                "tree {t}: cat_boundaries are not increasing from 0"
            )));
        }
        let bitset = b.numbers("cat_threshold", words as usize, |s| {
            s.trim().parse::<u32>().ok()
        })?;
        (boundaries, bitset)
    } else {
        (Vec::new(), Vec::new())
    };
    // Internal node i is node i; leaf l is node inner + l.
    let child = |c: i64| -> Result<usize, ImportError> {
        if c >= 0 && (c as usize) < inner {
            Ok(c as usize)
        } else if c < 0 && ((!c) as usize) < leaves {
            Ok(inner + (!c) as usize)
        } else {
            Err(bad(format!("tree {t}: child {c} is not one of its nodes")))
        }
    };
    let mut nodes = Vec::with_capacity(leaves + inner);
    for i in 0..inner {
        let column = split_feature[i];
        if !(0..columns as i64).contains(&column) {
            return Err(bad(format!(
                "tree {t} splits on feature {column} of {columns}"
            )));
        }
        let d = decision[i];
        if !(0..16).contains(&d) || (d >> 2) & 3 == 3 {
            return Err(bad(format!("tree {t}: decision_type {d}")));
        }
        let missing = ((d >> 2) & 3) as u8;
        let mut flags = missing << MISSING_SHIFT;
        if d & 2 != 0 {
            flags |= DEFAULT_LEFT;
        }
        let mut categories = Vec::new();
        if d & 1 != 0 {
            flags |= CATEGORICAL;
            let k = threshold[i];
            if !(k >= 0.0 && (k as usize) < num_cat) {
                return Err(bad(format!("tree {t}: category set {k} of {num_cat}")));
            }
            let k = k as usize;
            let words = &bitset[boundaries[k] as usize..boundaries[k + 1] as usize];
            for (w, &word) in words.iter().enumerate() {
                for bit in 0..32 {
                    if word >> bit & 1 == 1 {
                        categories.push((w * 32 + bit) as u32);
                    }
                }
            }
        }
        nodes.push(RawNode {
            column: column as u32,
            flags,
            threshold: threshold[i],
            categories,
            left: child(left[i])?,
            right: child(right[i])?,
            leaf: None,
            cover: inner_cover[i],
            gain: gain[i],
        });
    }
    for l in 0..leaves {
        nodes.push(RawNode::leaf(leaf_value[l], leaf_cover[l]));
    }
    Ok(nodes)
}
