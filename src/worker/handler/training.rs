//! Training in the worker: the split (made here or sent by the page), each model or forest
//! share, the merge of a forest's shares, an auto-tuning trial and the report's protocol.

use super::*;

pub(super) fn prepare(
    id: RequestId,
    options: &train::TrainOptions,
    data_file: &str,
    corrections: &[Correction],
) {
    let result = STATE.with_borrow(|s| match &s.ingested {
        Some(d) => train::prepare(d, options, data_file)
            .and_then(|mut prep| {
                if !corrections.is_empty() {
                    train::add_corrections(&mut prep, corrections, CORRECTION_WEIGHT)?;
                }
                Ok(prep)
            })
            .map_err(Failure::from),
        None => Err(WorkError::NothingRead.into()),
    });
    match result {
        Ok(prep) => {
            let summary = SplitSummary {
                train_rows: prep.train_y.len(),
                test_rows: prep.test_y.len(),
                classes: prep.classes.clone(),
            };
            match encode(&prep) {
                Ok(bytes) => post(id, Response::Prepared(summary), vec![bytes]),
                Err(e) => fail(id, encode_failed(Encoded::Split, e)),
            }
        }
        Err(e) => fail(id, e),
    }
}

fn encode_failed(what: Encoded, e: postcard::Error) -> WorkError {
    WorkError::Encode {
        what,
        reason: e.to_string(),
    }
}

/// `value` in postcard, in a buffer of exactly its size: a growing buffer would take up to
/// twice the bytes at its last doubling (the split of a million rows is 75 MB).
fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, postcard::Error> {
    let size = postcard::experimental::serialized_size(value)?;
    postcard::to_extend(value, Vec::with_capacity(size))
}

/// A [`Request::PrepareProtocol`] once its file is read.
pub(super) struct ProtocolRun {
    pub(super) protocol: train::Protocol,
    pub(super) options: train::TrainOptions,
    pub(super) data_file: String,
}

impl ProtocolRun {
    pub(super) fn prepare(self, id: RequestId, read: Result<Ingested, IngestError>) {
        let data = match read {
            Ok(d) => d,
            Err(e) => return fail(id, e),
        };
        let prepared = self.protocol.prepare(&data, &self.options, &self.data_file);
        match prepared {
            Ok((prep, leakage)) => {
                let split = SplitSummary {
                    train_rows: prep.train_y.len(),
                    test_rows: prep.test_y.len(),
                    classes: prep.classes.clone(),
                };
                let msg = Response::ProtocolPrepared {
                    split,
                    leakage,
                    duplicates_dropped: data.report.duplicates_dropped,
                };
                match encode(&prep) {
                    Ok(bytes) => post(id, msg, vec![bytes]),
                    Err(e) => fail(id, encode_failed(Encoded::Split, e)),
                }
            }
            Err(e) => fail(id, e),
        }
    }
}

/// Decodes the split unless this worker already holds the one named `data_id` (the page then
/// sends an empty array in its place).
pub(super) fn load_data(data_id: u64, bytes: Option<&Vec<u8>>) -> Result<(), WorkError> {
    if STATE.with_borrow(|s| s.data.as_ref().is_some_and(|(d, _)| *d == data_id)) {
        return Ok(());
    }
    let bytes = bytes.filter(|b| !b.is_empty()).ok_or(WorkError::NoData)?;
    let prep: Prepared = postcard::from_bytes(bytes).map_err(|e| WorkError::UnreadableData {
        reason: e.to_string(),
    })?;
    STATE.with_borrow_mut(|s| {
        s.data = Some((data_id, prep));
        s.stages.clear();
    });
    Ok(())
}

/// Runs `f` with the split and the stage for `kind`, fitting the stage on first use.
fn with_stage<T>(
    kind: genre_core::model::ModelKind,
    f: impl FnOnce(&Prepared, &TrainingSet) -> T,
) -> Result<T, Failure> {
    let scaled = kind.needs_scaling();
    STATE.with_borrow_mut(|s| {
        let (_, prep) = s.data.as_ref().ok_or(WorkError::NoSplit)?;
        if !s.stages.iter().any(|(k, _)| *k == scaled) {
            let stage = train::build_training_set(prep, kind)?;
            s.stages.push((scaled, stage));
        }
        let stage = &s
            .stages
            .iter()
            .find(|(k, _)| *k == scaled)
            .expect("fitted")
            .1;
        Ok(f(prep, stage))
    })
}

fn progress_poster(id: RequestId) -> impl FnMut(Progress) {
    let mut last = 0.0;
    move |p: Progress| {
        let t = now();
        if t - last >= PROGRESS_EVERY_MS || p.done == p.total || p.stops_by == Some(p.done) {
            last = t;
            let msg = Response::Progress {
                done: p.done as u64,
                total: p.total as u64,
                stops_by: p.stops_by.map(|s| s as u64),
            };
            post(id, msg, Vec::new());
        }
    }
}

