//! Golden scenarios: every `tests/scenarios/<algo>/*.txt` file is run and must reproduce its
//! recorded output exactly. `UPDATE_GOLDEN=1 cargo test -p election-core --test scenarios`
//! rewrites the files with what happened; review the change with `git diff`.

use std::path::{Path, PathBuf};

use election_core::scenario::run_script;

fn scenario_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

fn scenario_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![scenario_root()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("tests/scenarios exists") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "txt") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn golden_scenarios_reproduce_their_traces() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let files = scenario_files();
    assert!(files.len() >= 6, "expected the scenario files, found {files:?}");
    let mut failed = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable scenario");
        let (actual, runner) = run_script(&text);
        // A scenario may plant a violation on purpose only if its file name says so.
        let planted = path.file_name().is_some_and(|n| n.to_string_lossy().contains("violation"));
        if let Some(s) = runner.session() {
            if !planted && s.violations() > 0 {
                failed.push(format!("{}: {} invariant violation(s)", path.display(), s.violations()));
            }
        }
        if actual.contains("\nerror: ") && !path.to_string_lossy().contains("error") {
            failed.push(format!("{}: a command failed:\n{actual}", path.display()));
        }
        if actual != text {
            if update {
                std::fs::write(path, &actual).expect("writable scenario");
            } else {
                failed.push(format!(
                    "{} differs from what the simulation does now; rerun with UPDATE_GOLDEN=1 and review the diff.\n{}",
                    path.display(),
                    first_difference(&text, &actual)
                ));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

fn first_difference(expected: &str, actual: &str) -> String {
    for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            return format!("first difference at line {}:\n  file: {e}\n  now:  {a}", i + 1);
        }
    }
    format!("one is a prefix of the other ({} vs {} lines)", expected.lines().count(), actual.lines().count())
}

#[test]
fn every_scenario_is_a_tour_that_replays_exactly() {
    // The page plays scenario files as guided tours from (settings, seed, timed actions):
    // replaying that spec must give exactly the trace the script produced.
    for path in scenario_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let tour = election_core::scenario::tour(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!tour.title.is_empty(), "{} has no narration", path.display());
        let (_, runner) = run_script(&text);
        let mut replay = election_core::AnySession::new(tour.spec.clone()).unwrap();
        replay.advance_to(tour.end);
        assert_eq!(
            replay.trace_hash(),
            runner.session().unwrap().trace_hash(),
            "{}: the tour does not replay its scenario",
            path.display()
        );
    }
}

#[test]
fn every_tour_written_back_as_a_file_reads_as_the_same_tour() {
    // The page's tour recorder exports a tour with `write_tour`, and editing a tour in the page
    // starts from the file: written back, every scenario must read as the tour it was, and the
    // written file must be a golden scenario once `run_script` fills in its output.
    use election_core::scenario::{tour, write_tour};
    for path in scenario_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let read = tour(&text).unwrap();
        let written = write_tour(&read).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let again = tour(&written).unwrap_or_else(|e| panic!("{}: {e}\n{written}", path.display()));
        assert_eq!(again, read, "{}: written back, it reads as another tour:\n{written}", path.display());
        assert_eq!(write_tour(&again).unwrap(), written, "{}", path.display());
        let (golden, _) = run_script(&written);
        assert!(!golden.contains("\nerror:"), "{}: {golden}", path.display());
        assert_eq!(run_script(&golden).0, golden, "{}: not a stable golden file", path.display());
    }
}
