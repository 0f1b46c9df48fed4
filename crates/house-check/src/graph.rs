//! The file-level import graph of a crate and its cycles (strongly connected components).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::scan::{Crate, ModPath, Named};

/// `from` imports `names` from `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: PathBuf,
    pub to: PathBuf,
    pub names: Vec<String>,
}

/// Files that import each other in a loop, and the imports that tie them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub files: Vec<PathBuf>,
    pub edges: Vec<Edge>,
}

impl std::fmt::Display for Edge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} -> {}: {}",
            self.from.display(),
            self.to.display(),
            self.names.join(", ")
        )
    }
}

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let files: Vec<String> = self.files.iter().map(|p| p.display().to_string()).collect();
        writeln!(
            f,
            "import cycle of {} files: {}",
            files.len(),
            files.join(", ")
        )?;
        for e in &self.edges {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

/// The crate's imports between files: (from, to) → the names used.
pub fn edges(krate: &Crate) -> BTreeMap<(PathBuf, PathBuf), BTreeSet<String>> {
    let mut out: BTreeMap<(PathBuf, PathBuf), BTreeSet<String>> = BTreeMap::new();
    for (_, module, file, name, _) in module_edges(krate) {
        out.entry((module.file.clone(), file))
            .or_default()
            .insert(name);
    }
    out
}

/// Imports from a module under `rooms` (`["pages"]`: `crate::pages::X…`) into another module
/// under it (`crate::pages::Y…`): one room reaching into another's insides, sorted.
pub fn crossings(krate: &Crate, rooms: &[&str]) -> Vec<Edge> {
    let depth = rooms.len();
    let room_of = |p: &ModPath| -> Option<String> {
        (p.len() > depth && p.iter().zip(rooms).all(|(a, b)| a == b)).then(|| p[depth].clone())
    };
    let mut out: BTreeMap<(PathBuf, PathBuf), BTreeSet<String>> = BTreeMap::new();
    for (from, module, file, name, target) in module_edges(krate) {
        if let (Some(a), Some(b)) = (room_of(from), room_of(&target)) {
            if a != b {
                out.entry((module.file.clone(), file))
                    .or_default()
                    .insert(name);
            }
        }
    }
    out.into_iter()
        .map(|((from, to), names)| Edge {
            from,
            to,
            names: names.into_iter().collect(),
        })
        .collect()
}

/// Every import between files: (from module, its module, to file, name, to module).
fn module_edges(krate: &Crate) -> Vec<(&ModPath, &crate::scan::Module, PathBuf, String, ModPath)> {
    let mut out = Vec::new();
    for (path, module) in &krate.modules {
        for named in module.named.iter().filter(|n| !n.public) {
            if let Some((file, name, target)) = resolve(krate, path, named, 0) {
                // A module's children are its parts: what they take from it (or from its
                // ancestors) is no import between rooms.
                let ancestor = target.len() < path.len() && path.starts_with(&target);
                if file != module.file && !ancestor {
                    out.push((path, module, file, name, target));
                }
            }
        }
    }
    out
}

/// The file that defines what `named` names in module `scope`, and the item's name.
fn resolve(krate: &Crate, scope: &ModPath, named: &Named, hops: usize) -> Option<Found> {
    if hops > 8 {
        return None;
    }
    let first = named.path.first()?;
    let mut abs: ModPath;
    let rest: &[String];
    match first.as_str() {
        "crate" => {
            abs = Vec::new();
            rest = &named.path[1..];
        }
        "self" | "super" => {
            abs = scope.clone();
            let supers = named.path.iter().take_while(|s| *s == "super").count();
            for _ in 0..supers {
                abs.pop()?;
            }
            let skip = if first == "self" { 1 } else { supers };
            rest = &named.path[skip..];
        }
        name if krate
            .modules
            .get(scope)
            .is_some_and(|m| m.children.contains(name)) =>
        {
            abs = scope.clone();
            rest = &named.path[..];
        }
        _ => return None,
    }
    abs.extend(rest.iter().cloned());
    resolve_absolute(krate, &abs, named.glob, hops)
}

fn resolve_absolute(krate: &Crate, abs: &[String], glob: bool, hops: usize) -> Option<Found> {
    // The longest prefix that is a module.
    let mut m: ModPath = Vec::new();
    for seg in abs {
        let mut next = m.clone();
        next.push(seg.clone());
        if krate.modules.contains_key(&next) {
            m = next;
        } else {
            break;
        }
    }
    let module = krate.modules.get(&m)?;
    let rest = &abs[m.len()..];
    let Some(name) = rest.first() else {
        let name = if glob {
            "*".to_string()
        } else {
            m.last().cloned().unwrap_or_default()
        };
        return Some((module.file.clone(), name, m));
    };
    if module.items.contains(name) {
        return Some((module.file.clone(), name.clone(), m));
    }
    if m.is_empty() {
        if let Some(def) = krate.exported_macros.get(name) {
            return Some((
                krate.modules.get(def)?.file.clone(),
                name.clone(),
                def.clone(),
            ));
        }
    }
    // Brought into that module by a `use` (a re-export, or a name its children may take).
    if let Some(via) = module
        .named
        .iter()
        .find(|n| n.in_use && !n.glob && &n.alias == name)
    {
        let mut path = via.path.clone();
        path.extend(rest[1..].iter().cloned());
        let followed = Named {
            path,
            ..via.clone()
        };
        return resolve(krate, &m, &followed, hops + 1);
    }
    Some((module.file.clone(), name.clone(), m))
}

/// The file that defines an item, the item's name and the module it is in.
type Found = (PathBuf, String, ModPath);

/// Every cycle of the crate's file graph, each with its files and edges sorted.
pub fn cycles(krate: &Crate) -> Vec<Cycle> {
    let edges = edges(krate);
    let mut next: BTreeMap<&PathBuf, Vec<&PathBuf>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().push(to);
    }
    let mut nodes: BTreeSet<&PathBuf> = BTreeSet::new();
    for (from, to) in edges.keys() {
        nodes.insert(from);
        nodes.insert(to);
    }
    // Tarjan's strongly connected components.
    struct State<'a> {
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on_stack: BTreeSet<&'a PathBuf>,
        found: Vec<Vec<&'a PathBuf>>,
    }
    fn visit<'a>(
        v: &'a PathBuf,
        next: &BTreeMap<&'a PathBuf, Vec<&'a PathBuf>>,
        s: &mut State<'a>,
    ) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for &w in next.get(v).map(Vec::as_slice).unwrap_or_default() {
            if !s.index.contains_key(w) {
                visit(w, next, s);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w);
                if w == v {
                    break;
                }
            }
            s.found.push(component);
        }
    }
    let mut state = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in &nodes {
        if !state.index.contains_key(*v) {
            visit(v, &next, &mut state);
        }
    }
    let mut out: Vec<Cycle> = state
        .found
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|component| {
            let files: BTreeSet<PathBuf> = component.into_iter().cloned().collect();
            let edges = edges
                .iter()
                .filter(|((a, b), _)| files.contains(a) && files.contains(b))
                .map(|((a, b), names)| Edge {
                    from: a.clone(),
                    to: b.clone(),
                    names: names.iter().cloned().collect(),
                })
                .collect();
            Cycle {
                files: files.into_iter().collect(),
                edges,
            }
        })
        .collect();
    out.sort_by(|a, b| a.files.cmp(&b.files));
    out
}
