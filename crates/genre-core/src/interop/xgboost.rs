//! XGBoost's JSON model (`save_model("model.json")`, schema `doc/model.schema`):
//! `learner.learner_model_param` (`base_score`, `num_class`, `num_feature`, `num_target`),
//! `learner.objective.name`, `learner.feature_names`, and `learner.gradient_booster`: `gbtree`
//! (`model.trees`, `model.tree_info`: the class each tree adds to) or `dart` (the same under
//! `gbtree`, plus `weight_drop`, one factor per tree).
//!
//! A tree is arrays over its nodes: `left_children` (-1 at a leaf), `right_children`,
//! `split_indices`, `split_conditions` (the threshold, or the leaf's value at a leaf),
//! `default_left`, `split_type` (1 = categorical), the categorical nodes' categories
//! (`categories_nodes`, `_segments`, `_sizes` into `categories`), `sum_hessian`, `loss_changes`.
//!
//! `base_score` is stored in probability space, one value or one per class (`[a,b,…]`); the
//! margin a sum starts from is the objective's `ProbToMargin` of it: the value itself for the
//! softmax objectives, its logit for `binary:logistic`.

use serde_json::Value;

use super::{ForeignModel, RawNode};
use crate::error::ImportError;
use crate::tree::imported::{Library, Link, CATEGORICAL, DEFAULT_LEFT};

fn bad(what: impl Into<String>) -> ImportError {
    ImportError::Malformed {
        library: "XGBoost JSON model".into(),
        what: what.into(),
    }
}

fn field<'a>(v: &'a Value, path: &[&str]) -> Result<&'a Value, ImportError> {
    let mut cur = v;
    for (i, key) in path.iter().enumerate() {
        cur = cur
            .get(key)
            .ok_or_else(|| bad(format!("it has no `{}`", path[..=i].join("."))))?;
    }
    Ok(cur)
}

/// A number the file may write as a JSON number or as a string (`"5E-1"`).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => super::parse_f64(s),
        Value::Bool(b) => Some(*b as u8 as f64),
        _ => None,
    }
}

fn count(v: &Value, name: &str) -> Result<usize, ImportError> {
    number(v)
        .filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n < 1e9)
        .map(|n| n as usize)
        .ok_or_else(|| bad(format!("`{name}` is not a count")))
}

fn array<'a>(v: &'a Value, name: &str) -> Result<&'a Vec<Value>, ImportError> {
    v.as_array()
        .ok_or_else(|| bad(format!("`{name}` is not a list")))
}

fn numbers(tree: &Value, key: &str, t: usize) -> Result<Vec<f64>, ImportError> {
    let Some(v) = tree.get(key) else {
        return Err(bad(format!("tree {t} has no `{key}`")));
    };
    array(v, key)?
        .iter()
        .map(|x| number(x).ok_or_else(|| bad(format!("tree {t}: `{key}` holds a non-number"))))
        .collect()
}

/// Like [`numbers`], but an absent list (older versions) is empty.
fn numbers_or_empty(tree: &Value, key: &str, t: usize) -> Result<Vec<f64>, ImportError> {
    if tree.get(key).is_none() {
        return Ok(Vec::new());
    }
    numbers(tree, key, t)
}

