//! `eval --protocol report` on the bundled data: the original report's 77.27% for the random
//! forest comes back (within 2 points) from its own protocol, with the honest figure beside it.
//! Full settings (100 trees, the whole file): the core is optimised even in test builds, so
//! this takes about 30 s.

use std::path::Path;
use std::process::Command;

/// The report's headline: RandomForestClassifier, 0.7726524822695036.
const REPORT_RF_ACCURACY: f64 = 0.7727;

/// The accuracy column of the `rf` row of each table, in the order printed.
fn rf_accuracies(stdout: &str) -> Vec<f64> {
    stdout
        .lines()
        .filter(|l| l.split_whitespace().next() == Some("rf"))
        .map(|l| l.split_whitespace().nth(2).unwrap().parse().unwrap())
        .collect()
}

#[test]
fn the_report_protocol_reproduces_its_77_percent_beside_the_honest_figure() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/genres_v2.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_genre-lens"))
        .args(["eval", "--protocol", "report", "--model", "rf", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Both tables, the report's first. Its rows: the 9,036 without loudness dropped, SMOTE
    // grew every genre to Underground Rap's 4,598 complete rows (15 × 4,598 = 68,970) before
    // the 80/20 split: 920 of each genre held out.
    let headings: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains(" test rows ("))
        .collect();
    assert_eq!(headings.len(), 2, "{stdout}");
    assert!(headings[0].starts_with("The report's"), "{stdout}");
    assert!(
        headings[0].contains("13,800 test rows")
            && headings[0].contains("9,036 rows with a missing value dropped"),
        "{stdout}"
    );
    assert!(headings[1].starts_with("Honest") && headings[1].contains("0 synthetic"));
    let acc = rf_accuracies(&stdout);
    assert_eq!(acc.len(), 2, "{stdout}");
    let (report, honest) = (acc[0], acc[1]);
    assert!(
        (report - REPORT_RF_ACCURACY).abs() <= 0.02,
        "report protocol {report} vs the report's {REPORT_RF_ACCURACY}\n{stdout}"
    );
    assert!(
        honest < report - 0.1,
        "honest {honest} should be far below {report}"
    );
    // The sentence names both figures as the tables round them, and the leak.
    let why = stdout.lines().last().unwrap();
    let pct = |a: f64| genre_core::text::percent(a);
    assert!(
        why.contains(&pct(report)) && why.contains(&pct(honest)),
        "{why}"
    );
    assert!(
        why.contains("synthetic") && why.contains("duplicate"),
        "{why}"
    );
}
