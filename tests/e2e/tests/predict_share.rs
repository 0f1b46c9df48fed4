//! The Predict page's shareable link and its second bundled model: a copied link
//! opened in a fresh browser profile shows the same values and probabilities; an invalid value
//! in a link is shown at its field; edits add no history entries; the random forest is fetched
//! only when chosen and predicts exactly as the core does natively; the widget runs it with
//! `model=forest` (and never downloads `model.bin` then); the navigation's Predict link keeps a
//! shared prediction; the example picker keeps its genre across models. Screenshots of the page with the forest chosen at 1280 and 390 px.

use genre_core::feature::Feature;
use genre_core::genre::display_name;
use genre_core::model::TrainedModel;
use genre_lens_e2e::{
    complete_examples, dist_dir, native_forest, native_model, percent, with_browser, with_phone,
    Browser, Result, StaticServer,
};
use serde_json::json;

mod support;

/// The probability chart as shown: each bar's label and exact value (`data-value`), in order.
async fn bars(b: &Browser) -> Result<Vec<(String, String)>> {
    b.js_as(
        "return [...document.querySelectorAll('.bar-chart g')].map((g) => [
            g.querySelector('.bar-label').textContent.trim(),
            g.querySelector('.bar').getAttribute('data-value')]);",
    )
    .await
}

/// What the Predict page shows of the chosen model: About's name and accuracy line, the
/// probability chart, the link (`location.hash`) and whether the forest is the checked choice.
#[derive(Debug)]
struct Shown {
    name: Option<String>,
    about: String,
    bars: Vec<(String, String)>,
    hash: String,
    forest_checked: bool,
}

async fn model_shown(b: &Browser) -> Result<Shown> {
    Ok(Shown {
        name: b.text("#about-name").await?,
        about: b.text("#about-accuracy").await?.unwrap_or_default(),
        bars: bars(b).await?,
        hash: b.js_as("return location.hash;").await?,
        forest_checked: b
            .js_as("return document.getElementById('model-forest').checked;")
            .await?,
    })
}

/// What the chart must show for `row`: every genre by display name, most probable first (ties
/// in class order), each probability as the page writes an `f32`.
fn expected_bars(model: &TrainedModel, row: &[f64]) -> Vec<(String, String)> {
    let p = model.predict_raw(row).probabilities;
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(a.cmp(&b)));
    order
        .into_iter()
        .map(|c| (display_name(&model.classes[c]), p[c].to_string()))
        .collect()
}

/// Opens `url` in this browser and waits for the first prediction.
async fn open(b: &Browser, url: &str) -> Result<()> {
    b.goto_until(
        url,
        "const e = document.getElementById('top-genre'); return e ? e.textContent.trim() : '';",
        "the first prediction",
    )
    .await?;
    Ok(())
}

/// Types the values into the Predict page as a user does and waits until every field holds
/// them and the page has rendered.
async fn enter(b: &Browser, values: &[(Feature, f64)]) -> Result<()> {
    for &(f, v) in values {
        support::set_feature(b, "field-", f, v).await?;
    }
    let ids: Vec<String> = values
        .iter()
        .map(|(f, _)| format!("field-{}", f.name()))
        .collect();
    let want = as_typed(values);
    b.until(
        &format!(
            "{} const ids = {}; const want = {}; return ids.every((id, i) => read(id) === want[i]);",
            support::READ_FIELD,
            json!(ids),
            json!(want)
        ),
        "the typed values",
    )
    .await?;
    support::settle(b).await?;
    Ok(())
}

