//! One crate read from its root: its modules (files and inline modules), what each defines, its
//! `use` declarations and the `crate::`/`super::` paths in its code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::lexer::{tokens, Token};

/// A module's absolute path inside its crate (`[]` is the crate root).
pub type ModPath = Vec<String>;

/// One path a module names, as written, with the name it is known by there.
#[derive(Debug, Clone)]
pub struct Named {
    pub path: Vec<String>,
    /// A glob (`use x::*`).
    pub glob: bool,
    /// A `pub use`: a re-export, followed to its item but no import of its own.
    pub public: bool,
    /// The name the module knows it by (the last segment, or its `as` name).
    pub alias: String,
    /// Written in a `use` (otherwise a path in the code).
    pub in_use: bool,
}

#[derive(Debug, Default)]
pub struct Module {
    pub file: PathBuf,
    /// Items defined at this module's top level (functions, types, consts, macros, …).
    pub items: BTreeSet<String>,
    /// Child modules, by name.
    pub children: BTreeSet<String>,
    pub named: Vec<Named>,
}

#[derive(Debug, Default)]
pub struct Crate {
    pub root: PathBuf,
    pub modules: BTreeMap<ModPath, Module>,
    /// `#[macro_export]` macros: defined at the crate root, written in this module.
    pub exported_macros: BTreeMap<String, ModPath>,
}

/// Reads a crate from its root file through its `mod` declarations.
pub fn read_crate(root: &Path) -> Result<Crate, String> {
    let mut krate = Crate {
        root: root.to_path_buf(),
        ..Crate::default()
    };
    let mut todo = vec![(Vec::new(), root.to_path_buf(), true)];
    while let Some((path, file, owns_dir)) = todo.pop() {
        let src = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        // A root or `mod.rs` keeps its children beside it; `a.rs` keeps them in `a/`.
        let dir = if owns_dir {
            file.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            file.with_extension("")
        };
        for (child, child_path) in read_file(&mut krate, &path, &file, &src) {
            let flat = dir.join(format!("{}.rs", child.last().expect("a child has a name")));
            let nested = dir
                .join(child.last().expect("a child has a name"))
                .join("mod.rs");
            // Children of inline modules live in their folder too.
            let base = child_path;
            let (found, owns) = if flat.is_file() {
                (flat, false)
            } else if nested.is_file() {
                (nested, true)
            } else {
                return Err(format!(
                    "{}: no file for `mod {}`",
                    file.display(),
                    child.join("::")
                ));
            };
            todo.push((base, found, owns));
        }
    }
    Ok(krate)
}

struct Scope {
    path: ModPath,
    /// The brace depth of the module's own items.
    depth: usize,
    skipped: bool,
}

