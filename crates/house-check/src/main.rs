//! `cargo run -p house-check [WORKSPACE]`: exits 1 and lists each import cycle between the
//! source files of the workspace's crates (see the library's documentation for what counts),
//! and each import from one page of the app (`crate::pages::X`) into another.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let workspace = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."),
        PathBuf::from,
    );
    let workspace = workspace.canonicalize().unwrap_or(workspace);
    match house_check::check_workspace(&workspace) {
        Ok(found) if found.is_empty() => {
            let crates = house_check::crate_roots(&workspace).len();
            println!(
                "house-check: no import cycle between files, no page imports another ({crates} crate roots)"
            );
            ExitCode::SUCCESS
        }
        Ok(found) => {
            for c in &found.cycles {
                eprint!("{c}");
            }
            for e in &found.page_crossings {
                eprintln!("a page imports another page: {e}");
            }
            eprintln!(
                "house-check: {} import cycle(s), {} import(s) between pages",
                found.cycles.len(),
                found.page_crossings.len()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("house-check: {e}");
            ExitCode::from(2)
        }
    }
}
