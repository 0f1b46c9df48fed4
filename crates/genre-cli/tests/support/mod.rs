//! What the CLI's test files share: the binary, a fresh folder per test, and a run that must
//! succeed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_genre-lens"))
}

/// An empty folder `target/cli-tests/<name>` (emptied if it was there).
pub fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/cli-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `out`, after checking that the command succeeded (else its status and stderr).
pub fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "status {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
