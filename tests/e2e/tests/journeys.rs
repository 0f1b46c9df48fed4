//! Journeys: what users do *between* pages and states, as walks through the release build in
//! headless Chromium: back to Train after (and during) a training, leaving Explore while its
//! comparison runs, the decision tree with SMOTE, cancelling a file read, Batch results across
//! a visit to another page, a model kept in another tab, a label column that is not the genre,
//! a genre of one row, a track corrected twice, and Train and the comparison each cancelled
//! while the other runs. Every walk also fails on any crash the
//! console reports (the harness's rule: `CONSOLE_PROBLEMS`).

use std::path::PathBuf;
use std::time::Duration;

use genre_lens_e2e::{
    dist_dir, genres_csv, repo_root, site_at_1280_and_390, with_browser, Browser, Result,
    StaticServer,
};
use serde_json::json;

/// Training on the bundled data set can take minutes on a loaded 2-core machine.
const TRAIN: Duration = Duration::from_secs(600);

const MODELS: [&str; 6] = ["rf", "gbt", "bagging", "knn", "tree", "svc"];

/// `rows` tracks of the bundled data, spread over it (the file is ordered by genre, so every
/// genre has some), plus `extra` lines, as a file in target/tmp.
fn spread_rows(name: &str, rows: usize, extra: &[&str]) -> Result<PathBuf> {
    let text = std::fs::read_to_string(repo_root().join("data/genres_v2.csv"))?;
    let mut lines = text.lines().filter(|l| !l.is_empty());
    let header = lines.next().ok_or("empty data")?;
    let body: Vec<&str> = lines.collect();
    let step = (body.len() / rows).max(1);
    let mut out: Vec<&str> = vec![header];
    out.extend(body.iter().step_by(step).take(rows));
    out.extend_from_slice(extra);
    let path = repo_root().join("target/tmp").join(name);
    std::fs::create_dir_all(path.parent().expect("parent"))?;
    std::fs::write(&path, out.join("\n") + "\n")?;
    Ok(path)
}

async fn go(b: &Browser, page: &str) -> Result<()> {
    b.click_id(&format!("nav-{page}")).await?;
    b.until(
        &format!("return document.querySelector('main')?.dataset.page === '{page}';"),
        &format!("the {page} page"),
    )
    .await?;
    Ok(())
}

/// Train page: only `model` is ticked.
async fn only(b: &Browser, model: &str) -> Result<()> {
    for m in MODELS {
        b.set_checked(&format!("model-{m}"), m == model).await?;
    }
    Ok(())
}

async fn job_class(b: &Browser, model: &str) -> Result<String> {
    Ok(b.js_as::<Option<String>>(&format!(
        "return document.getElementById('job-{model}')?.className ?? null;"
    ))
    .await?
    .unwrap_or_default())
}

async fn wait_done(b: &Browser, model: &str) -> Result<String> {
    let jobs = b.wait_jobs(TRAIN).await?;
    let (_, status) = jobs
        .iter()
        .find(|(id, _)| *id == format!("job-{model}"))
        .ok_or_else(|| format!("no job for {model}: {jobs:?}"))?;
    if !status.contains("job-done") {
        return Err(format!("{model} did not train: {status}").into());
    }
    Ok(status.clone())
}

async fn open(b: &Browser, server: &StaticServer, page: &str) -> Result<()> {
    b.open_page(&format!("{}#/{page}", server.url())).await
}

/// Serves `dist/` at `/` and walks `steps` in a 1280 x 900 window opened on `page`.
async fn journey(
    page: &str,
    steps: impl AsyncFnOnce(&Browser, &StaticServer) -> Result<()>,
) -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    with_browser(1280, 900, async |b| {
        open(b, &server, page).await?;
        steps(b, &server).await
    })
    .await
}

/// Train → bundled data → k-nearest neighbours → Predict → Train: the run, its result and the
/// data are there, and the app still navigates; then the same while a forest is training.
#[tokio::test]
async fn back_to_train_after_and_during_training() -> Result<()> {
    journey("train", async |b, _server| {
        b.use_bundled_data().await?;
        only(b, "knn").await?;
        b.click_id("train-start").await?;
        let done = wait_done(b, "knn").await?;
        go(b, "predict").await?;
        b.until("return document.getElementById('top-genre')?.textContent;", "a prediction")
            .await?;
        go(b, "train").await?;
        b.no_crash_so_far("back on Train after training").await?;
        assert!(job_class(b, "knn").await?.contains("job-done"), "{done}");
        assert!(b.visible("#parse-done").await?, "the data set is still read");
        assert!(b.visible("#report").await?, "the report is still shown");
        // The result can still be opened and used.
        b.click_until("show-knn", &exists("use-model"), "the result's details").await?;

        // During a run: a forest of many trees, left and come back to.
        only(b, "rf").await?;
        b.type_into("#opt-rf-trees", "300").await?;
        b.click_id("train-start").await?;
        b.wait_first_trees().await?;
        go(b, "explore").await?;
        go(b, "train").await?;
        b.no_crash_so_far("back on Train during training").await?;
        let class = job_class(b, "rf").await?;
        assert!(
            class.contains("job-running") || class.contains("job-done"),
            "the run goes on: {class}"
        );
        // Its progress still moves on the page shown again.
        let before = b.text("#job-rf .job-status").await?.unwrap_or_default();
        b.until(
            &format!(
                "const t = document.querySelector('#job-rf .job-status')?.textContent; return t && t !== {};",
                json!(before)
            ),
            "the forest's progress to move",
        )
        .await?;
        cancel_the_forest(b).await?;
        Ok(())
    })
    .await
}

