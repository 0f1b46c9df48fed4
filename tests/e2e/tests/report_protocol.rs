//! Explore in headless Chromium: the data preview (the core's
//! `describe()` figures for the bundled data), the box plots after 1.5×IQR capping, and the
//! original report's protocol run beside the honest one in the training workers: its random
//! forest lands within 2 points of the report's 77.27%, the honest figure beside it, and the
//! sentence on why they differ, the same figures as the core computes natively. Looked at (and
//! photographed) at 1280 and 390 px.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use genre_core::eda::EdaSummary;
use genre_core::feature::Feature;
use genre_core::ingest::read_csv;
use genre_core::model::ModelKind;
use genre_core::text::{count, percent};
use genre_core::train::{train_model, ModelSpec, Protocol};
use genre_lens_e2e::{
    dist_dir, repo_root, with_browser, with_phone, Browser, Result, StaticServer,
};
use serde_json::json;

/// The report's headline: RandomForestClassifier, 0.7726524822695036.
const REPORT_RF: f64 = 0.7727;
/// Both protocols' random forests (100 trees on ~70,000 rows each) on 2 workers.
const COMPARISON: Duration = Duration::from_secs(900);

/// The random forest's accuracy under each protocol (report, honest), computed natively by the
/// core as the CLI does: what the page's workers must show.
fn native_rf() -> Result<(f64, f64)> {
    let path = repo_root().join("data/genres_v2.csv");
    let mut out = Vec::new();
    for protocol in Protocol::BOTH {
        let data = read_csv(std::fs::File::open(&path)?, &protocol.ingest_options(None))?;
        let (prep, _) = protocol.prepare(&data, &Protocol::report_options(42), "genres_v2.csv")?;
        let spec = ModelSpec::report_model(ModelKind::RandomForest, 42);
        let never = AtomicBool::new(false);
        let (_, metrics) = train_model(&prep, &spec, "", "", &mut |_| {}, &never)?;
        out.push(metrics.accuracy);
    }
    Ok((out[0], out[1]))
}

fn bundled_summary() -> Result<EdaSummary> {
    let text = std::fs::read_to_string(repo_root().join("public/eda.json"))?;
    Ok(serde_json::from_str(&text)?)
}

/// A percentage cell ("75.3%") as a share.
fn share(text: &str) -> Option<f64> {
    text.trim()
        .strip_suffix('%')?
        .parse::<f64>()
        .ok()
        .map(|p| p / 100.0)
}

/// The outliers the box plot's items announce, summed over the genres.
async fn announced_outliers(b: &Browser) -> Result<u64> {
    let v = b
        .js("return [...document.querySelectorAll('#chart-box-plot .chart-item')].map((g) => g.getAttribute('aria-label')).join('|');")
        .await?;
    let labels = v.as_str().unwrap_or_default().to_string();
    Ok(labels
        .split('|')
        .filter_map(|l| {
            let before = l.split(" outliers of ").next()?;
            before
                .rsplit(", ")
                .next()?
                .replace(',', "")
                .parse::<u64>()
                .ok()
        })
        .sum())
}

