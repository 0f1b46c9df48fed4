//! The subcommands `train`, `eval`, `predict` and `split` (`bench` has its own module). Each
//! returns a `CliError` whose message names the file (and, through the core's errors, the row
//! and column).

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use genre_core::eda::summarize;
use genre_core::feature::{Feature, FeatureSet};
use genre_core::ingest::IngestOptions;
use genre_core::train::{prepare, prepare_two, ModelSpec, TrainOptions};
use serde::Serialize;

use crate::args::{models, EvalArgs, ProtocolChoice, SplitArgs, TrainArgs};
use crate::evaluate::{eval_row, parse_features, print_table, run_model, EvalRow};
use crate::io::{
    data_err, io_err, note_set_aside, read_data, read_model, training_read, write_file, CliError,
    Result,
};
use crate::report::per_genre;

#[derive(Serialize)]
struct Example {
    genre: String,
    name: String,
    row: u64,
    values: Vec<Option<f64>>,
}

#[derive(Serialize)]
struct Examples {
    features: Vec<&'static str>,
    tracks: Vec<Example>,
}

pub fn train(a: TrainArgs) -> Result<()> {
    let data = a
        .split
        .sampled(read_data(&a.data, &training_read(&a.label))?);
    let options = TrainOptions {
        features: parse_features(&a.features)?,
        test_fraction: a.split.test_fraction,
        seed: a.split.seed,
        ..TrainOptions::default()
    };
    let file_name = a.data.file_name().map_or_else(
        || a.data.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    note_set_aside(&a.data, &data);
    let prep = prepare(&data, &options, &file_name).map_err(data_err(&a.data))?;
    eprintln!(
        "{}: {} rows kept ({} rejected, {} duplicates dropped), {} genres; train {} / holdout {}",
        a.data.display(),
        data.report.rows_kept,
        data.report.rows_rejected,
        data.report.duplicates_dropped,
        prep.classes.len(),
        prep.train_y.len(),
        prep.test_y.len()
    );
    let mut outcomes = Vec::new();
    for kind in models(&a.candidates) {
        let spec = ModelSpec::default_for(kind, a.split.seed);
        outcomes.push(run_model(&prep, &spec, &a.name, &a.trained_at, false)?);
    }
    print_table(&outcomes, &options.features);
    // Highest holdout accuracy wins; ties go to the earlier candidate.
    let best = outcomes
        .iter()
        .enumerate()
        .max_by(|(i, x), (j, y)| {
            x.metrics
                .accuracy
                .total_cmp(&y.metrics.accuracy)
                .then(j.cmp(i))
        })
        .map(|(_, o)| o)
        .ok_or_else(|| CliError::Usage("no candidate model given".into()))?;
    write_file(&a.out, &best.bytes)?;
    eprintln!(
        "saved {} ({} bytes, holdout accuracy {:.4}) to {}",
        best.model.meta.kind.label(),
        best.bytes.len(),
        best.metrics.accuracy,
        a.out.display()
    );

    if let Some(path) = a.forest_path() {
        crate::forest::write_bundled(&prep, a.split.seed, &a.trained_at, &path)?;
    }

    let eda = summarize(&data, a.split.seed);
    let json = serde_json::to_vec(&eda).expect("summaries serialise");
    write_file(&a.eda_path(), &json)?;

    // A few holdout tracks per genre (the first ones by row, not picked by the model's success).
    let mut tracks = Vec::new();
    let by_row: std::collections::HashMap<u64, &genre_core::ingest::Track> =
        data.tracks.iter().map(|t| (t.row, t)).collect();
    for (c, class) in prep.classes.iter().enumerate() {
        for (&row, _) in prep
            .test_rows
            .iter()
            .zip(&prep.test_y)
            .filter(|(_, &y)| y == c)
            .take(4)
        {
            let t = by_row[&row];
            tracks.push(Example {
                genre: class.clone(),
                name: t.name.clone().unwrap_or_default(),
                row,
                values: t
                    .values
                    .iter()
                    .map(|&v| (!v.is_nan()).then_some(v))
                    .collect(),
            });
        }
    }
    let examples = Examples {
        features: Feature::ALL.iter().map(|f| f.name()).collect(),
        tracks,
    };
    write_file(
        &a.examples_path(),
        &serde_json::to_vec(&examples).expect("examples serialise"),
    )?;
    eprintln!(
        "wrote {} and {}",
        a.eda_path().display(),
        a.examples_path().display()
    );
    Ok(())
}

#[derive(Serialize)]
struct EvalJson<'a> {
    models: Vec<EvalRow<'a>>,
}

