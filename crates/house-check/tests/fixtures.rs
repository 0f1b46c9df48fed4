//! The check on small crates written for each case: what is a cycle and what is not.

use std::path::{Path, PathBuf};

use house_check::{check_workspace, Findings};

/// Writes `files` (path, content) under a fresh folder with a `Cargo.toml`, and checks it.
fn check(name: &str, files: &[(&str, &str)]) -> Findings {
    let dir = std::env::temp_dir().join(format!("house-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files.iter().chain(&[("Cargo.toml", "[package]\n")]) {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let found = check_workspace(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    found
}

fn files(c: &house_check::Cycle) -> Vec<&Path> {
    c.files.iter().map(PathBuf::as_path).collect()
}

#[test]
fn two_siblings_that_import_each_other_are_a_cycle_named_with_its_imports() {
    let found = check(
        "siblings",
        &[
            ("src/lib.rs", "mod a;\nmod b;\nmod c;\n"),
            ("src/a.rs", "use crate::b::Bee;\npub struct Ay;\n"),
            // A path in the code counts too, a comment or a string does not.
            (
                "src/b.rs",
                "pub struct Bee;\nfn f() { let _ = crate::a::Ay; }\n",
            ),
            (
                "src/c.rs",
                "// use crate::a::Ay;\nconst S: &str = \"crate::a::Ay\";\nuse crate::a::Ay;\n",
            ),
        ],
    );
    assert_eq!(found.cycles.len(), 1, "{:?}", found.cycles);
    let cycle = &found.cycles[0];
    assert_eq!(files(cycle), [Path::new("src/a.rs"), Path::new("src/b.rs")]);
    let text = cycle.to_string();
    assert!(text.contains("src/a.rs -> src/b.rs: Bee"), "{text}");
    assert!(text.contains("src/b.rs -> src/a.rs: Ay"), "{text}");
}

#[test]
fn a_loop_through_a_re_export_and_nested_modules_is_found() {
    let found = check(
        "reexport",
        &[
            ("src/main.rs", "mod store;\nmod pages;\n"),
            (
                "src/store.rs",
                "mod source;\npub use source::Model;\nuse crate::pages::link::parse;\n",
            ),
            ("src/store/source.rs", "pub enum Model { A }\n"),
            ("src/pages/mod.rs", "pub mod link;\n"),
            // `Model` is defined in source.rs, so link.rs imports source.rs, not store.rs.
            (
                "src/pages/link.rs",
                "use crate::store::Model;\npub fn parse() {}\n",
            ),
        ],
    );
    assert!(found.cycles.is_empty(), "{:?}", found.cycles);
    let found = check(
        "reexport-loop",
        &[
            ("src/main.rs", "mod store;\nmod pages;\n"),
            ("src/store.rs", "mod source;\npub use source::Model;\n"),
            (
                "src/store/source.rs",
                "use crate::pages::link::parse;\npub enum Model { A }\n",
            ),
            ("src/pages/mod.rs", "pub mod link;\n"),
            (
                "src/pages/link.rs",
                "use crate::store::Model;\npub fn parse() {}\n",
            ),
        ],
    );
    assert_eq!(found.cycles.len(), 1, "{:?}", found.cycles);
    assert_eq!(
        files(&found.cycles[0]),
        [
            Path::new("src/pages/link.rs"),
            Path::new("src/store/source.rs")
        ]
    );
}

#[test]
fn children_using_their_parent_and_test_modules_are_no_cycle() {
    let found = check(
        "parent",
        &[
            ("src/lib.rs", "mod page;\n"),
            (
                "src/page.rs",
                "mod part;\nuse part::Part;\npub struct State;\n",
            ),
            ("src/page/part.rs", "use super::State;\npub struct Part;\n"),
            (
                "src/other.rs",
                "pub struct O;\n#[cfg(test)]\nmod tests {\n    use crate::page::State;\n}\n",
            ),
        ],
    );
    assert!(found.is_empty(), "{:?}", found.cycles);
}

#[test]
fn a_page_importing_another_page_is_named() {
    let found = check(
        "pages",
        &[
            ("src/lib.rs", "mod pages;\nmod route;\n"),
            ("src/route.rs", "pub fn query() {}\n"),
            ("src/pages/mod.rs", "mod train;\nmod explore;\n"),
            ("src/pages/train.rs", "mod data;\n"),
            ("src/pages/train/data.rs", "pub const URL: &str = \"x\";\n"),
            (
                "src/pages/explore.rs",
                "use crate::pages::train::data::URL;\nuse crate::route::query;\n",
            ),
        ],
    );
    assert!(found.cycles.is_empty());
    assert_eq!(found.page_crossings.len(), 1, "{:?}", found.page_crossings);
    let e = &found.page_crossings[0];
    assert_eq!(
        (e.from.as_path(), e.to.as_path(), e.names.as_slice()),
        (
            Path::new("src/pages/explore.rs"),
            Path::new("src/pages/train/data.rs"),
            &["URL".to_string()][..]
        )
    );
}
