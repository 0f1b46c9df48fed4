//! Explore in headless Chromium: every chart for the bundled summaries (without downloading the
//! data set) and for an uploaded CSV, on a desktop and a phone; a screenshot of each chart type.

use genre_lens_e2e::{
    dist_dir, ensure_split, repo_root, screenshot_dir, with_browser, with_phone, Browser, Result,
    StaticServer,
};

const CHARTS: [&str; 5] = [
    "chart-class-counts",
    "chart-box-plot",
    "chart-histogram",
    "chart-heatmap",
    "chart-scatter",
];

/// What the charts hold: items per chart, so a test can tell a drawn chart from an empty frame.
async fn chart_counts(b: &Browser) -> Result<serde_json::Value> {
    b.js(r#"
        const n = (sel) => document.querySelectorAll(sel).length;
        return {
            bars: n('#chart-class-counts .chart-item'),
            boxes: n('#chart-box-plot .chart-item'),
            hist: n('#chart-histogram path.hist'),
            cells: n('#chart-heatmap rect.cell'),
            dots: n('#chart-scatter circle.dot'),
            captions: n('.eda-figure figcaption'),
            axisTitles: n('.eda-chart .axis-title'),
        };
    "#)
        .await
}

async fn wait_charts(b: &Browser) -> Result<()> {
    let all = CHARTS
        .iter()
        .map(|id| format!("document.getElementById('{id}')"))
        .collect::<Vec<_>>()
        .join(" && ");
    b.until(&format!("return !!({all});"), "all five charts")
        .await?;
    Ok(())
}

/// Saves each chart's own screenshot as `target/screenshots/<prefix>-<chart>.png`.
async fn chart_screenshots(b: &Browser, prefix: &str) -> Result<()> {
    for id in CHARTS {
        let el = b.client.find(fantoccini::Locator::Id(id)).await?;
        b.js_args(
            "document.getElementById(arguments[0]).scrollIntoView({block: 'center'});",
            vec![serde_json::json!(id)],
        )
        .await?;
        let png = el.screenshot().await?;
        std::fs::write(screenshot_dir().join(format!("{prefix}-{id}.png")), png)?;
    }
    Ok(())
}

/// A small labelled CSV in the Kaggle layout: every third holdout row (all 15 genres; the file is
/// sorted by genre), from the CLI's `split` (generated when missing).
fn sample_csv() -> Result<std::path::PathBuf> {
    let test = ensure_split()?;
    let text = std::fs::read_to_string(test)?;
    let lines: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
        .map(|(_, l)| l)
        .collect();
    let dir = repo_root().join("target/e2e-explore");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("explore-upload.csv");
    std::fs::write(&path, lines.join("\n"))?;
    Ok(path)
}

#[tokio::test]
async fn explore_bundled_and_uploaded() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let upload_path = sample_csv()?;
    let mut bundled = serde_json::Value::Null;
    let mut uploaded = serde_json::Value::Null;
    let mut note = String::new();
    let mut after_pick = serde_json::Value::Null;
    let mut focusable = 0u64;
    with_browser(1200, 900, async |b| {
        b.client.goto(&format!("{}#/explore", server.url())).await?;
        wait_charts(b).await?;
        bundled = chart_counts(b).await?;
        focusable = b
            .js("return document.querySelectorAll('.eda-chart [tabindex=\"0\"]').length;")
            .await?
            .as_u64()
            .unwrap_or(0);
        b.screenshot_full(1200, &screenshot_dir().join("explore-desktop.png")).await?;
        b.client.set_window_size(1200, 900).await?;
        chart_screenshots(b, "explore").await?;
        // Pick another feature and one more genre: the charts follow.
        b.js("const s = document.getElementById('explore-feature'); s.value = 'tempo'; s.dispatchEvent(new Event('change'));").await?;
        b.js("document.getElementById('genre-pick-6').click();").await?;
        b.until("return document.querySelector('#chart-box-plot .axis-title')?.textContent.includes('Tempo');", "the tempo box plot")
        .await?;
        after_pick = chart_counts(b).await?;

        b.upload("explore-file", &upload_path).await?;
        b.until("return document.getElementById('explore-source-note')?.textContent.includes('explore-upload.csv');", "the uploaded file's charts")
        .await?;
        wait_charts(b).await?;
        uploaded = chart_counts(b).await?;
        note = b.text("#explore-source-note").await?.unwrap_or_default();
        b.screenshot_full(1200, &screenshot_dir().join("explore-upload.png")).await?;
        Ok(())
    })
    .await?;

    for (what, c) in [("bundled", &bundled), ("uploaded", &uploaded)] {
        assert_eq!(c["bars"], 15, "{what}: class-count bars {c}");
        assert_eq!(c["boxes"], 15, "{what}: box plots {c}");
        assert_eq!(
            c["hist"], 4,
            "{what}: histograms of the 4 default genres {c}"
        );
        assert_eq!(c["cells"], 169, "{what}: 13 x 13 correlation cells {c}");
        assert!(
            c["dots"].as_u64().unwrap_or(0) >= 100,
            "{what}: scatter dots {c}"
        );
        assert_eq!(c["captions"], 5, "{what}: a caption per chart {c}");
    }
    assert_eq!(
        after_pick["hist"], 5,
        "ticking a genre adds its histogram: {after_pick}"
    );
    assert!(
        focusable >= 15 + 15 + 4 + 13,
        "keyboard-reachable chart items: {focusable}"
    );
    assert!(
        note.contains("3,000 tracks") || note.contains("tracks in 15 genres"),
        "{note}"
    );
    // The bundled data's charts come from eda.json: the data set is never downloaded.
    let requests = server.requests();
    assert!(
        requests.iter().any(|r| r.ends_with("eda.json")),
        "{requests:?}"
    );
    assert!(!requests.iter().any(|r| r.contains(".csv")), "{requests:?}");
    Ok(())
}

#[tokio::test]
async fn explore_on_a_phone() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let mut overflow = serde_json::Value::Null;
    with_phone(390, 844, async |b| {
        b.client.goto(&format!("{}#/explore", server.url())).await?;
        wait_charts(b).await?;
        // The page itself must not scroll sideways; wide charts scroll inside their figure.
        overflow = b
            .js("return {page: document.documentElement.scrollWidth, view: window.innerWidth, chart: document.querySelector('#chart-heatmap svg').getBoundingClientRect().width};")
            .await?;
        b.screenshot_full(390, &screenshot_dir().join("explore-phone.png")).await?;
        Ok(())
    })
    .await?;
    assert!(
        overflow["page"].as_f64() <= overflow["view"].as_f64(),
        "the page scrolls sideways on a phone: {overflow}"
    );
    assert!(
        overflow["chart"].as_f64().unwrap_or(0.0) >= 600.0,
        "charts keep a readable size: {overflow}"
    );
    Ok(())
}