pub(crate) fn parse(text: &str) -> Result<ForeignModel, ImportError> {
    let root: Value =
        serde_json::from_str(text).map_err(|e| bad(format!("the JSON does not parse ({e})")))?;
    let learner = field(&root, &["learner"])?;
    let version = match root.get("version").and_then(Value::as_array) {
        Some(v) => v
            .iter()
            .map(|p| p.as_u64().map(|n| n.to_string()).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("."),
        None => String::new(),
    };
    let param = field(learner, &["learner_model_param"])?;
    let columns = count(field(param, &["num_feature"])?, "num_feature")?;
    let num_class = match param.get("num_class") {
        Some(v) => count(v, "num_class")?,
        None => 0,
    };
    if let Some(v) = param.get("num_target") {
        let targets = count(v, "num_target")?;
        if targets > 1 {
            return Err(ImportError::MultiTarget { targets });
        }
    }
    let objective = field(learner, &["objective", "name"])?
        .as_str()
        .ok_or_else(|| bad("`objective.name` is not text"))?
        .to_string();
    let (link, n_classes, n_scores) = match objective.as_str() {
        "multi:softprob" | "multi:softmax" => (Link::Softmax, num_class, num_class),
        "binary:logistic" => (Link::Binary { sigmoid: 1.0 }, 2, 1),
        other => {
            return Err(ImportError::UnsupportedObjective {
                library: "XGBoost".into(),
                objective: other.to_string(),
                supported: "`multi:softprob`, `multi:softmax`, `binary:logistic`".into(),
            })
        }
    };
    if !(2..=65_535).contains(&n_classes) {
        return Err(bad(format!("num_class={num_class} for `{objective}`")));
    }

    // base_score: "5E-1" or "[a,b,…]", in probability space.
    let base_text = match field(param, &["base_score"])? {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let base_values: Vec<f32> = base_text
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|s| s.trim().parse::<f32>().ok())
        .collect::<Option<Vec<f32>>>()
        .ok_or_else(|| {
            bad(format!(
                "base_score `{base_text}` is not a number or a list"
            ))
        })?;
    let base_values = match base_values.len() {
        1 => vec![base_values[0]; n_scores],
        n if n == n_scores => base_values,
        n => return Err(bad(format!("{n} base scores for {n_scores} outputs"))),
    };
    let base_score: Vec<f64> = base_values
        .iter()
        .map(|&b| match link {
            // binary:logistic's ProbToMargin: the logit, in f32 as XGBoost computes it.
            Link::Binary { .. } => (-(1.0f32 / b - 1.0).ln()) as f64,
            _ => b as f64,
        })
        .collect();
    if base_score.iter().any(|b| !b.is_finite()) {
        return Err(bad(format!(
            "base_score `{base_text}` has no finite margin"
        )));
    }

    let booster = field(learner, &["gradient_booster"])?;
    let name = field(booster, &["name"])?.as_str().unwrap_or("");
    let (model, weights) = match name {
        "gbtree" => (field(booster, &["model"])?, None),
        "dart" => {
            let model = field(booster, &["gbtree", "model"])?;
            let Some(w) = booster.get("weight_drop").and_then(Value::as_array) else {
                return Err(ImportError::DartWithoutWeights);
            };
            let w = w
                .iter()
                .map(number)
                .collect::<Option<Vec<f64>>>()
                .ok_or_else(|| bad("`weight_drop` holds a non-number"))?;
            (model, Some(w))
        }
        "gblinear" => return Err(ImportError::LinearBooster),
        other => return Err(bad(format!("unknown booster `{other}`"))),
    };
    if let Some(enc) = model.get("cats").and_then(|c| c.get("enc")) {
        if enc.as_array().is_some_and(|e| !e.is_empty()) {
            return Err(ImportError::NamedCategories);
        }
    }
    let trees_json = array(field(model, &["trees"])?, "trees")?;
    let tree_info = array(field(model, &["tree_info"])?, "tree_info")?;
    if tree_info.len() != trees_json.len() {
        return Err(bad(format!(
            "{} trees but {} entries in tree_info",
            trees_json.len(),
            tree_info.len()
        )));
    }
    if let Some(w) = &weights {
        if w.len() != trees_json.len() {
            return Err(ImportError::DartWithoutWeights);
        }
    }
    let mut trees = Vec::with_capacity(trees_json.len());
    let mut tree_score = Vec::with_capacity(trees_json.len());
    for (t, (tree, info)) in trees_json.iter().zip(tree_info).enumerate() {
        let class = count(info, "tree_info")?;
        if class >= n_scores {
            return Err(bad(format!("tree {t} is for output {class} of {n_scores}")));
        }
        tree_score.push(class as u16);
        let weight = weights.as_ref().map_or(1.0, |w| w[t]);
        trees.push(parse_tree(tree, t, columns, weight)?);
    }

    let feature_names: Vec<String> = match learner.get("feature_names").and_then(Value::as_array) {
        Some(names) if !names.is_empty() => names
            .iter()
            .map(|n| n.as_str().unwrap_or("").to_string())
            .collect(),
        _ => (0..columns).map(|c| format!("f{c}")).collect(),
    };
    if feature_names.len() != columns {
        return Err(bad(format!(
            "{} feature names for {columns} features",
            feature_names.len()
        )));
    }
    let placeholder_names = feature_names
        .iter()
        .enumerate()
        .all(|(c, n)| *n == format!("f{c}"));
    Ok(ForeignModel {
        library: Library::XgBoost,
        objective,
        version,
        n_classes,
        feature_names,
        placeholder_names,
        column_ranges: vec![None; columns],
        link,
        trees,
        tree_score,
        base_score,
        average: false,
    })
}

fn parse_tree(
    tree: &Value,
    t: usize,
    columns: usize,
    weight: f64,
) -> Result<Vec<RawNode>, ImportError> {
    if let Some(size) = tree
        .get("tree_param")
        .and_then(|p| p.get("size_leaf_vector"))
    {
        let size = count(size, "size_leaf_vector")?;
        if size > 1 {
            return Err(ImportError::VectorLeaves { size });
        }
    }
    let left = numbers(tree, "left_children", t)?;
    let n = left.len();
    let right = numbers(tree, "right_children", t)?;
    let index = numbers(tree, "split_indices", t)?;
    let cond = numbers(tree, "split_conditions", t)?;
    let default_left = numbers(tree, "default_left", t)?;
    let mut split_type = numbers_or_empty(tree, "split_type", t)?;
    if split_type.is_empty() {
        split_type = vec![0.0; n];
    }
    let mut hessian = numbers_or_empty(tree, "sum_hessian", t)?;
    if hessian.is_empty() {
        hessian = vec![1.0; n];
    }
    let mut gain = numbers_or_empty(tree, "loss_changes", t)?;
    if gain.is_empty() {
        gain = vec![0.0; n];
    }
    for (name, len) in [
        ("right_children", right.len()),
        ("split_indices", index.len()),
        ("split_conditions", cond.len()),
        ("default_left", default_left.len()),
        ("split_type", split_type.len()),
        ("sum_hessian", hessian.len()),
        ("loss_changes", gain.len()),
    ] {
        if len != n {
            return Err(bad(format!("tree {t}: {len} `{name}` for {n} nodes")));
        }
    }
    if n == 0 {
        return Err(bad(format!("tree {t} has no nodes")));
    }
    // Categorical nodes: their categories, from the segments of `categories`.
    let cat_nodes = numbers_or_empty(tree, "categories_nodes", t)?;
    let cat_segments = numbers_or_empty(tree, "categories_segments", t)?;
    let cat_sizes = numbers_or_empty(tree, "categories_sizes", t)?;
    let categories = numbers_or_empty(tree, "categories", t)?;
    if cat_segments.len() != cat_nodes.len() || cat_sizes.len() != cat_nodes.len() {
        return Err(bad(format!(
            "tree {t}: the category lists differ in length"
        )));
    }
    let mut sets: Vec<Option<Vec<u32>>> = vec![None; n];
    for ((&node, &start), &size) in cat_nodes.iter().zip(&cat_segments).zip(&cat_sizes) {
        let (node, start, size) = (node as usize, start as usize, size as usize);
        if node >= n || start > categories.len() || size > categories.len() - start {
            return Err(bad(format!("tree {t}: a category segment is out of range")));
        }
        let mut set: Vec<u32> = categories[start..start + size]
            .iter()
            .map(|&c| c as u32)
            .collect();
        set.sort_unstable();
        set.dedup();
        sets[node] = Some(set);
    }
    let child = |c: f64| -> Result<usize, ImportError> {
        if c >= 0.0 && (c as usize) < n && c.fract() == 0.0 {
            Ok(c as usize)
        } else {
            Err(bad(format!(
                "tree {t}: child {c} is not one of its {n} nodes"
            )))
        }
    };
    let mut nodes = Vec::with_capacity(n);
    for i in 0..n {
        if left[i] < 0.0 {
            nodes.push(RawNode::leaf(cond[i] as f32 as f64 * weight, hessian[i]));
            continue;
        }
        let column = index[i];
        if !(column >= 0.0 && (column as usize) < columns) {
            return Err(bad(format!(
                "tree {t} splits on feature {column} of {columns}"
            )));
        }
        let mut flags = if default_left[i] != 0.0 {
            DEFAULT_LEFT
        } else {
            0
        };
        let mut node_categories = Vec::new();
        if split_type[i] == 1.0 {
            flags |= CATEGORICAL;
            node_categories = sets[i]
                .take()
                .ok_or_else(|| bad(format!("tree {t}: categorical node {i} has no categories")))?;
        }
        nodes.push(RawNode {
            column: column as u32,
            flags,
            // XGBoost's thresholds are f32.
            threshold: cond[i] as f32 as f64,
            categories: node_categories,
            left: child(left[i])?,
            right: child(right[i])?,
            leaf: None,
            cover: hessian[i],
            gain: gain[i],
        });
    }
    Ok(nodes)
}
