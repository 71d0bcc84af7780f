//! Lists the scenario files of `tests/scenarios/` at build time: `$OUT_DIR/scenarios.rs`
//! defines `TOURS: &[(&str, &str)]`, (path under tests/scenarios, title), for the page's tour
//! picker (the page fetches a file when it is picked: Trunk copies the folder to
//! `dist/scenarios/`, so the scripts are not part of the first download), and `SCENARIOS`,
//! (path, file text), which only the wasm tests use.

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

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    // KRaft's scenarios only when the page has KRaft (the `kraft` feature).
    if std::env::var_os("CARGO_FEATURE_KRAFT").is_none() {
        files.retain(|f| !f.starts_with(root.join("kraft")));
    }
    files.sort();
    let mut code = String::from(
        "/// Scenario files: (path under tests/scenarios, text).\n#[allow(dead_code)]\npub const SCENARIOS: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.canonicalize().unwrap().display().to_string()
        ));
    }
    code.push_str(
        "];\n/// Scenario files as (path, title), the guided tours of `tours/` first.\npub const TOURS: &[(&str, &str)] = &[\n",
    );
    let mut ordered: Vec<&PathBuf> = files.iter().collect();
    ordered.sort_by_key(|f| (!f.starts_with(root.join("tours")), f.to_path_buf()));
    for f in ordered {
        let rel = f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(f).unwrap();
        let title = text.lines().find_map(|l| l.strip_prefix("# ")).unwrap_or(&rel).trim().to_string();
        code.push_str(&format!("    ({rel:?}, {title:?}),\n"));
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("scenarios.rs");
    std::fs::write(out, code).unwrap();
}