/// Explore → "Run both protocols" with the decision tree (the report's protocol balances with
/// SMOTE) → Predict while it runs → Explore: the comparison went on and finishes.
#[tokio::test]
async fn leaving_explore_while_the_comparison_runs() -> Result<()> {
    journey("explore", async |b, _server| {
        start_comparison(b, &["tree"]).await?;
        go(b, "predict").await?;
        go(b, "explore").await?;
        b.no_crash_so_far("back on Explore during the comparison")
            .await?;
        tree_compared(b, "both protocols to finish").await?;
        Ok(())
    })
    .await
}

/// Explore: waits for the comparison's verdict, then checks that the decision tree has an
/// accuracy under both protocols.
async fn tree_compared(b: &Browser, what: &str) -> Result<()> {
    let why = b
        .wait_js(
            "return document.getElementById('report-why')?.textContent;",
            what,
            TRAIN,
        )
        .await?;
    assert!(!why.is_null(), "{what}: no verdict");
    for side in ["report", "honest"] {
        let acc = b
            .text(&format!("#{side}-acc-tree"))
            .await?
            .unwrap_or_default();
        assert!(acc.ends_with('%'), "{side}: {acc}");
    }
    Ok(())
}

/// Train: cancels the run and waits until the forest's job says so.
async fn cancel_the_forest(b: &Browser) -> Result<()> {
    let done = "return document.getElementById('job-rf')?.className.includes('job-cancelled');";
    b.click_until("train-cancel", done, "the cancel").await?;
    Ok(())
}

/// Explore: starts "Run both protocols" with only `models` ticked.
async fn start_comparison(b: &Browser, models: &[&str]) -> Result<()> {
    b.until(
        "return document.getElementById('report-start');",
        "the comparison card",
    )
    .await?;
    for m in ["rf", "bagging", "knn", "svc", "tree"] {
        b.set_checked(&format!("report-model-{m}"), models.contains(&m))
            .await?;
    }
    b.click_until(
        "report-start",
        &exists("report-status"),
        "the comparison to start",
    )
    .await?;
    Ok(())
}

/// Train and Explore's comparison at once, each cancelled while the other runs: a cancel stops
/// its own work and no other (each has its own training workers). A forest of many trees on
/// Train, the comparison with the decision tree on Explore, Train cancelled: the comparison
/// finishes. Then the comparison with the random forest, a small forest on Train, the
/// comparison cancelled: the forest finishes.
#[tokio::test]
async fn cancelling_train_or_the_comparison_leaves_the_other_running() -> Result<()> {
    journey("train", async |b, _server| {
        b.use_bundled_data().await?;
        only(b, "rf").await?;
        b.type_into("#opt-rf-trees", "3000").await?;
        b.click_id("train-start").await?;
        b.wait_first_trees().await?;
        go(b, "explore").await?;
        start_comparison(b, &["tree"]).await?;
        go(b, "train").await?;
        cancel_the_forest(b).await?;
        go(b, "explore").await?;
        tree_compared(b, "the comparison to finish after Train's cancel").await?;

        start_comparison(b, &["rf"]).await?;
        go(b, "train").await?;
        b.type_into("#opt-rf-trees", "8").await?;
        let done = "return document.getElementById('job-rf')?.className.includes('job-cancelled') === false;";
        b.click_until("train-start", done, "Train's run to start").await?;
        go(b, "explore").await?;
        let done = "return document.getElementById('report-status')?.textContent === 'Cancelled.';";
        b.click_until("report-cancel", done, "the comparison's cancel").await?;
        go(b, "train").await?;
        let jobs = b.wait_jobs(TRAIN).await?;
        assert!(
            jobs.iter().all(|(_, s)| s.contains("job-done")),
            "Train's forest finishes after the comparison's cancel: {jobs:?}"
        );
        Ok(())
    })
    .await
}