/// Records a file's modules; returns its `mod x;` children as (relative path, absolute path).
fn read_file(
    krate: &mut Crate,
    module: &ModPath,
    file: &Path,
    src: &str,
) -> Vec<(Vec<String>, ModPath)> {
    let toks = tokens(src);
    let mut children = Vec::new();
    let mut scopes = vec![Scope {
        path: module.clone(),
        depth: 0,
        skipped: false,
    }];
    krate.modules.entry(module.clone()).or_default().file = file.to_path_buf();
    let mut depth = 0;
    let mut cfg_test = false;
    let mut macro_export = false;
    let mut public = false;
    let mut i = 0;
    let ident = |i: usize| match toks.get(i) {
        Some(Token::Ident(s)) => Some(s.as_str()),
        _ => None,
    };
    while i < toks.len() {
        let scope = scopes.last().expect("the file's module");
        let at_items = depth == scope.depth && !scope.skipped;
        match &toks[i] {
            Token::Punct('#') => {
                // An attribute: `#[…]` or `#![…]`.
                let mut j = i + 1;
                if toks.get(j) == Some(&Token::Punct('!')) {
                    j += 1;
                }
                if toks.get(j) == Some(&Token::Punct('[')) {
                    let end = matching(&toks, j, '[', ']');
                    let words: Vec<&str> = (j..end).filter_map(ident).collect();
                    if words.first() == Some(&"cfg")
                        && words.contains(&"test")
                        && !words.contains(&"not")
                    {
                        cfg_test = true;
                    }
                    if words == ["macro_export"] {
                        macro_export = true;
                    }
                    i = end + 1;
                    continue;
                }
                i += 1;
                continue;
            }
            Token::Punct('{') => {
                depth += 1;
                i += 1;
                continue;
            }
            Token::Punct('}') => {
                if depth == scope.depth && scopes.len() > 1 {
                    scopes.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
                continue;
            }
            Token::Punct(';') => {
                if at_items {
                    cfg_test = false;
                    macro_export = false;
                    public = false;
                }
                i += 1;
                continue;
            }
            Token::Ident(w) if at_items && w == "pub" => {
                public = true;
                i += 1;
                if toks.get(i) == Some(&Token::Punct('(')) {
                    i = matching(&toks, i, '(', ')') + 1;
                }
                continue;
            }
            Token::Ident(w) if at_items && w == "mod" => {
                let name = ident(i + 1).unwrap_or_default().to_string();
                let mut path = scope.path.clone();
                path.push(name.clone());
                let skipped = cfg_test;
                if !skipped {
                    krate
                        .modules
                        .get_mut(&scope.path)
                        .expect("the current module is recorded")
                        .children
                        .insert(name.clone());
                }
                match toks.get(i + 2) {
                    Some(Token::Punct(';')) => {
                        if !skipped {
                            // The file's children are relative to the file's module.
                            let rel = path[module.len()..].to_vec();
                            children.push((rel, path));
                        }
                        i += 3;
                    }
                    Some(Token::Punct('{')) => {
                        if !skipped {
                            krate.modules.entry(path.clone()).or_default().file =
                                file.to_path_buf();
                        }
                        depth += 1;
                        scopes.push(Scope {
                            path,
                            depth,
                            skipped,
                        });
                        i += 3;
                    }
                    _ => i += 2,
                }
                cfg_test = false;
                macro_export = false;
                public = false;
                continue;
            }
            Token::Ident(w) if w == "use" && !scope.skipped => {
                let end = (i..toks.len())
                    .find(|&j| toks[j] == Token::Punct(';'))
                    .unwrap_or(toks.len());
                let mut found = Vec::new();
                use_tree(&toks[i + 1..end], &[], &mut found);
                let m = krate.modules.get_mut(&scope.path).expect("recorded");
                for (path, glob, alias) in found {
                    m.named.push(Named {
                        path,
                        glob,
                        public: public && !cfg_test,
                        alias,
                        in_use: true,
                    });
                }
                public = false;
                cfg_test = false;
                i = end + 1;
                continue;
            }
            Token::Ident(w)
                if at_items
                    && [
                        "fn", "struct", "enum", "trait", "type", "const", "static", "union",
                    ]
                    .contains(&w.as_str()) =>
            {
                if let Some(name) = ident(i + 1) {
                    if name != "fn" && name != "_" && !cfg_test {
                        let m = krate.modules.get_mut(&scope.path).expect("recorded");
                        m.items.insert(name.to_string());
                    }
                }
                cfg_test = false;
                macro_export = false;
                public = false;
                i += 1;
                continue;
            }
            Token::Ident(w) if at_items && w == "macro_rules" => {
                if let Some(name) = ident(i + 2) {
                    let m = krate.modules.get_mut(&scope.path).expect("recorded");
                    m.items.insert(name.to_string());
                    if macro_export {
                        krate
                            .exported_macros
                            .insert(name.to_string(), scope.path.clone());
                    }
                }
                macro_export = false;
                i += 1;
                continue;
            }
            Token::Ident(w)
                if !scope.skipped
                    && (w == "crate" || w == "super" || w == "self")
                    && toks.get(i + 1) == Some(&Token::PathSep)
                    && toks.get(i.wrapping_sub(1)) != Some(&Token::PathSep) =>
            {
                // A path in the code: `crate::a::b(…)`, `super::X`.
                let mut path = vec![w.clone()];
                let mut j = i + 1;
                while toks.get(j) == Some(&Token::PathSep) {
                    match ident(j + 1) {
                        Some(s) => path.push(s.to_string()),
                        None => break,
                    }
                    j += 2;
                }
                let alias = path.last().cloned().unwrap_or_default();
                let m = krate.modules.get_mut(&scope.path).expect("recorded");
                m.named.push(Named {
                    path,
                    glob: false,
                    public: false,
                    alias,
                    in_use: false,
                });
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    children
}

/// The index of the bracket closing the one at `open`.
fn matching(toks: &[Token], open: usize, l: char, r: char) -> usize {
    let mut depth = 0;
    for (j, t) in toks.iter().enumerate().skip(open) {
        if *t == Token::Punct(l) {
            depth += 1;
        } else if *t == Token::Punct(r) {
            depth -= 1;
            if depth == 0 {
                return j;
            }
        }
    }
    toks.len()
}

/// A use tree's leaf: its path, whether it is a glob, the name it brings in.
type Leaf = (Vec<String>, bool, String);

/// Flattens a use tree (`a::{b, c::d as e, f::*}`) into (path, glob, alias) leaves.
fn use_tree(toks: &[Token], prefix: &[String], out: &mut Vec<Leaf>) {
    let mut path = prefix.to_vec();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Token::Ident(w) if w == "as" => {
                if let Some(Token::Ident(alias)) = toks.get(i + 1) {
                    let alias = alias.clone();
                    out.push((std::mem::take(&mut path), false, alias));
                }
                i += 2;
                path = prefix.to_vec();
                // Skip to the next comma at this level.
                while i < toks.len() && toks[i] != Token::Punct(',') {
                    i += 1;
                }
            }
            Token::Ident(w) => {
                path.push(w.clone());
                i += 1;
            }
            Token::PathSep => i += 1,
            Token::Punct('*') => {
                out.push((std::mem::take(&mut path), true, String::new()));
                path = prefix.to_vec();
                i += 1;
            }
            Token::Punct('{') => {
                let end = matching(toks, i, '{', '}');
                // Split the group at its top-level commas.
                let mut start = i + 1;
                let mut depth = 0;
                for j in i + 1..end {
                    match toks[j] {
                        Token::Punct('{') => depth += 1,
                        Token::Punct('}') => depth -= 1,
                        Token::Punct(',') if depth == 0 => {
                            use_tree(&toks[start..j], &path, out);
                            start = j + 1;
                        }
                        _ => {}
                    }
                }
                use_tree(&toks[start..end], &path, out);
                path = prefix.to_vec();
                i = end + 1;
            }
            Token::Punct(',') => {
                leaf(&mut path, prefix, out);
                i += 1;
            }
            _ => i += 1,
        }
    }
    leaf(&mut path, prefix, out);
}

fn leaf(path: &mut Vec<String>, prefix: &[String], out: &mut Vec<Leaf>) {
    if path.len() > prefix.len() {
        let mut p = std::mem::take(path);
        // `a::{self}` names `a`.
        if p.last().is_some_and(|s| s == "self") && p.len() > 1 {
            p.pop();
        }
        let alias = p.last().cloned().unwrap_or_default();
        out.push((p, false, alias));
    }
    *path = prefix.to_vec();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(src: &str) -> Vec<String> {
        let toks = tokens(src);
        let mut out = Vec::new();
        use_tree(&toks, &[], &mut out);
        out.into_iter()
            .map(|(p, glob, alias)| match glob {
                true => format!("{}::*", p.join("::")),
                false => format!("{} as {alias}", p.join("::")),
            })
            .collect()
    }

    #[test]
    fn use_trees_flatten_to_their_leaves() {
        assert_eq!(leaves("crate::a::B"), ["crate::a::B as B"]);
        assert_eq!(
            leaves("crate::{a::{self, B}, c::D as E, f::*}"),
            [
                "crate::a as a",
                "crate::a::B as B",
                "crate::c::D as E",
                "crate::f::*"
            ]
        );
        assert_eq!(
            leaves("super::x::{y, z}"),
            ["super::x::y as y", "super::x::z as z"]
        );
    }
}
