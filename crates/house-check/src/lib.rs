//! The house check: no import cycle between the source files of a crate.
//!
//! Each crate root (`src/lib.rs`, `src/main.rs`, `src/bin/*.rs`) is followed through its `mod`
//! declarations to the files of its modules. A file imports another when one of its `use` paths
//! (`crate::…`, `super::…`, `self::…`, or a child module's name) or a `crate::…`/`super::…` path
//! in its code names an item defined in the other file. A `pub use` is a re-export, not an
//! import of its own: paths through it lead to the file that defines the item. `mod` lines,
//! `#[cfg(test)]` modules and a module's use of what its ancestors define (its children are its
//! parts) are no imports. Files that import each other in a loop are a cycle.

mod graph;
mod lexer;
mod scan;

pub use graph::{crossings, cycles, Cycle, Edge};
pub use scan::{read_crate, Crate};

use std::path::{Path, PathBuf};

/// The crate roots under `workspace`: every `src/lib.rs`, `src/main.rs` and `src/bin/*.rs` of a
/// directory with a `Cargo.toml` (the workspace itself, `crates/*`, `tests/*`), sorted.
pub fn crate_roots(workspace: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![workspace.to_path_buf()];
    for parent in ["crates", "tests"] {
        if let Ok(entries) = std::fs::read_dir(workspace.join(parent)) {
            for e in entries.flatten() {
                if e.path().join("Cargo.toml").is_file() {
                    dirs.push(e.path());
                }
            }
        }
    }
    let mut roots = Vec::new();
    for dir in dirs {
        let src = dir.join("src");
        for name in ["lib.rs", "main.rs"] {
            if src.join(name).is_file() {
                roots.push(src.join(name));
            }
        }
        if let Ok(entries) = std::fs::read_dir(src.join("bin")) {
            for e in entries.flatten() {
                if e.path().extension().is_some_and(|x| x == "rs") {
                    roots.push(e.path());
                }
            }
        }
    }
    roots.sort();
    roots
}

/// What the check finds: import cycles, and pages that import another page.
#[derive(Debug, Default)]
pub struct Findings {
    pub cycles: Vec<Cycle>,
    /// Imports from one page (`crate::pages::X`) into another: shared pieces belong in
    /// `components/`, `route.rs` or `widget/`.
    pub page_crossings: Vec<Edge>,
}

impl Findings {
    pub fn is_empty(&self) -> bool {
        self.cycles.is_empty() && self.page_crossings.is_empty()
    }
}

/// The findings of every crate under `workspace`, paths relative to it.
pub fn check_workspace(workspace: &Path) -> Result<Findings, String> {
    let mut all = Vec::new();
    let mut page_crossings = Vec::new();
    for root in crate_roots(workspace) {
        let krate = read_crate(&root)?;
        for mut e in crossings(&krate, &["pages"]) {
            e.from = relative(workspace, &e.from);
            e.to = relative(workspace, &e.to);
            if !page_crossings.contains(&e) {
                page_crossings.push(e);
            }
        }
        for mut cycle in cycles(&krate) {
            for f in &mut cycle.files {
                *f = relative(workspace, f);
            }
            for e in &mut cycle.edges {
                e.from = relative(workspace, &e.from);
                e.to = relative(workspace, &e.to);
            }
            if !all.contains(&cycle) {
                all.push(cycle);
            }
        }
    }
    Ok(Findings {
        cycles: all,
        page_crossings,
    })
}

fn relative(base: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(base)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}