/// The decision tree with SMOTE trains (it overflowed the worker's stack before), and twice
/// gives the same accuracy.
#[tokio::test]
async fn the_decision_tree_trains_with_smote() -> Result<()> {
    journey("train", async |b, _server| {
        b.use_bundled_data().await?;
        b.choose("opt-balance", "smote").await?;
        only(b, "tree").await?;
        let mut accuracies = Vec::new();
        for _ in 0..2 {
            b.click_id("train-start").await?;
            let status = wait_done(b, "tree").await?;
            accuracies.push(
                status
                    .rsplit("accuracy")
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        assert_eq!(accuracies[0], accuracies[1], "the same tree both times");
        Ok(())
    })
    .await
}

/// A small file read, then a big one started and cancelled: the small one stays in use (its
/// name, report and options), the page says the big one was not read, and training runs on the
/// small one.
#[tokio::test]
async fn cancelling_a_read_keeps_the_data_set_in_use() -> Result<()> {
    let small = spread_rows("journey-small.csv", 1500, &[])?;
    let big = genres_csv(500_000)?;
    journey("train", async |b, _server| {
        let shown = "return document.getElementById('rows-kept')?.textContent;";
        b.upload_then("train-file", &small, shown, "the small file's report")
            .await?;
        let kept = b.text("#rows-kept").await?;
        b.upload_then(
            "train-file",
            &big,
            &exists("parse-cancel"),
            "the big file's reading",
        )
        .await?;
        // While it is read, the data set in use is still shown.
        assert!(
            b.visible("#report").await?,
            "the report stays during the read"
        );
        b.click_id("parse-cancel").await?;
        let note = b
            .until(
                "return document.getElementById('parse-cancelled')?.textContent;",
                "the cancel's note",
            )
            .await?;
        let note = note.as_str().unwrap_or_default();
        assert!(
            note.contains("genres-500000-rows.csv") && note.contains("journey-small.csv"),
            "{note}"
        );
        assert_eq!(b.text("#rows-kept").await?, kept, "the same report");
        assert!(b.visible("#opt-balance").await?, "the options stay");
        let current = b.text("#train-file-current").await?.unwrap_or_default();
        assert!(current.contains("journey-small.csv"), "in use: {current}");
        b.look("journey-read-cancelled-1280").await?;
        // Training reads the kept file again (the parser was stopped) and runs.
        only(b, "tree").await?;
        b.click_id("train-start").await?;
        wait_done(b, "tree").await?;
        Ok(())
    })
    .await
}

/// Batch's predictions are still there after a visit to Predict, and were not made again.
#[tokio::test]
async fn batch_results_stay_when_leaving_the_page() -> Result<()> {
    let file = spread_rows("journey-batch.csv", 300, &[])?;
    journey("batch", async |b, _server| {
        let shown = "return document.querySelectorAll('#batch-table tbody tr').length;";
        b.upload_then("batch-file", &file, shown, "the predictions")
            .await?;
        let rows = b.count("#batch-table tbody tr").await?;
        let accuracy = b.text("#batch-accuracy").await?;
        go(b, "predict").await?;
        go(b, "batch").await?;
        b.until(shown, "the predictions again").await?;
        assert_eq!(b.count("#batch-table tbody tr").await?, rows);
        assert_eq!(b.text("#batch-accuracy").await?, accuracy);
        let current = b.text("#batch-file-current").await?.unwrap_or_default();
        assert!(current.contains("journey-batch.csv"), "{current}");
        let runs: u64 = b
            .js_as("return performance.getEntriesByName('batch-start').length;")
            .await?;
        assert_eq!(runs, 1, "shown again, not predicted again");
        Ok(())
    })
    .await
}

/// A model kept in a second tab shows in the first tab's list without a reload.
#[tokio::test]
async fn a_model_kept_in_another_tab_shows_in_the_list() -> Result<()> {
    let model = repo_root().join("public/forest.bin");
    journey("train", async |b, server| {
        let first = b.client.window().await?;
        let count = "return document.querySelectorAll('#saved-list .saved').length;";
        let before: u64 = b.js_as(count).await?;
        let second = b.client.new_window(true).await?;
        b.client.switch_to_window(second.handle).await?;
        open(b, server, "train").await?;
        let shown = "return document.querySelectorAll('#saved-list .saved').length > 0;";
        b.upload_then(
            "model-file",
            &model,
            shown,
            "the model kept in the second tab",
        )
        .await?;
        b.client.switch_to_window(first).await?;
        b.until(
            &format!(
                "return document.querySelectorAll('#saved-list .saved').length === {};",
                before + 1
            ),
            "the first tab's list to follow",
        )
        .await?;
        Ok(())
    })
    .await
}

/// `song_name` picked as the label: one sentence says it is not the genre, not one per value.
#[tokio::test]
async fn a_label_that_is_not_the_genre_gets_one_message() -> Result<()> {
    let file = spread_rows("journey-names.csv", 2000, &[])?;
    site_at_1280_and_390(async |b, server, w| {
        open(b, server, "train").await?;
        b.upload_then("train-file", &file, &exists("label-column"), "the report").await?;
        b.choose("label-column", "song_name").await?;
        let text = b
            .until(
                "const t = document.getElementById('train-blockers')?.textContent || ''; return t.includes('different values') ? t : null;",
                "the one message",
            )
            .await?;
        assert!(text.as_str().unwrap_or_default().contains("at most 255 genres"), "{text}");
        assert_eq!(b.count("#train-blockers li").await?, 1);
        assert!(!b.visible("#set-aside").await?, "no list of the values set aside");
        let height: f64 = b.js_as("return document.documentElement.scrollHeight;").await?;
        assert!(height < 8000.0, "the page stays short: {height} px");
        b.look(&format!("journey-label-not-genre-{w}")).await?;
        Ok(())
    })
    .await
}

/// A genre of one row is set aside with a note naming it (as the chart does) and its row; the
/// other genres train.
#[tokio::test]
async fn a_genre_of_one_row_is_set_aside_and_the_rest_trains() -> Result<()> {
    // A row of the data set with its genre (the 19th column) renamed.
    let text = std::fs::read_to_string(repo_root().join("data/genres_v2.csv"))?;
    let header = text.lines().next().unwrap_or_default();
    let genre_at = header
        .split(',')
        .position(|h| h == "genre")
        .ok_or("no genre")?;
    let line = text.lines().nth(2000).ok_or("short data")?;
    let odd: Vec<String> = line
        .split(',')
        .enumerate()
        .map(|(i, c)| {
            if i == genre_at {
                "rnb-0".to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    let odd = odd.join(",");
    let file = spread_rows("journey-one-row.csv", 1200, &[&odd])?;
    site_at_1280_and_390(async |b, server, w| {
        open(b, server, "train").await?;
        let note = b
            .upload_then_text(
                "train-file",
                &file,
                "return document.getElementById('set-aside')?.textContent;",
                "the set-aside note",
            )
            .await?;
        assert!(note.contains("Rnb-0 (rnb-0) (row 1202)"), "{note}");
        let charted: Vec<String> = b
            .js_as("return [...document.querySelectorAll('#class-counts .cc-name')].map((e) => e.textContent);")
            .await?;
        assert!(charted.iter().any(|c| c == "Rnb-0"), "{charted:?}");
        assert!(!b.visible("#train-blockers").await?, "nothing blocks");
        only(b, "tree").await?;
        b.click_id("train-start").await?;
        wait_done(b, "tree").await?;
        b.look(&format!("journey-set-aside-{w}")).await?;
        Ok(())
    })
    .await
}

/// "Keep" twice keeps the track once; the model's own answer is not kept as a correction.
#[tokio::test]
async fn a_track_is_kept_once() -> Result<()> {
    journey("", async |b, _server| {
        let genres: Vec<(String, String)> = b
            .js_as("return [...document.getElementById('correct-genre').options].filter((o) => o.value !== '').map((o) => [o.value, o.textContent]);")
            .await?;
        let predicted = b.text("#top-genre").await?.unwrap_or_default();
        let (same, _) = genres
            .iter()
            .find(|(_, name)| *name == predicted)
            .ok_or_else(|| format!("{predicted} is not offered"))?;
        let (other, other_name) = genres
            .iter()
            .find(|(_, name)| *name != predicted)
            .ok_or("one genre only")?;
        let status = async |value: &str, expect: &str| -> Result<String> {
            b.choose("correct-genre", value).await?;
            b.click_id("correct-keep").await?;
            let t = b
                .until(
                    &format!(
                        "const t = document.getElementById('correct-status')?.textContent || ''; return t.startsWith({}) ? t : null;",
                        json!(expect)
                    ),
                    expect,
                )
                .await?;
            Ok(t.as_str().unwrap_or_default().to_string())
        };
        let refused = status(same, "The model already says").await?;
        assert!(refused.contains(&predicted), "{refused}");
        let kept = status(other, "Kept").await?;
        assert!(kept.contains(other_name.as_str()), "{kept}");
        status(other, "Already kept").await?;
        go(b, "train").await?;
        let one = "return document.querySelectorAll('#corrections-list .correction').length === 1;";
        b.until(one, "one correction listed").await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(b.count("#corrections-list .correction").await?, 1);
        Ok(())
    })
    .await
}

/// A script that is truthy once the element `id` is on the page.
fn exists(id: &str) -> String {
    format!("return document.getElementById('{id}');")
}
