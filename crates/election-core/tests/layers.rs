//! The crate's layers, checked from its source: `engine` imports only itself, `replication`
//! (building blocks several algorithms share: Kafka's partition replication) imports only the
//! engine, an algorithm imports only the engine and `replication` (never another algorithm),
//! the registry imports the algorithms and the layers below them, and `lab` sits on top. No two
//! files import each other, directly or in a ring, except inside one algorithm's own folder,
//! and no file but `lib.rs` names the crate-root re-exports, which would hide where an item
//! lives.
//!
//! An import is any `crate::`, `super::` or `self::` path outside `#[cfg(test)]` modules (test
//! code may reach anywhere). A path resolves to the deepest file it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A source file as its module path from the crate root (`["engine", "sim"]`).
type Module = Vec<String>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/` as its module path (`mod.rs` and `lib.rs` name their folder).
fn modules() -> BTreeMap<Module, PathBuf> {
    fn walk(dir: &Path, prefix: &Module, out: &mut BTreeMap<Module, PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            let name = path.file_stem().unwrap().to_str().unwrap().to_string();
            if path.is_dir() {
                let mut p = prefix.clone();
                p.push(name);
                walk(&path, &p, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut m = prefix.clone();
                if name != "mod" && name != "lib" {
                    m.push(name);
                }
                out.insert(m, path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&src(), &Vec::new(), &mut out);
    out
}

/// The file's text without comments and without its `#[cfg(test)]` modules.
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut skip_depth: Option<i32> = None;
    let mut depth = 0;
    let mut pending_test = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        if t.starts_with("#[cfg(test)]") {
            pending_test = true;
            continue;
        }
        if pending_test && t.starts_with("mod ") && t.ends_with('{') && skip_depth.is_none() {
            skip_depth = Some(depth);
        }
        pending_test = false;
        let opens = line.matches('{').count() as i32;
        let closes = line.matches('}').count() as i32;
        depth += opens - closes;
        if let Some(d) = skip_depth {
            if depth <= d {
                skip_depth = None;
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The module paths a file's code names, each resolved from `here` (the file's module).
fn imports(here: &Module, text: &str) -> Vec<Module> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        let starts = ["crate::", "super::", "self::"]
            .into_iter()
            .find(|s| bytes[i..].starts_with(s.as_bytes()) && (i == 0 || !ident(bytes[i - 1])));
        let Some(start) = starts else {
            i += 1;
            continue;
        };
        // The base module of the path.
        let mut base: Module = match start {
            "crate::" => Vec::new(),
            _ => {
                // `a/b.rs` is module a::b and `a/mod.rs` module a: either way `super` drops
                // the last segment.
                let mut m = here.clone();
                if start == "super::" {
                    m.pop();
                }
                m
            }
        };
        let mut j = i + start.len();
        // Further `super::` steps.
        while text[j..].starts_with("super::") {
            base.pop();
            j += "super::".len();
        }
        // Segments up to a brace group or the end of the path.
        let rest = &text[j..];
        let end =
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
        let path = &rest[..end];
        let mut segs = base.clone();
        segs.extend(path.split("::").filter(|s| !s.is_empty()).map(str::to_string));
        if rest[end..].starts_with('{') {
            let close = rest[end..].find('}').map_or(rest.len(), |c| end + c);
            for item in rest[end + 1..close].split(',') {
                let mut s = segs.clone();
                s.extend(item.trim().split("::").filter(|x| !x.is_empty()).map(str::to_string));
                found.push(s);
            }
            i = j + close;
        } else {
            found.push(segs);
            i = j + end;
        }
    }
    found
}

/// The deepest known file a path names (the crate root when it names none).
fn resolve(path: &Module, files: &BTreeMap<Module, PathBuf>) -> Module {
    (0..=path.len()).rev().map(|k| path[..k].to_vec()).find(|m| files.contains_key(m)).unwrap_or_default()
}

/// The unit cycles are counted in: an algorithm's folder is one unit.
fn unit(m: &Module) -> String {
    if m.first().is_some_and(|s| s == "algorithms") && m.len() >= 2 {
        format!("algorithms::{}", m[1])
    } else if m.is_empty() {
        "lib".into()
    } else {
        m.join("::")
    }
}

/// Layer rank: engine 0, replication 1, algorithms 2, registry 3, lab 4, the crate root 5.
fn layer(m: &Module) -> u8 {
    match m.first().map(String::as_str) {
        Some("engine") => 0,
        Some("replication") => 1,
        Some("algorithms") => 2,
        Some("registry") => 3,
        Some("lab") => 4,
        _ => 5,
    }
}

/// The ranks of the shared building blocks and of the algorithms.
const REPLICATION: u8 = 1;
const ALGORITHMS: u8 = 2;

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let files = modules();
    let mut g = BTreeMap::new();
    for (m, path) in &files {
        let text = code(&std::fs::read_to_string(path).unwrap());
        let targets: BTreeSet<Module> =
            imports(m, &text).iter().map(|p| resolve(p, &files)).filter(|t| t != m).collect();
        g.insert(m.clone(), targets);
    }
    g
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let mut wrong = Vec::new();
    for (from, targets) in graph() {
        for to in targets {
            let (lf, lt) = (layer(&from), layer(&to));
            let root = to.is_empty() && !from.is_empty();
            let other_algorithm =
                lf == ALGORITHMS && lt == ALGORITHMS && unit(&from) != unit(&to) && to.len() >= 2;
            // `algorithms/mod.rs` declares every algorithm: it is their parent, not a peer.
            let declared = from == ["algorithms"] && lt == ALGORITHMS;
            if root || (lt > lf) || (other_algorithm && !declared) {
                wrong.push(format!(
                    "{} imports {}",
                    unit(&from),
                    if root { "the crate root".into() } else { to.join("::") }
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layering:\n{}", wrong.join("\n"));
}

#[test]
fn no_import_cycles_outside_one_algorithm_folder() {
    let mut units: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, targets) in graph() {
        let f = unit(&from);
        let entry = units.entry(f.clone()).or_default();
        for t in targets {
            let t = unit(&t);
            if t != f {
                entry.insert(t);
            }
        }
    }
    // Depth-first search for a back edge; report the ring it closes.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(pos) = stack.iter().position(|s| s == n) {
            let mut ring = stack[pos..].to_vec();
            ring.push(n.to_string());
            return Some(ring);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for next in g.get(n).into_iter().flatten() {
            if let Some(ring) = visit(next, g, stack, done) {
                return Some(ring);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in units.keys() {
        if let Some(ring) = visit(n, &units, &mut Vec::new(), &mut done) {
            panic!("import cycle: {}", ring.join(" -> "));
        }
    }
}

#[test]
fn the_checker_sees_imports() {
    // Not vacuous: the engine's simulation imports the protocol and the trace, the lab's
    // scenario runner imports the session spec, and both Kafka modes import the shared
    // replication layer.
    let g = graph();
    let m = |s: &str| s.split("::").map(str::to_string).collect::<Module>();
    assert!(g[&m("engine::sim")].contains(&m("engine::protocol")));
    assert!(g[&m("engine::sim")].contains(&m("engine::trace")));
    assert!(g[&m("lab::scenario::runner")].contains(&m("lab::spec")));
    assert!(g[&m("registry")].contains(&m("algorithms")));
    for mode in ["algorithms::kafka", "algorithms::kraft"] {
        assert!(
            g.iter().any(|(from, to)| unit(from) == mode && to.iter().any(|t| layer(t) == REPLICATION)),
            "{mode} imports nothing from replication"
        );
    }
}
