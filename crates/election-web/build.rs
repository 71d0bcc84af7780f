//! Lists the scenario files of `tests/scenarios/` at build time: `$OUT_DIR/scenarios.rs`
//! defines `TOURS: &[(&str, &str, &str)]`, (path under tests/scenarios, title, id of the
//! algorithm it runs), for the page's tour picker (the page fetches a file when it is picked:
//! Trunk copies the folder to `dist/scenarios/`, so the scripts are not part of the first
//! download), and `SCENARIOS`, (path, file text) of those this build can run, which only the
//! wasm tests use. The first download lists every guided tour but leaves the other scenarios
//! of the on-demand algorithms to the full lab, which lists them all: their titles would cost
//! the first download about a kilobyte.

use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "txt") {
            out.push(p);
        }
    }
}

/// The algorithms the page loads on demand (election-core's `algorithms::ON_DEMAND`; a build
/// script cannot ask the crate; a test of `full.rs` checks that the lists agree).
const ON_DEMAND: &[&str] = &["kafka", "kraft", "zookeeper-recipe", "etcd", "redis"];

/// The `algo=` of a scenario file's `config` line.
fn algorithm(text: &str) -> String {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("config "))
        .and_then(|c| c.split_whitespace().find_map(|w| w.strip_prefix("algo=")))
        .unwrap_or_default()
        .to_string()
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut paths = Vec::new();
    collect(&root, &mut paths);
    paths.sort();
    let files: Vec<(PathBuf, String)> = paths
        .into_iter()
        .map(|p| {
            println!("cargo:rerun-if-changed={}", p.display());
            (p.clone(), std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    // Every file is offered (one of an on-demand algorithm opens the full lab); the wasm tests
    // embed the texts of those the build can run.
    let full = std::env::var_os("CARGO_FEATURE_FULL").is_some();
    let runnable = files.iter().filter(|(_, text)| full || !ON_DEMAND.contains(&algorithm(text).as_str()));
    let mut code = String::from(
        "/// Scenario files: (path under tests/scenarios, text).\n#[allow(dead_code)]\npub const SCENARIOS: &[(&str, &str)] = &[\n",
    );
    for (f, _) in runnable {
        let rel = f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.canonicalize().unwrap().display().to_string()
        ));
    }
    code.push_str(
        "];\n/// Scenario files as (path, title, algorithm id), the guided tours of `tours/` first.\npub const TOURS: &[(&str, &str, &str)] = &[\n",
    );
    let tours = root.join("tours");
    let mut ordered: Vec<&(PathBuf, String)> = files
        .iter()
        .filter(|(f, text)| full || f.starts_with(&tours) || !ON_DEMAND.contains(&algorithm(text).as_str()))
        .collect();
    ordered.sort_by_key(|(f, _)| (!f.starts_with(&tours), f.to_path_buf()));
    for (f, text) in ordered {
        let rel = f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let title = text.lines().find_map(|l| l.strip_prefix("# ")).unwrap_or(&rel).trim().to_string();
        let algo = algorithm(text);
        code.push_str(&format!("    ({rel:?}, {title:?}, {algo:?}),\n"));
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("scenarios.rs");
    std::fs::write(out, code).unwrap();
}