/// Explore with the preview checked, the capped box plots on, and the comparison run with the
/// random forest alone; returns (report, honest, seconds the run took).
async fn explore_with_everything(b: &Browser, url: &str, width: &str) -> Result<(f64, f64, f64)> {
    b.client.goto(&format!("{url}#/explore")).await?;
    b.until(
        "return document.querySelectorAll('#preview-head tbody tr').length > 0 && !!document.getElementById('chart-box-plot');",
        "the preview and the charts",
    )
    .await?;

    // The preview is the core's summary of the bundled data, written into eda.json.
    let summary = bundled_summary()?;
    let rows = b
        .js("return document.querySelectorAll('#preview-head tbody tr').length;")
        .await?;
    assert_eq!(rows, json!(summary.head.len()), "head() rows");
    let loudness = summary
        .describe
        .iter()
        .find(|c| c.feature == Feature::Loudness)
        .expect("loudness is a column");
    let cells = b
        .js("return [...document.querySelectorAll('#describe-loudness td')].map((td) => td.textContent);")
        .await?;
    assert_eq!(cells[0], json!(count(loudness.count)), "{cells}");
    assert_eq!(cells[1], json!(count(loudness.missing)), "{cells}");
    assert_eq!(
        loudness.missing, 8_805,
        "the missing loudness cells among the kept rows"
    );

    // Capping: the box plot's outliers become those the core counted after the caps.
    let energy = summary
        .features
        .iter()
        .find(|f| f.feature == Feature::Energy)
        .expect("energy");
    let outliers = |boxes: &[Option<genre_core::eda::BoxStats>]| -> u64 {
        boxes.iter().flatten().map(|b| b.outliers).sum()
    };
    assert_eq!(announced_outliers(b).await?, outliers(&energy.boxes));
    b.js("document.getElementById('explore-capped').click(); return true;")
        .await?;
    b.until(
        "return !!document.getElementById('explore-capped-note');",
        "the capped box plots",
    )
    .await?;
    let capped = outliers(&energy.capped_boxes);
    assert_ne!(capped, outliers(&energy.boxes), "capping changes the boxes");
    assert_eq!(announced_outliers(b).await?, capped);

    // The report's protocol beside the honest one: the random forest only.
    for code in ["bagging", "knn", "tree", "svc"] {
        b.js_args(
            "const c = document.getElementById('report-model-' + arguments[0]); if (c.checked) c.click(); return true;",
            vec![json!(code)],
        )
        .await?;
    }
    let started = Instant::now();
    b.js("document.getElementById('report-start').click(); return true;")
        .await?;
    b.until(
        "return !!document.getElementById('report-cancel') || !!document.getElementById('report-why');",
        "the run to start",
    )
    .await?;
    b.wait_js(
        "const e = document.getElementById('report-error'); if (e) return 'failed: ' + e.textContent; return document.getElementById('report-why')?.textContent;",
        "both protocols' figures",
        COMPARISON,
    )
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        b.text("#report-error").await?.is_none(),
        "the run failed: {:?}",
        b.text("#report-error").await?
    );
    let report_text = b.text("#report-acc-rf").await?.unwrap_or_default();
    let honest_text = b.text("#honest-acc-rf").await?.unwrap_or_default();
    let report = share(&report_text).ok_or(format!("report cell {report_text:?}"))?;
    let honest = share(&honest_text).ok_or(format!("honest cell {honest_text:?}"))?;
    let why = b.text("#report-why").await?.unwrap_or_default();
    assert!(
        why.contains(&report_text) && why.contains(&honest_text),
        "{why}"
    );
    assert!(why.contains("13,800 test rows"), "{why}");
    let status = b.text("#report-status").await?.unwrap_or_default();
    println!("{width} px: report {report_text}, honest {honest_text} in {seconds:.0} s ({status})");
    b.js("document.getElementById('h-report').scrollIntoView(); return true;")
        .await?;
    b.look(&format!("look-{width}-explore-report")).await?;
    Ok((report, honest, seconds))
}

#[tokio::test]
async fn explore_reproduces_the_report_beside_the_honest_figure() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let mut desktop = (0.0, 0.0, 0.0);
    with_browser(1280, 900, async |b| {
        desktop = explore_with_everything(b, &server.url(), "1280").await?;
        Ok(())
    })
    .await?;
    let (report, honest, _) = desktop;
    // The workers train the forest in shares and merge them: the same forest as one run, so
    // the page shows the core's native figures.
    let (native_report, native_honest) = native_rf()?;
    assert_eq!(
        (percent(report), percent(honest)),
        (percent(native_report), percent(native_honest)),
        "the page's figures against the core's native ones"
    );
    assert!(
        (report - REPORT_RF).abs() <= 0.02,
        "the report's protocol gives {} against the report's 77.27%",
        percent(report)
    );
    assert!(honest < report - 0.1, "honest {honest} vs report {report}");
    let mut phone = (0.0, 0.0, 0.0);
    with_phone(390, 844, async |b| {
        phone = explore_with_everything(b, &server.url(), "390").await?;
        Ok(())
    })
    .await?;
    // The same core, seeds and data: the same figures on every run.
    assert_eq!((phone.0, phone.1), (report, honest));
    Ok(())
}
