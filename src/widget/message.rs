//! The widget's postMessage protocol, as pure functions over JSON (tested natively).
//!
//! Host → widget: `{type: "predict", id?, features: {energy: 0.8, tempo: 120, ...}}`.
//! Widget → host: `{type: "prediction", id?, source, genre, genreName, confidence, probabilities:
//! {genre: p}, top: [{genre, name, probability}], features: {...}, outOfRange: [...]}` (`genre` is
//! the model's label as the data has it, `genreName` and `name` the label as the widget shows it), `{type: "error", id?,
//! message}`, and `{type: "ready", model, features, genres}` once the model is loaded.
//!
//! Everything from the host is untrusted: the shape, the types, finiteness and sizes are checked
//! and any problem becomes an `error` reply naming it, never a panic.

use genre_core::feature::Feature;
use genre_core::genre::display_name;
use genre_core::model::{Prediction, TrainedModel};
use serde_json::{json, Map, Value};

/// Largest accepted message (its JSON text); a real request is a few hundred bytes.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// Most entries in `features` (the model has at most 13; room for harmless typos is not needed).
pub const MAX_FEATURES: usize = 32;
/// Longest accepted string `id`.
pub const MAX_ID_CHARS: usize = 128;

/// What to do with one incoming message.
#[derive(Debug, PartialEq)]
pub enum Incoming {
    /// A valid request: values in the model's feature order, NaN where the host gave none (the
    /// model imputes the training median, as for a missing cell in a CSV).
    Predict {
        id: Option<Value>,
        values: Vec<f64>,
    },
    /// One of the widget's own message types (another widget's echo): ignored, so two widgets
    /// wired to each other cannot ping-pong errors forever.
    Ignore,
    Reject {
        id: Option<Value>,
        message: String,
    },
}

fn reject(id: Option<Value>, message: impl Into<String>) -> Incoming {
    Incoming::Reject {
        id,
        message: message.into(),
    }
}

/// Validates a message given as JSON text (the page serialises `event.data` first, which also
/// bounds its size) against the model's features.
pub fn parse(json_text: &str, model_features: &[Feature]) -> Incoming {
    if json_text.len() > MAX_MESSAGE_BYTES {
        return reject(
            None,
            format!("message too large: at most {MAX_MESSAGE_BYTES} bytes of JSON"),
        );
    }
    let Ok(value) = serde_json::from_str::<Value>(json_text) else {
        return reject(None, "message is not plain JSON data");
    };
    let Value::Object(obj) = value else {
        return reject(
            None,
            "message must be an object like {type: \"predict\", features: {energy: 0.8}}",
        );
    };
    let id = match obj.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= MAX_ID_CHARS => {
            Some(Value::String(s.clone()))
        }
        Some(Value::Number(n)) => Some(Value::Number(n.clone())),
        Some(_) => {
            return reject(
                None,
                format!("id must be a number or a string of at most {MAX_ID_CHARS} characters"),
            )
        }
    };
    match obj.get("type").and_then(Value::as_str) {
        Some("predict") => {}
        Some("prediction" | "error" | "ready") => return Incoming::Ignore,
        Some(other) => {
            return reject(
                id,
                format!(
                    "unknown message type \"{}\" (expected \"predict\")",
                    short(other)
                ),
            )
        }
        None => return reject(id, "message has no string \"type\" (expected \"predict\")"),
    }
    let features = match obj.get("features") {
        Some(Value::Object(f)) => f,
        _ => {
            return reject(
                id,
                "\"features\" must be an object like {energy: 0.8, tempo: 120}",
            )
        }
    };
    if features.is_empty() {
        return reject(id, "\"features\" is empty: give at least one feature");
    }
    if features.len() > MAX_FEATURES {
        return reject(
            id,
            format!("\"features\" has more than {MAX_FEATURES} entries"),
        );
    }
    let mut values = vec![f64::NAN; model_features.len()];
    for (name, v) in features {
        let Some(j) = model_features.iter().position(|f| f.name() == name) else {
            let known: Vec<&str> = model_features.iter().map(|f| f.name()).collect();
            return reject(
                id,
                format!(
                    "unknown feature \"{}\" (this model uses: {})",
                    short(name),
                    known.join(", ")
                ),
            );
        };
        match v.as_f64() {
            Some(x) if x.is_finite() => values[j] = x,
            _ => return reject(id, format!("feature \"{name}\" must be a finite number")),
        }
    }
    Incoming::Predict { id, values }
}

fn short(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        s.chars().take(MAX).chain(['…']).collect()
    }
}

/// Where a prediction came from: a host's request or the widget's own user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Host,
    User,
}

