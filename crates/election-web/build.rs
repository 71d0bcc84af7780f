//! Embeds every scenario file of `tests/scenarios/` at build time, for the wasm tests (and
//! for the page's guided scenarios): `$OUT_DIR/scenarios.rs` defines
//! `SCENARIOS: &[(&str, &str)]` as (path under tests/scenarios, file text), and `TOURS`, the
//! same files without their recorded output (the page runs the commands itself; the golden
//! output would only add bytes to the download).

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

/// Drops each block's `----` line and the output under it (up to the blank line that ends it).
fn strip_output(text: &str) -> String {
    let mut out = String::new();
    let mut in_output = false;
    for line in text.lines() {
        if in_output {
            in_output = !line.trim().is_empty();
            if in_output {
                continue;
            }
        } else if line.trim() == "----" {
            in_output = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
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
        "];\n/// Scenario files without their recorded output: (path, title, script), the guided tours of\n/// `tours/` first.\n#[allow(dead_code)]\npub const TOURS: &[(&str, &str, &str)] = &[\n",
    );
    let mut ordered: Vec<&PathBuf> = files.iter().collect();
    ordered.sort_by_key(|f| (!f.starts_with(root.join("tours")), f.to_path_buf()));
    for f in ordered {
        let rel = f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(f).unwrap();
        let title = text.lines().find_map(|l| l.strip_prefix("# ")).unwrap_or(&rel).trim().to_string();
        code.push_str(&format!("    ({rel:?}, {title:?}, {:?}),\n", strip_output(&text)));
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("scenarios.rs");
    std::fs::write(out, code).unwrap();
}
