//! axe-core in the look checks: the accessibility rules a browser extension would check, run on
//! every page in the state the test has put it in. axe-core comes from the npm registry
//! (`./x setup` installs the version it pins into the tools folder beside binaryen); the
//! harness reads `axe.min.js` from there and runs it in the page through WebDriver, which the
//! page's Content-Security-Policy does not govern.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::{Browser, Result};

/// Rules that fail the check whatever impact axe gives them: the page's one `main` landmark,
/// its `h1`, and a scrolling box that a keyboard cannot reach.
pub const ALWAYS_FAIL: [&str; 3] = [
    "landmark-one-main",
    "page-has-heading-one",
    "scrollable-region-focusable",
];

/// How long axe-core may take on one page.
const AXE_PATIENCE: Duration = Duration::from_secs(300);

/// Impacts that fail the check for any rule.
const FAILING_IMPACTS: [&str; 2] = ["serious", "critical"];

/// Where `axe.min.js` is: `GENRE_LENS_AXE`, else in the tools folder `./x` installs into
/// (`GENRE_LENS_TOOLS`, else `~/.cache/genre-lens-tools`).
pub fn script_path() -> PathBuf {
    if let Some(path) = std::env::var_os("GENRE_LENS_AXE") {
        return PathBuf::from(path);
    }
    let tools = std::env::var_os("GENRE_LENS_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/genre-lens-tools")
        });
    tools.join("node_modules/axe-core/axe.min.js")
}

/// axe-core's source, or an error saying how to get it.
fn script() -> Result<String> {
    let path = script_path();
    std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "axe-core is missing: cannot read {} ({e}). Run `./x setup`, which installs axe-core \
             from the npm registry into the tools folder, or set GENRE_LENS_AXE to an axe.min.js.",
            path.display()
        )
        .into()
    })
}

/// One rule broken on the page, as axe reports it.
#[derive(Debug, Deserialize)]
pub struct Violation {
    pub id: String,
    pub impact: Option<String>,
    pub help: String,
    /// The first few elements that break it, with axe's summary of why.
    pub nodes: Vec<String>,
}

impl Violation {
    /// Whether this violation fails the look check.
    pub fn fails(&self) -> bool {
        ALWAYS_FAIL.contains(&self.id.as_str())
            || self
                .impact
                .as_deref()
                .is_some_and(|i| FAILING_IMPACTS.contains(&i))
    }
}

impl Browser {
    /// Runs axe-core on the page as it is now and returns every violation it finds.
    pub async fn axe(&self) -> Result<Vec<Violation>> {
        let loaded = self
            .js("return typeof window.axe === 'object';")
            .await?
            .as_bool()
            .unwrap_or(false);
        if !loaded {
            self.js(&format!("{}\nreturn true;", script()?)).await?;
        }
        // Started here and read when done: on a large page (a 120-genre confusion matrix) axe
        // may take longer than one WebDriver script may run (30 s).
        let started = Instant::now();
        self.js("window.__axeFound = null; axe.run(document, { resultTypes: ['violations'] }).then((r) => { window.__axeFound = r.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')}: ${(n.failureSummary || '').replace(/\\s+/g, ' ')}`),
            })); }, (e) => { window.__axeFound = { failed: String(e) }; }); return true;")
            .await?;
        let found = self
            .wait_js(
                "return window.__axeFound;",
                "axe-core's checks",
                AXE_PATIENCE,
            )
            .await?;
        if let Some(why) = found.get("failed") {
            return Err(format!("axe-core failed: {why}").into());
        }
        println!("axe: {:.1} s", started.elapsed().as_secs_f64());
        Ok(serde_json::from_value(found)?)
    }

    /// The violations that fail a look check ([`Violation::fails`]), one sentence each.
    pub async fn axe_problems(&self) -> Result<Vec<String>> {
        Ok(self
            .axe()
            .await?
            .into_iter()
            .filter(Violation::fails)
            .map(|v| {
                format!(
                    "axe {} ({}): {} on {:?}",
                    v.id,
                    v.impact.as_deref().unwrap_or("no impact"),
                    v.help,
                    v.nodes
                )
            })
            .collect())
    }
}