pub fn eval(a: EvalArgs) -> Result<()> {
    if a.protocol == ProtocolChoice::Report {
        return crate::protocols::compare(&a);
    }
    let options = TrainOptions {
        features: parse_features(&a.features)?,
        cap_outliers: !a.no_cap,
        balance: a.balance.into(),
        test_fraction: a.split.test_fraction,
        seed: a.split.seed,
    };
    let prep = match (&a.data, &a.train, &a.test) {
        (Some(d), _, _) => {
            let data = a.split.sampled(read_data(d, &training_read(&a.label))?);
            note_set_aside(d, &data);
            prepare(&data, &options, &d.display().to_string()).map_err(data_err(d))?
        }
        (None, Some(_), Some(_)) if a.split.sample.is_some() => {
            return Err(CliError::Usage(
                "--sample samples --data; with --train and --test, sample the files instead".into(),
            ))
        }
        (None, Some(tr), Some(te)) => {
            let train = read_data(tr, &training_read(&a.label))?;
            let test = read_data(te, &training_read(&a.label))?;
            let (prep, unknown) = prepare_two(&train, &test, &options, &tr.display().to_string())
                .map_err(data_err(tr))?;
            if unknown > 0 {
                eprintln!(
                    "{}: {unknown} test rows have a genre the training file does not have; they are left out",
                    te.display()
                );
            }
            prep
        }
        _ => {
            return Err(CliError::Usage(
                "give --data, or both --train and --test".into(),
            ))
        }
    };
    let mut outcomes = Vec::new();
    for kind in models(&a.model) {
        let mut spec = ModelSpec::default_for(kind, a.split.seed);
        if let (Some(n), ModelSpec::Forest(p)) = (a.trees, &mut spec) {
            *p = p.clone().n_trees(n);
        }
        if let (Some(n), ModelSpec::Boost(p)) = (a.rounds, &mut spec) {
            *p = p.clone().max_rounds(n);
        }
        outcomes.push(run_model(&prep, &spec, "evaluated model", "", a.json)?);
    }
    if a.json {
        let models = outcomes
            .iter()
            .map(|o| eval_row(o, &options.features))
            .collect();
        println!(
            "{}",
            serde_json::to_string(&EvalJson { models }).expect("serialises")
        );
    } else {
        print_table(&outcomes, &options.features);
        // One model: its genres and its mistakes too (a row per genre, the top confusions).
        if let [one] = outcomes.as_slice() {
            println!("{}", per_genre(&one.model.classes, &one.metrics));
        }
    }
    Ok(())
}