fn summary(
    model: &genre_core::model::TrainedModel,
    metrics: genre_core::metrics::Metrics,
    fit_ms: f64,
    prep: &Prepared,
) -> TrainedSummary {
    // Without corrections nothing is predicted: a batch of none would still pack the trees.
    let corrected = match prep.corrections.x.len() {
        0 => Vec::new(),
        _ => model.predict_batch(&prep.corrections.x),
    };
    let corrections = corrected
        .into_iter()
        .map(|p| CorrectionPrediction {
            genre: model.classes[p.class].clone(),
            probability: p.confidence(),
        })
        .collect();
    TrainedSummary {
        metrics,
        classes: model.classes.clone(),
        features: model.features().as_slice().to_vec(),
        importance: model.importance().map(<[f32]>::to_vec),
        fit_ms,
        corrections,
        settings: model.meta.settings.clone(),
    }
}

/// What one training request produced.
enum TrainOutput {
    Share(Box<train::TrainedShare>),
    Model(Box<genre_core::model::TrainedModel>, Box<TrainedSummary>),
}

pub(super) fn train_one(
    id: RequestId,
    spec: &train::ModelSpec,
    share: Option<std::ops::Range<usize>>,
    name: &str,
    trained_at: &str,
    note: &str,
) {
    let never = AtomicBool::new(false);
    let start = now();
    let mut progress = progress_poster(id);
    let result = with_stage(spec.kind(), |prep, stage| {
        super::warm_up::warm_up(stage, prep.classes.len(), spec);
        if let Some(trees) = share {
            let share = train::fit_share(prep, stage, spec, trees, &mut progress, &never)?;
            return Ok(TrainOutput::Share(Box::new(share)));
        }
        let n_classes = prep.classes.len();
        let est = train::fit_estimator(stage, n_classes, spec, None, &mut progress, &never)?;
        let (mut model, metrics) = train::finish(prep, stage, spec, est, name, trained_at);
        model.meta.settings.push_str(note);
        let summary = summary(&model, metrics, 0.0, prep);
        Ok::<_, Failure>(TrainOutput::Model(Box::new(model), Box::new(summary)))
    })
    .and_then(|r| r);
    let fit_ms = now() - start;
    match result {
        Err(e) => fail(id, e),
        Ok(TrainOutput::Share(est)) => match encode(&*est) {
            Ok(b) => post(id, Response::Share { fit_ms }, vec![b]),
            Err(e) => fail(id, encode_failed(Encoded::Trees, e)),
        },
        Ok(TrainOutput::Model(model, summary)) => {
            let bytes = model.to_bytes();
            let msg = Response::Trained(TrainedSummary { fit_ms, ..*summary });
            post(id, msg, vec![bytes]);
        }
    }
}

pub(super) fn finish_forest(
    id: RequestId,
    spec: &train::ModelSpec,
    parts: Vec<Vec<u8>>,
    name: &str,
    trained_at: &str,
    note: &str,
) {
    // Each share's bytes are freed as soon as it is decoded.
    let decoded: Result<Vec<train::TrainedShare>, WorkError> = parts
        .into_iter()
        .map(|b| {
            postcard::from_bytes(&b).map_err(|e| WorkError::UnreadableShare {
                reason: e.to_string(),
            })
        })
        .collect();
    let shares = match decoded {
        Ok(shares) if shares.is_empty() => return fail(id, WorkError::NoShare),
        Ok(shares) => shares,
        Err(e) => return fail(id, e),
    };
    let result = with_stage(spec.kind(), |prep, stage| {
        let (mut model, metrics) =
            train::finish_shares(prep, stage, spec, shares, name, trained_at).map_err(|e| {
                WorkError::UnreadableShare {
                    reason: e.to_string(),
                }
            })?;
        model.meta.settings.push_str(note);
        let summary = summary(&model, metrics, 0.0, prep);
        Ok::<_, Failure>((model, summary))
    })
    .and_then(|r| r);
    match result {
        Ok((model, summary)) => {
            let bytes = model.to_bytes();
            post(id, Response::Trained(summary), vec![bytes]);
        }
        Err(e) => fail(id, e),
    }
}

/// One auto-tuning trial on the split this worker holds. Cancelling terminates the worker, so
/// the core's flag stays unset here too.
pub(super) fn run_trial(id: RequestId, options: &genre_core::tune::TuneOptions, index: usize) {
    let start = now();
    let result = STATE.with_borrow(|s| match &s.data {
        Some((_, prep)) => {
            genre_core::tune::run_trial(prep, options, index, &AtomicBool::new(false))
                .map_err(Failure::from)
        }
        None => Err(WorkError::NoSplit.into()),
    });
    match result {
        Ok(trial) => post(
            id,
            Response::Scored {
                trial,
                fit_ms: now() - start,
            },
            Vec::new(),
        ),
        Err(e) => fail(id, e),
    }
}
