//! A file in the "Spotify Tracks Dataset" layout (an unnamed index column, track ids, artists,
//! album and track names, popularity, explicit, the audio features, `track_genre`) with 114
//! genres: `--label track_genre` trains, evaluates and splits, and the text report stays
//! legible (a row per genre, the top confusions instead of a 114 × 114 matrix).

use std::path::{Path, PathBuf};
use std::process::Output;

const GENRES: usize = 114;
const PER_GENRE: usize = 16;

mod support;
use support::{bin, tmp};

/// The layout's header, in the published file's order.
const HEADER: &str = ",track_id,artists,album_name,track_name,popularity,duration_ms,explicit,\
danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,\
tempo,time_signature,track_genre";

/// 114 genres of 16 tracks each. Genre `g` sits at its own point of (energy, tempo, valence,
/// danceability) with deterministic jitter, so a model tells many of them apart, not all.
fn spotify_tracks(dir: &Path) -> PathBuf {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // SplitMix64: the same rows on every run.
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut text = String::from(HEADER);
    text.push('\n');
    let mut index = 0;
    for i in 0..PER_GENRE {
        for g in 0..GENRES {
            let (a, b) = ((g % 12) as f64, (g / 12) as f64);
            // Jitter about as wide as the steps between genres: neighbours overlap, so the
            // model makes mistakes for the report to list.
            let jitter = |next: &mut dyn FnMut() -> f64| next() - 0.5;
            let energy = 0.05 + a * 0.08 + jitter(&mut next) * 0.1;
            let tempo = 70.0 + b * 12.0 + jitter(&mut next) * 15.0;
            let valence = 0.1 + ((g * 7) % 10) as f64 * 0.08 + jitter(&mut next) * 0.1;
            let dance = 0.2 + ((g * 3) % 9) as f64 * 0.07 + jitter(&mut next) * 0.08;
            text.push_str(&format!(
                "{index},id{g}x{i},\"Artist {g};Guest {i}\",\"Album, vol. {i}\",Track {i} of {g},{},{},{},{dance:.4},{energy:.4},{},{:.3},{},{:.4},{:.4},{:.4},{:.4},{valence:.4},{tempo:.3},4,genre-{g:03}\n",
                (g * 13 + i) % 100,
                180_000 + (next() * 60_000.0) as u64,
                if i % 5 == 0 { "True" } else { "False" },
                (next() * 12.0) as u64,
                -12.0 + next() * 8.0,
                i % 2,
                next() * 0.3,
                next(),
                next() * 0.5,
                next() * 0.6,
            ));
            index += 1;
        }
    }
    let path = dir.join("spotify-tracks.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// [`support::ok`], then the command's stdout.
fn ok(out: Output) -> String {
    String::from_utf8_lossy(&support::ok(out).stdout).into_owned()
}

#[test]
fn a_114_genre_file_trains_evaluates_and_splits_with_label_track_genre() {
    let dir = tmp("many-genres");
    let data = spotify_tracks(&dir);

    // train: the saved model knows all 114 genres.
    let model = dir.join("model.bin");
    ok(bin()
        .args([
            "train",
            "--candidates",
            "rf",
            "--label",
            "track_genre",
            "--data",
        ])
        .arg(&data)
        .arg("--out")
        .arg(&model)
        .output()
        .unwrap());
    let bytes = std::fs::read(&model).unwrap();
    let trained = genre_core::model::TrainedModel::from_bytes(&bytes).unwrap();
    assert_eq!(trained.classes.len(), GENRES);
    assert_eq!(trained.classes[0], "genre-000");

    // eval, one model: the summary, a row per genre and the ten most frequent confusions.
    let out = ok(bin()
        .args([
            "eval",
            "--model",
            "rf",
            "--trees",
            "30",
            "--label",
            "track_genre",
        ])
        .args(["--features", "all", "--data"])
        .arg(&data)
        .output()
        .unwrap());
    let genre_rows = out.lines().filter(|l| l.starts_with("genre-")).count();
    assert!(
        genre_rows >= GENRES,
        "a row per genre in the per-genre table: {genre_rows}\n{out}"
    );
    assert!(
        out.contains("Most frequent confusions (10 of 114 genres' matrix)"),
        "{out}"
    );
    let accuracy: f64 = out
        .lines()
        .find(|l| l.starts_with("rf "))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|a| a.parse().ok())
        .unwrap();
    // Far above chance (1/114) and below perfect, so there are confusions to list.
    assert!(
        accuracy > 0.2 && accuracy < 1.0,
        "114 overlapping genres: {accuracy}\n{out}"
    );
    // Legible: no grid, nothing wider than a terminal, about one screen per 40 genres.
    let widest = out.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest <= 100, "a line of {widest} characters\n{out}");
    assert!(out.lines().count() < GENRES + 30, "{out}");

    // split: the exact rows eval uses, with the label column named.
    let split_dir = dir.join("split");
    bin()
        .args(["split", "--label", "track_genre", "--data"])
        .arg(&data)
        .arg("--out-dir")
        .arg(&split_dir)
        .output()
        .map(ok)
        .unwrap();
    let test = std::fs::read_to_string(split_dir.join("test.csv")).unwrap();
    let mut genres: Vec<&str> = test
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').rev().nth(2))
        .collect();
    genres.sort_unstable();
    genres.dedup();
    assert_eq!(genres.len(), GENRES, "every genre in the holdout");
}