/// The `prediction` message for `values` (model order, NaN = imputed) and its prediction.
pub fn prediction(
    id: Option<Value>,
    source: Source,
    model: &TrainedModel,
    values: &[f64],
    p: &Prediction,
) -> Value {
    let features = model.features().as_slice();
    let mut probabilities = Map::new();
    for (c, &q) in p.probabilities.iter().enumerate() {
        probabilities.insert(model.classes[c].clone(), json!(q as f64));
    }
    let top: Vec<Value> = p
        .top(3)
        .into_iter()
        .map(|(c, q)| {
            json!({"genre": model.classes[c], "name": display_name(&model.classes[c]), "probability": q as f64})
        })
        .collect();
    let mut given = Map::new();
    for (f, &v) in features.iter().zip(values) {
        // null: not given, the model used its training median.
        given.insert(
            f.name().to_string(),
            if v.is_finite() { json!(v) } else { Value::Null },
        );
    }
    let out_of_range: Vec<&str> = model
        .out_of_range(values)
        .into_iter()
        .map(|(f, _)| f.name())
        .collect();
    let mut msg = json!({
        "type": "prediction",
        "source": match source { Source::Host => "host", Source::User => "user" },
        "genre": model.classes[p.class],
        "genreName": display_name(&model.classes[p.class]),
        "confidence": p.confidence() as f64,
        "probabilities": probabilities,
        "top": top,
        "features": given,
        "outOfRange": out_of_range,
    });
    if let Some(id) = id {
        msg["id"] = id;
    }
    msg
}

pub fn error(id: Option<Value>, message: &str) -> Value {
    let mut msg = json!({"type": "error", "message": message});
    if let Some(id) = id {
        msg["id"] = id;
    }
    msg
}

/// Sent to the parent once the model is loaded: what it can be asked about.
pub fn ready(model: &TrainedModel) -> Value {
    json!({
        "type": "ready",
        "model": model.meta.name,
        "features": model.features().names(),
        "genres": model.classes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NINE: [Feature; 3] = [Feature::Energy, Feature::Tempo, Feature::Valence];

    fn rejected(json: &str) -> String {
        match parse(json, &NINE) {
            Incoming::Reject { message, .. } => message,
            other => panic!("{json} was not rejected: {other:?}"),
        }
    }

    #[test]
    fn accepts_a_request_and_marks_missing_features() {
        let r = parse(
            r#"{"type":"predict","id":"a1","features":{"tempo":120,"energy":0.8}}"#,
            &NINE,
        );
        let Incoming::Predict { id, values } = r else {
            panic!("{r:?}")
        };
        assert_eq!(id, Some(json!("a1")));
        assert_eq!(values[0], 0.8);
        assert_eq!(values[1], 120.0);
        assert!(values[2].is_nan());
    }

    #[test]
    fn rejects_bad_shapes_with_a_reason() {
        assert!(rejected("42").contains("object"));
        assert!(rejected(r#""predict""#).contains("object"));
        assert!(rejected("{not json").contains("JSON"));
        assert!(rejected(r#"{"features":{}}"#).contains("type"));
        assert!(rejected(r#"{"type":"hello"}"#).contains("unknown message type"));
        assert!(rejected(r#"{"type":"predict"}"#).contains("features"));
        assert!(rejected(r#"{"type":"predict","features":[1]}"#).contains("features"));
        assert!(rejected(r#"{"type":"predict","features":{}}"#).contains("empty"));
        assert!(rejected(r#"{"type":"predict","features":{"energy":"0.8"}}"#).contains("finite"));
        assert!(rejected(r#"{"type":"predict","features":{"energy":null}}"#).contains("energy"));
        let unknown = rejected(r#"{"type":"predict","features":{"<b>x</b>":1}}"#);
        assert!(unknown.contains("unknown feature") && unknown.contains("tempo"));
        assert!(rejected(r#"{"type":"predict","id":{},"features":{"energy":1}}"#).contains("id"));
        let big = format!(
            r#"{{"type":"predict","pad":"{}"}}"#,
            "x".repeat(MAX_MESSAGE_BYTES)
        );
        assert!(rejected(&big).contains("too large"));
        let many: Vec<String> = (0..40).map(|i| format!(r#""f{i}":1"#)).collect();
        let many = format!(r#"{{"type":"predict","features":{{{}}}}}"#, many.join(","));
        assert!(rejected(&many).contains("more than"));
    }

    #[test]
    fn keeps_the_id_on_errors_and_ignores_its_own_kinds() {
        let r = parse(
            r#"{"type":"predict","id":7,"features":{"energy":1e999}}"#,
            &NINE,
        );
        // 1e999 does not even parse as a finite JSON number.
        assert!(matches!(r, Incoming::Reject { .. }));
        let r = parse(
            r#"{"type":"predict","id":7,"features":{"tempo":true}}"#,
            &NINE,
        );
        assert!(matches!(r, Incoming::Reject { id: Some(ref v), .. } if v == &json!(7)));
        assert_eq!(
            parse(r#"{"type":"prediction","genre":"x"}"#, &NINE),
            Incoming::Ignore
        );
        assert_eq!(parse(r#"{"type":"error"}"#, &NINE), Incoming::Ignore);
    }

    #[test]
    fn error_message_shape() {
        assert_eq!(
            error(Some(json!("q")), "bad"),
            json!({"type": "error", "id": "q", "message": "bad"})
        );
        assert_eq!(
            error(None, "bad"),
            json!({"type": "error", "message": "bad"})
        );
    }
}