/// A complete example track of a genre, as (feature, value) in the model's feature order.
fn track(model: &TrainedModel, genre: &str) -> Result<Vec<(Feature, f64)>> {
    let t = complete_examples()?
        .into_iter()
        .find(|t| t.genre == genre)
        .ok_or(format!("no complete {genre} example"))?;
    Ok(model
        .features()
        .as_slice()
        .iter()
        .map(|&f| (f, t.values[f.index()]))
        .collect())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copied_link_opens_the_same_prediction_in_a_fresh_profile() -> Result<()> {
    let model = native_model()?;
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let url = server.url();
    let features = model.features().as_slice().to_vec();
    let mut values = track(&model, "dnb")?;
    // Typed by hand, not an example's exact value: the link must carry what was typed.
    values[0].1 = 0.731;

    let mut first = None;
    with_browser(1280, 900, async |b| {
        open(b, &url).await?;
        let before: u64 = b.js_as("return history.length;").await?;
        enter(b, &values).await?;
        let after: u64 = b.js_as("return history.length;").await?;
        let hash: String = b.js_as("return location.hash;").await?;
        b.click_id("copy-link").await?;
        let link = b
            .until(
                "const e = document.getElementById('share-url'); return e ? e.value : '';",
                "the copied link",
            )
            .await?;
        let status = b.text("#share-status").await?.unwrap_or_default();
        println!("copy link: {status}");
        b.look("predict-share-1280").await?;
        let shown = bars(b).await?;
        let fields = support::read_fields(b, "field-", &features).await?;
        first = Some((before, after, hash, link, status, shown, fields));
        Ok(())
    })
    .await?;
    let (before, after, hash, link, status, shown, fields) = first.expect("ran");
    assert_eq!(before, after, "edits add no history entries");
    assert!(
        hash.starts_with("#/?") && hash.contains("energy=") && !hash.contains("model="),
        "the address follows the values: {hash}"
    );
    let link = link.as_str().unwrap_or_default().to_string();
    assert!(link.starts_with(&url) && link.contains("#/?"), "{link}");
    assert!(
        status.contains("copied") || status.contains("by hand"),
        "the copy says what happened: {status}"
    );
    let raw: Vec<f64> = values.iter().map(|&(_, v)| v).collect();
    assert_eq!(shown, expected_bars(&model, &raw), "the page's prediction");

    // A new browser session, with its own fresh profile: nothing in it but the link.
    let mut second = None;
    with_browser(1280, 900, async |b| {
        open(b, &link).await?;
        let fields = support::read_fields(b, "field-", &features).await?;
        second = Some((bars(b).await?, fields));
        Ok(())
    })
    .await?;
    let (shown_again, fields_again) = second.expect("ran");
    assert_eq!(fields_again, fields, "the link restores every field");
    assert_eq!(shown_again, shown, "and the same probabilities");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_values_in_a_link_are_shown_at_their_fields() -> Result<()> {
    let model = native_model()?;
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let link = format!(
        "{}#/?energy=abc&tempo=&danceability=0.5&utm_source=mail&duration_ms=3:05",
        server.url()
    );
    let mut seen = None;
    with_browser(1280, 900, async |b| {
        open(b, &link).await?;
        let read = support::read_fields(
            b,
            "field-",
            &[
                Feature::Energy,
                Feature::Tempo,
                Feature::Danceability,
                Feature::DurationMs,
            ],
        )
        .await?;
        let energy = b.text("#error-energy").await?;
        let tempo = b.text("#error-tempo").await?;
        let others: u64 = b
            .js_as("return document.querySelectorAll('.msg.error').length;")
            .await?;
        let stale = b.visible("#stale-note").await?;
        seen = Some((read, energy, tempo, others, stale, bars(b).await?));
        Ok(())
    })
    .await?;
    let (read, energy, tempo, errors, stale, shown) = seen.expect("ran");
    assert_eq!(
        read,
        ["abc", "", "0.5", "3:05"],
        "the link's texts, as given"
    );
    let energy = energy.ok_or("no message at energy")?;
    assert!(energy.contains("“abc” is not a number"), "{energy}");
    let tempo = tempo.ok_or("no message at tempo")?;
    assert!(tempo.contains("Enter a number"), "{tempo}");
    assert_eq!(errors, 2, "only the two invalid fields complain");
    assert!(stale, "the stale-prediction note is shown");
    // The invalid fields keep the training median; the valid ones are used.
    let features = model.features().as_slice();
    let mut row = model.preprocessor.medians.clone();
    let at = |f: Feature| {
        features
            .iter()
            .position(|&g| g == f)
            .expect("model feature")
    };
    row[at(Feature::Danceability)] = 0.5;
    row[at(Feature::DurationMs)] = 185_000.0;
    assert_eq!(shown, expected_bars(&model, &row));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_forest_is_fetched_only_when_chosen_and_predicts_like_the_core() -> Result<()> {
    let boosted = native_model()?;
    let forest = native_forest()?;
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let url = server.url();
    let values = track(&forest, "techno")?;
    let raw: Vec<f64> = values.iter().map(|&(_, v)| v).collect();
    let forest_metrics = forest
        .meta
        .holdout
        .clone()
        .ok_or("forest without metrics")?;

    let example_genre = boosted.classes[3].clone();
    assert!(forest.classes.contains(&example_genre), "{example_genre}");
    let (before, fields, boosted_shown, forest_shown, back, example_kept) =
        with_browser(1280, 900, async |b| {
            open(b, &url).await?;
            // The service worker's precache is part of a first load: wait for it too.
            b.until(
                "return navigator.serviceWorker.ready.then(() => true);",
                "the service worker",
            )
            .await?;
            let before_choice = server.requests();
            enter(b, &values).await?;
            let boosted_shown = model_shown(b).await?;
            // "Random example of": a genre other than the first, which the forest has too.
            b.choose("example-genre", &example_genre).await?;
            choose_bundled(b, "model-forest", "Bundled forest").await?;
            let example_kept = b
                .js_as::<String>("return document.getElementById('example-genre').value;")
                .await?;
            let fields = support::read_fields(
                b,
                "field-",
                &values.iter().map(|&(f, _)| f).collect::<Vec<_>>(),
            )
            .await?;
            let forest_shown = model_shown(b).await?;
            b.look("predict-forest-1280").await?;
            // Back to the boosted trees: the values stay.
            choose_bundled(b, "model-boosted", "Bundled model").await?;
            Ok((
                before_choice,
                fields,
                boosted_shown,
                forest_shown,
                model_shown(b).await?,
                example_kept,
            ))
        })
        .await?;
    assert_eq!(
        example_kept, example_genre,
        "the example picker keeps its genre when the model changes"
    );
    assert!(
        before.iter().any(|r| r.ends_with("model.bin")),
        "the boosted model was loaded: {before:?}"
    );
    assert!(
        !before.iter().any(|r| r.contains("forest.bin")),
        "forest.bin is not fetched (nor precached) before it is chosen: {before:?}"
    );
    let fetched = server
        .requests()
        .iter()
        .filter(|r| r.contains("forest.bin"))
        .count();
    assert_eq!(fetched, 1, "forest.bin fetched once, when chosen");
    assert_eq!(boosted_shown.name.as_deref(), Some("Bundled model"));
    assert_eq!(boosted_shown.bars, expected_bars(&boosted, &raw));
    let typed = as_typed(&values);
    assert_eq!(fields, typed, "switching models keeps the values");
    assert_eq!(
        forest_shown.bars,
        expected_bars(&forest, &raw),
        "the forest's prediction"
    );
    assert_ne!(forest_shown.bars, boosted_shown.bars, "a different model");
    let about = &forest_shown.about;
    assert!(
        about.contains(&percent(forest_metrics.accuracy))
            && about.contains(&forest_metrics.rows.to_string()),
        "About shows the forest's own holdout metrics: {about}"
    );
    let hash = &forest_shown.hash;
    assert!(
        forest_shown.forest_checked && hash.contains("model=forest"),
        "{hash}"
    );
    assert_eq!(back.bars, boosted_shown.bars);
    assert!(!back.hash.contains("model="), "{}", back.hash);

    // A link naming the forest opens with it, on a phone too.
    with_phone(390, 844, async |b| {
        open(b, &format!("{url}#/?energy=0.9&model=forest")).await?;
        b.until(
            "return document.getElementById('about-name')?.textContent === 'Bundled forest';",
            "the forest from the link",
        )
        .await?;
        b.look("predict-forest-390").await
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_widget_runs_the_forest_with_model_forest() -> Result<()> {
    let forest = native_forest()?;
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let values = track(&forest, "Hiphop")?;
    let raw: Vec<f64> = values.iter().map(|&(_, v)| v).collect();
    let native = forest.predict_raw(&raw);
    let mut seen = None;
    with_browser(800, 700, async |b| {
        b.open_widget(&format!("{}widget.html?model=forest&fields=all", server.url()))
            .await?;
        // The service worker's precache is part of a first load: wait for it too.
        b.until(
            "return navigator.serviceWorker.ready.then(() => true);",
            "the service worker",
        )
        .await?;
        for &(f, v) in &values {
            support::set_feature(b, "w-field-", f, v).await?;
        }
        support::settle(b).await?;
        let model_name = b.text(".w-model").await?;
        let genre = b.text("#w-genre").await?;
        let confidence = b.text("#w-confidence").await?;
        let top: Vec<String> = b
            .js_as("return [...document.querySelectorAll('#w-top li')].map((li) => li.textContent.trim());")
            .await?;
        seen = Some((model_name, genre, confidence, top));
        Ok(())
    })
    .await?;
    let (model_name, genre, confidence, top) = seen.expect("ran");
    assert_eq!(model_name.as_deref(), Some("Bundled forest"));
    assert_eq!(
        genre.as_deref(),
        Some(display_name(&forest.classes[native.class]).as_str())
    );
    assert_eq!(confidence, Some(percent(native.confidence())));
    let expected: Vec<String> = native
        .top(3)
        .into_iter()
        .map(|(c, p)| format!("{}{}", display_name(&forest.classes[c]), percent(p)))
        .collect();
    assert_eq!(top, expected);
    let requests = server.requests();
    assert!(
        requests.iter().any(|r| r.ends_with("forest.bin")),
        "the widget fetched forest.bin"
    );
    assert!(
        !requests.iter().any(|r| r.ends_with("/model.bin")),
        "model.bin is neither fetched nor precached for model=forest: {requests:?}"
    );
    Ok(())
}

/// A prediction opened from a shared link, then Train, then the navigation's Predict link: the
/// link's values are back (across the hand-over from the first app to the whole site, and
/// again within it).
#[tokio::test(flavor = "multi_thread")]
async fn the_navigations_predict_link_brings_back_a_shared_prediction() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let url = server.url();
    let seen = with_browser(1280, 900, async |b| {
        open(b, &format!("{url}#/?energy=0.123&tempo=99.5")).await?;
        let mut seen = Vec::new();
        for _ in 0..2 {
            b.click_id("nav-train").await?;
            b.until(
                "const m = document.querySelector('main'); return !document.getElementById('site-loading') && m?.dataset.page === 'train' && !!m.querySelector('h1');",
                "the Train page",
            )
            .await?;
            b.click_id("nav-predict").await?;
            open_after_click(b).await?;
            let fields =
                support::read_fields(b, "field-", &[Feature::Energy, Feature::Tempo]).await?;
            seen.push((fields, b.js_as::<String>("return location.hash;").await?));
        }
        Ok(seen)
    })
    .await?;
    for (fields, hash) in seen {
        assert_eq!(fields, ["0.123", "99.5"], "the link's values in {hash}");
        assert!(
            hash.contains("energy=0.123") && hash.contains("tempo=99.5"),
            "{hash}"
        );
    }
    Ok(())
}

/// Waits for the Predict page's prediction after a click took the browser there.
async fn open_after_click(b: &Browser) -> Result<()> {
    b.until(
        "const e = document.getElementById('top-genre'); return e ? e.textContent.trim() : '';",
        "the prediction",
    )
    .await?;
    Ok(())
}

/// A small forest over 120 genres (each of the bundled data's 15 genres split in 8 by row),
/// trained natively, as a model file: the probability list must stay legible with it.
fn many_genres_model() -> Result<std::path::PathBuf> {
    use genre_core::ingest::{read_csv, IngestOptions};
    use genre_core::train::{prepare, train_model, ModelSpec, TrainOptions};
    use genre_core::tree::forest::ForestParams;

    let root = genre_lens_e2e::repo_root();
    let mut reader = csv::Reader::from_path(root.join("data/genres_v2.csv"))?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let mut text = Feature::ALL.map(|f| f.name()).join(",") + ",genre\n";
    let all: Vec<csv::StringRecord> = reader.records().collect::<std::result::Result<_, _>>()?;
    for (i, r) in all.iter().step_by(5).enumerate() {
        let values: Vec<&str> = Feature::ALL.iter().map(|f| &r[col(f.name())]).collect();
        let genre = r[col("genre")].to_lowercase().replace(' ', "-");
        text += &format!("{},{genre}-{}\n", values.join(","), i % 8);
    }
    let data = read_csv(text.as_bytes(), &IngestOptions::for_training())?;
    let options = TrainOptions {
        features: genre_core::feature::FeatureSet::all(),
        ..TrainOptions::default()
    };
    let prep = prepare(&data, &options, "120-genres.csv")?;
    let spec = ModelSpec::Forest(ForestParams::default().n_trees(5).max_depth(Some(8)));
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let (model, _) = train_model(
        &prep,
        &spec,
        "120 genres",
        "2026-11-26",
        &mut |_| {},
        &cancel,
    )?;
    assert_eq!(model.classes.len(), 120);
    let path = root.join("target/tmp/120-genres.bin");
    std::fs::create_dir_all(path.parent().expect("parent"))?;
    std::fs::write(&path, model.to_bytes())?;
    Ok(path)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_model_with_120_genres_shows_the_top_ten_and_the_others() -> Result<()> {
    let file = many_genres_model()?;
    let model = TrainedModel::from_bytes(&std::fs::read(&file)?)?;
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let mut seen = None;
    with_browser(1280, 900, async |b| {
        b.open_page(&format!("{}#/train", server.url())).await?;
        b.upload_then(
            "model-file",
            &file,
            "return document.getElementById('model-file-message')?.textContent.includes('now the active model');",
            "the 120-genre model",
        )
        .await?;
        b.client
            .find(fantoccini::Locator::Id("nav-predict"))
            .await?
            .click()
            .await?;
        b.until(
            "return document.getElementById('about-name')?.textContent === '120 genres';",
            "Predict with the 120-genre model",
        )
        .await?;
        support::settle(b).await?;
        let own = b.text("#model-own").await?;
        let checked: bool = b
            .js_as("return !!document.querySelector('input[name=bundled-model]:checked');")
            .await?;
        seen = Some((bars(b).await?, own, checked));
        b.look("predict-120-genres-1280").await
    })
    .await?;
    let (shown, own, checked) = seen.expect("ran");
    // The page's medians give this prediction; its top ten, then the 110 others summed.
    let row = model.preprocessor.medians.clone();
    let all = expected_bars(&model, &row);
    assert_eq!(shown.len(), 11, "{shown:?}");
    assert_eq!(shown[..10], all[..10]);
    assert_eq!(shown[10].0, "110 other genres");
    let rest: f32 = model.predict_raw(&row).probabilities.iter().sum::<f32>()
        - all[..10]
            .iter()
            .map(|(_, p)| p.parse::<f32>().unwrap_or(0.0))
            .sum::<f32>();
    let others: f32 = shown[10].1.parse()?;
    assert!((others - rest).abs() < 1e-4, "others {others} vs {rest}");
    assert!(
        own.is_some_and(|t| t.contains("120 genres")),
        "the chooser says a Train model is active"
    );
    assert!(!checked, "neither bundled model is checked");
    Ok(())
}

/// Each value as its field shows it once typed (durations as m:ss.mmm).
fn as_typed(values: &[(Feature, f64)]) -> Vec<String> {
    values
        .iter()
        .map(|&(f, v)| match f {
            Feature::DurationMs => support::mss_exact(v),
            _ => v.to_string(),
        })
        .collect()
}

/// Predict page: picks one of the site's two models by its chooser's input id and waits until
/// "About this model" names it and the prediction has settled.
async fn choose_bundled(b: &Browser, input: &str, name: &str) -> Result<()> {
    b.js(&format!(
        "document.querySelector('label[for={input}]').click(); return true;"
    ))
    .await?;
    b.until(
        &format!("return document.getElementById('about-name')?.textContent === '{name}';"),
        name,
    )
    .await?;
    support::settle(b).await?;
    Ok(())
}