pub fn predict(model_path: &Path, input: &Path, output: &Path, probabilities: bool) -> Result<()> {
    let model = read_model(model_path)?;
    let data = read_data(input, &IngestOptions::for_prediction())?;
    model
        .check_input(&data.present)
        .map_err(|source| CliError::Model {
            path: model_path.display().to_string(),
            source,
        })?;
    let file = File::create(output).map_err(io_err(output))?;
    let mut w = csv::Writer::from_writer(BufWriter::new(file));
    let mut header = vec![
        "row".to_string(),
        "name".into(),
        "predicted_genre".into(),
        "confidence".into(),
    ];
    for i in 2..=3 {
        header.push(format!("top{i}_genre"));
        header.push(format!("top{i}_confidence"));
    }
    header.push("warning".into());
    if probabilities {
        header.extend(model.classes.iter().map(|c| format!("p_{c}")));
    }
    let werr = |e: csv::Error| CliError::Io {
        path: output.display().to_string(),
        message: e.to_string(),
    };
    w.write_record(&header).map_err(werr)?;
    let mut flagged = 0;
    let raws = model.raw_rows(&data.tracks);
    let predictions = model.predict_batch(&raws);
    for ((t, raw), p) in data.tracks.iter().zip(&raws).zip(&predictions) {
        let raw = raw.as_slice();
        let top = p.top(3);
        let far: Vec<String> = model
            .out_of_range(raw)
            .into_iter()
            .filter(|&(_, d)| d > 0.5)
            .map(|(f, _)| f.name().to_string())
            .collect();
        if !far.is_empty() {
            flagged += 1;
        }
        let mut rec = vec![
            t.row.to_string(),
            t.name.clone().unwrap_or_default(),
            model.classes[p.class].clone(),
            format!("{:.4}", p.confidence()),
        ];
        for &(c, pr) in &top[1..] {
            rec.push(model.classes[c].clone());
            rec.push(format!("{pr:.4}"));
        }
        rec.push(if far.is_empty() {
            String::new()
        } else {
            format!("far outside the training range: {}", far.join(", "))
        });
        if probabilities {
            // The shortest text that reads back to the same f32: for comparisons with other tools.
            rec.extend(p.probabilities.iter().map(|v| v.to_string()));
        }
        w.write_record(&rec).map_err(werr)?;
    }
    w.flush().map_err(io_err(output))?;
    eprintln!(
        "{}: predicted {} rows ({} rejected{}) into {}",
        input.display(),
        data.tracks.len(),
        data.report.rows_rejected,
        if flagged > 0 {
            format!(", {flagged} flagged as far outside the training range")
        } else {
            String::new()
        },
        output.display()
    );
    for r in data.report.rejections.iter().take(5) {
        eprintln!("  rejected {r}");
    }
    Ok(())
}

pub fn split(
    data_path: &Path,
    out_dir: &Path,
    split: &SplitArgs,
    label: &Option<String>,
) -> Result<()> {
    let data = split.sampled(read_data(data_path, &training_read(label))?);
    let options = TrainOptions {
        features: FeatureSet::all(),
        test_fraction: split.test_fraction,
        seed: split.seed,
        ..TrainOptions::default()
    };
    let prep = prepare(&data, &options, "").map_err(data_err(data_path))?;
    let test: std::collections::HashSet<u64> = prep.test_rows.iter().copied().collect();
    std::fs::create_dir_all(out_dir).map_err(io_err(out_dir))?;
    // Each file is written under a temporary name and renamed into place, train.csv first: a
    // reader that finds test.csv (the e2e harness checks for it) finds both files complete.
    for (file, want_test) in [("train.csv", false), ("test.csv", true)] {
        let path = out_dir.join(file);
        let partial = out_dir.join(format!("{file}.partial"));
        let out = File::create(&partial).map_err(io_err(&partial))?;
        let mut w = csv::Writer::from_writer(BufWriter::new(out));
        let werr = |e: csv::Error| CliError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let mut header: Vec<&str> = Feature::ALL.iter().map(|f| f.name()).collect();
        header.extend(["genre", "song_name", "source_row"]);
        w.write_record(&header).map_err(werr)?;
        let mut n = 0;
        for t in data
            .tracks
            .iter()
            .filter(|t| t.label.is_some() && test.contains(&t.row) == want_test)
        {
            let mut rec: Vec<String> = t
                .values
                .iter()
                .map(|v| {
                    if v.is_nan() {
                        String::new()
                    } else {
                        v.to_string()
                    }
                })
                .collect();
            rec.push(data.classes[t.label.expect("filtered") as usize].clone());
            rec.push(t.name.clone().unwrap_or_default());
            rec.push(t.row.to_string());
            w.write_record(&rec).map_err(werr)?;
            n += 1;
        }
        w.flush().map_err(io_err(&partial))?;
        drop(w);
        std::fs::rename(&partial, &path).map_err(io_err(&path))?;
        eprintln!("wrote {n} rows to {}", path.display());
    }
    Ok(())
}
