//! `election-cli`: run scenario files and seed sweeps natively.
//!
//! ```text
//! election-cli run FILE [--check]          run a scenario; print it with actual outputs
//!                                           (--check: exit 1 if they differ from the file)
//! election-cli sweep --algo raft --seeds N [--start S] [--chaos-ms MS]
//! election-cli sweep --algo raft --seed S [--trace]   replay one seed
//! ```

use std::process::ExitCode;
use std::time::Instant;

use election_core::sweep::{SweepPlan, repro_command, run_seed, run_seed_session, spec_for_seed};
use election_core::{Algorithm, ms};

const USAGE: &str = "usage:
  election-cli run FILE [--check]
  election-cli sweep --algo ALGO (--seeds N [--start S] | --seed S [--trace]) [--chaos-ms MS]
algorithms: raft";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => cmd_run(&args[1..]),
        Some("sweep") => cmd_sweep(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Value of `--name VALUE`.
fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

fn number(args: &[String], name: &str) -> Result<Option<u64>, String> {
    flag(args, name)
        .map(|v| v.parse::<u64>().map_err(|_| format!("{name} needs a number, got '{v}'")))
        .transpose()
}

fn cmd_run(args: &[String]) -> Result<ExitCode, String> {
    let path = args.iter().find(|a| !a.starts_with("--")).ok_or("run needs a scenario FILE")?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let (out, _) = election_core::scenario::run_script(&text);
    print!("{out}");
    if args.iter().any(|a| a == "--check") && out != text {
        eprintln!("{path}: output differs from the file (run with UPDATE_GOLDEN=1 in the tests to accept)");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_sweep(args: &[String]) -> Result<ExitCode, String> {
    let algorithm: Algorithm =
        flag(args, "--algo").unwrap_or("raft").parse().map_err(|e: election_core::Error| e.to_string())?;
    let mut plan = SweepPlan::default();
    if let Some(c) = number(args, "--chaos-ms")? {
        plan.chaos = ms(c);
    }
    if let Some(seed) = number(args, "--seed")? {
        let (o, session) = run_seed_session(algorithm, seed, &plan);
        if args.iter().any(|a| a == "--trace") {
            println!("# spec: {}", spec_for_seed(algorithm, seed, &plan).to_json());
            println!(
                "# chaos until {}, then heal everything and wait for a leader",
                election_core::fmt_time(plan.chaos)
            );
            for e in session.trace() {
                println!("{e}");
            }
            println!("# final state");
            for line in election_core::scenario::status_lines(&session) {
                println!("{line}");
            }
            if let Some(panel) = session.view().panel {
                println!("# {}: {}", panel.title, panel.columns.join(" | "));
                for row in panel.rows {
                    println!("#   {}", row.join(" | "));
                }
            }
        }
        println!(
            "seed {seed}: violations={} recovery={} steps={}",
            o.violations,
            o.recovery.map_or("none".into(), election_core::fmt_time),
            o.steps
        );
        if let Some(v) = &o.first_violation {
            println!("first violation: {v}");
        }
        return Ok(if o.ok() { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    let seeds = number(args, "--seeds")?.unwrap_or(1_000);
    let start = number(args, "--start")?.unwrap_or(0);
    let began = Instant::now();
    let (mut failed, mut steps, mut worst) = (0u64, 0u64, 0u64);
    for seed in start..start + seeds {
        let o = run_seed(algorithm, seed, &plan);
        steps += o.steps;
        worst = worst.max(o.recovery.unwrap_or(0));
        if !o.ok() {
            failed += 1;
            eprintln!(
                "FAIL seed {seed}: violations={} recovery={} first={}\n  reproduce: {}",
                o.violations,
                o.recovery.map_or("none".into(), election_core::fmt_time),
                o.first_violation.as_deref().unwrap_or("-"),
                repro_command(algorithm, seed)
            );
        }
        if (seed - start + 1) % 500 == 0 {
            eprintln!("  {}/{seeds} seeds, {failed} failed", seed - start + 1);
        }
    }
    let secs = began.elapsed().as_secs_f64();
    println!(
        "{algorithm}: {seeds} seeds from {start}, {failed} failed, {steps} steps, slowest recovery {}, {:.1}s ({:.0} steps/s)",
        election_core::fmt_time(worst),
        secs,
        steps as f64 / secs.max(1e-9)
    );
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
