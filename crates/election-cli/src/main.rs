//! `election-cli`: run scenario files and seed sweeps natively.
//!
//! ```text
//! election-cli run FILE [--check]          run a scenario; print it with actual outputs
//!                                           (--check: exit 1 if they differ from the file)
//! election-cli sweep --algo raft --seeds N [--start S] [--chaos-ms MS]
//! election-cli sweep --algo raft --seed S [--trace]   replay one seed
//! election-cli check --algo raft --nodes 5 --break figure8   search for a counterexample
//! ```

use std::process::ExitCode;
use std::time::Instant;

use election_core::sweep::{SweepPlan, repro_command, run_seed, run_seed_session, spec_for_seed};
use election_core::{Algorithm, ms};

const USAGE: &str = "usage:
  election-cli run FILE [--check]
  election-cli sweep --algo ALGO (--seeds N [--start S] | --seed S [--trace]) [--chaos-ms MS] [--max-nodes N]
                    [--set KEY=VALUE]... [--drift PPMppm]    (--set instances=5 sweeps Redlock)
  election-cli fig16 [--trials N] [--servers 5|9] [--latency RANGE] [--disk RANGE] [--seed S]
                    [--csv FILE] [--svg FILE]       Raft's Figure 16 (fig16 --help explains)
  election-cli bench [--minutes M]
  election-cli compare [--nodes N] [--seed S] [--preset classroom|production]
                                                  every algorithm under each fault script: the page's comparison table
  election-cli tours [--questions] FILE...       list scenario files as guided tours (duration, steps, questions)
  election-cli memory [--hours H] [--algo ALGO]   a session as the page keeps it, a client write every 10 s:
                                                  heap per simulated hour and the slowest seek
  election-cli check --algo ALGO [--nodes N] [--break RULE,...] [--faults crash=3,partition=1,...]
                     [--depth D] [--seed S] [--shard i/n] [--out FILE] ...
                                                  search for the shortest run that violates an invariant
                                                  (check --help for every option)";

/// The usage text with the registered algorithms.
fn usage() -> String {
    let ids: Vec<&str> = Algorithm::ALL.iter().map(|a| a.id()).collect();
    format!("{USAGE}\nalgorithms: {}", ids.join(", "))
}

/// The system allocator with counters: `memory` reports the heap a long session holds,
/// exactly and whatever else the machine is doing.
#[global_allocator]
static GLOBAL: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

/// Bytes allocated and not yet freed.
fn heap_bytes() -> usize {
    let s = GLOBAL.stats();
    // Reallocations are already counted in both totals.
    s.bytes_allocated.saturating_sub(s.bytes_deallocated)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--help` after a subcommand prints the usage instead of running it (fig16 and check have
    // help of their own).
    let own_help = matches!(args.first().map(String::as_str), Some("fig16" | "check"));
    if !own_help && args.iter().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{}", usage());
        return ExitCode::SUCCESS;
    }
    let result = match args.first().map(String::as_str) {
        Some("run") => cmd_run(&args[1..]),
        Some("sweep") => cmd_sweep(&args[1..]),
        Some("fig16") => cmd_fig16(&args[1..]),
        Some("bench") => cmd_bench(&args[1..]),
        Some("tours") => cmd_tours(&args[1..]),
        Some("compare") => cmd_compare(&args[1..]),
        Some("memory") => cmd_memory(&args[1..]),
        Some("check") => cmd_check(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{}", usage());
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(usage()),
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
    // A closed pipe (`election-cli run FILE | head`) ends the output quietly, not in a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
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
        plan.chaos = ms(c.min(3_600_000));
    }
    if let Some(n) = number(args, "--max-nodes")? {
        plan.max_nodes = n.clamp(1, election_core::MAX_NODES as u64) as usize;
    }
    for (i, a) in args.iter().enumerate() {
        if a != "--set" {
            continue;
        }
        let kv = args.get(i + 1).ok_or("--set needs KEY=VALUE")?;
        let (k, v) = kv.split_once('=').ok_or_else(|| format!("--set needs KEY=VALUE, got '{kv}'"))?;
        // Checked once here, on the algorithm's defaults, so that no seed meets a bad setting.
        algorithm.default_config().settings_mut().set(k, v)?;
        plan.settings.push((k.to_string(), v.to_string()));
    }
    if let Some(d) = flag(args, "--drift") {
        plan.drift_ppm = election_core::clock::parse_ppm(d)
            .filter(|&p| p <= election_core::clock::MAX_DRIFT_PPM)
            .ok_or_else(|| {
                format!(
                    "--drift needs a rate such as 200ppm (at most {}ppm), got '{d}'",
                    election_core::clock::MAX_DRIFT_PPM
                )
            })?;
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
    let (mut failed, mut steps, mut worst, mut worst_seed) = (0u64, 0u64, 0u64, start);
    for seed in start..start + seeds {
        let o = run_seed(algorithm, seed, &plan);
        steps += o.steps;
        if o.recovery.unwrap_or(0) > worst {
            worst = o.recovery.unwrap_or(0);
            worst_seed = seed;
        }
        if !o.ok() {
            failed += 1;
            eprintln!(
                "FAIL seed {seed}: violations={} recovery={} first={}\n  reproduce: {}",
                o.violations,
                o.recovery.map_or("none".into(), election_core::fmt_time),
                o.first_violation.as_deref().unwrap_or("-"),
                repro_command(algorithm, seed, &plan)
            );
        }
        if (seed - start + 1) % 500 == 0 {
            eprintln!("  {}/{seeds} seeds, {failed} failed", seed - start + 1);
        }
    }
    let secs = began.elapsed().as_secs_f64();
    println!(
        "{algorithm}: {seeds} seeds from {start}, {failed} failed, {steps} steps, slowest recovery {} (seed {worst_seed}), {:.1}s ({:.0} steps/s)",
        election_core::fmt_time(worst),
        secs,
        steps as f64 / secs.max(1e-9)
    );
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `fig16 --help`: what the experiment does and what each flag changes.
fn fig16_help() -> String {
    use election_core::experiments::{DISK_WRITE_US, Fig16, LAN_LATENCY_US};
    let d = Fig16::default();
    format!(
        "usage: election-cli fig16 [--trials N] [--servers N] [--latency RANGE] [--disk RANGE] [--seed S]
                          [--ranges LIST] [--csv FILE] [--svg FILE]

Reproduces the Raft paper's Figure 16 (Raft section 9.3; dissertation section 9.4): a
leader is crashed and the time until every survivor hears a new leader is measured, for
each election-timeout range of the paper's two panels. The leader first sends one
synchronized heartbeat (all followers' timers restart together) together with three new
entries that half of the followers never get (they cannot win); it crashes at a random
point of its heartbeat interval (half the minimum timeout).

  --trials N        trials per range (default {trials}; 150-150 ms runs a tenth, as the paper)
  --servers N       cluster size, 3..=15 (default {servers}; the paper also tried 9)
  --latency RANGE   one-way network latency, e.g. 100..200us or 7ms (default {l0}..{l1}us,
                    a gigabit LAN). Raise it to see elections wait on the network.
  --disk RANGE      time of one durable write (fsync), e.g. 5ms, or 0 for an instant disk
                    (default {d0}..{d1}us, a small fsync on the paper's SSDs; the value
                    is a fit within published bounds, see experiments::DISK_WRITE_US).
                    A candidate writes its term and vote before it asks for votes, a voter
                    before it replies, a follower before it acknowledges entries: a slower
                    disk widens the window in which servers time out together and split
                    the vote. Try 0, 5ms, and 14ms (the caption's 15 ms broadcast time as
                    one write: the 12-24 ms range then never elects a leader).
  --ranges LIST     only these timeout ranges in ms, e.g. 150-155,12-24 (default: the paper's)
  --seed S          seed of every random choice (default {seed})
  --csv FILE        every trial's downtime
  --svg FILE        the CDFs in the paper's two panels",
        trials = d.trials,
        servers = d.servers,
        l0 = LAN_LATENCY_US.0,
        l1 = LAN_LATENCY_US.1,
        d0 = DISK_WRITE_US.0,
        d1 = DISK_WRITE_US.1,
        seed = d.seed,
    )
}

/// A time range flag: `100..200us`, one duration (`7ms`), or `0`.
fn time_range(args: &[String], name: &str) -> Result<Option<(u64, u64)>, String> {
    use election_core::engine::units::{parse_duration, parse_range};
    let Some(v) = flag(args, name) else { return Ok(None) };
    let r =
        if v == "0" { Some((0, 0)) } else { parse_range(v).or_else(|| parse_duration(v).map(|d| (d, d))) };
    match r {
        Some((lo, hi)) if lo <= hi && hi <= 1_000_000 => Ok(Some((lo, hi))),
        _ => Err(format!("{name} needs a range up to 1s such as 100..200us or 7ms, got '{v}'")),
    }
}

fn cmd_fig16(args: &[String]) -> Result<ExitCode, String> {
    use election_core::experiments::{BOTTOM_RANGES, Fig16, TOP_RANGES, cdf_svg, paper_figure, run_range};
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{}", fig16_help());
        return Ok(ExitCode::SUCCESS);
    }
    let mut cfg = Fig16::default();
    if let Some(l) = time_range(args, "--latency")? {
        cfg.latency_us = l;
    }
    if let Some(d) = time_range(args, "--disk")? {
        cfg.disk_us = d;
    }
    if let Some(t) = number(args, "--trials")? {
        cfg.trials = t.clamp(1, 100_000) as usize;
    }
    if let Some(s) = number(args, "--servers")? {
        if !(3..=15).contains(&s) {
            return Err("--servers must be 3..=15".into());
        }
        cfg.servers = s as usize;
    }
    if let Some(s) = number(args, "--seed")? {
        cfg.seed = s;
    }
    let mut ranges: Vec<(u64, u64)> = TOP_RANGES.iter().chain(BOTTOM_RANGES.iter()).copied().collect();
    if let Some(list) = flag(args, "--ranges") {
        ranges = list
            .split(',')
            .map(|r| {
                let (lo, hi) = r.trim().trim_end_matches("ms").split_once('-')?;
                let (lo, hi) = (lo.parse::<u64>().ok()?, hi.parse::<u64>().ok()?);
                (lo >= 2 && lo <= hi && hi <= 60_000).then_some((lo, hi))
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| format!("--ranges needs e.g. 150-155,12-24 (ms), got '{list}'"))?;
    }
    // The paper ran 100 trials for 150-150 ms (each lasts the full 10 s cap).
    let trials_for = |r: (u64, u64)| if r == (150, 150) { (cfg.trials / 10).max(1) } else { cfg.trials };
    let total: usize = ranges.iter().map(|r| trials_for(*r)).sum();
    let began = Instant::now();
    let mut done = 0usize;
    let mut results = Vec::new();
    for &r in &ranges {
        let mut progress = || {
            done += 1;
            if done % 50 == 0 || done == total {
                let width = 40;
                let filled = done * width / total;
                eprint!("\r[{}{}] {done}/{total} trials", "#".repeat(filled), " ".repeat(width - filled));
            }
        };
        results.push(run_range(&cfg, r, trials_for(r), &mut progress));
    }
    eprintln!();
    let secs = began.elapsed().as_secs_f64();
    println!(
        "Raft Figure 16: {} servers, one-way latency {}-{} us, disk write {}-{} us, seed {},",
        cfg.servers, cfg.latency_us.0, cfg.latency_us.1, cfg.disk_us.0, cfg.disk_us.1, cfg.seed
    );
    println!("leader crashed at a random point of its heartbeat interval after a synchronized heartbeat");
    println!(
        "{:<12} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6}  paper",
        "timeout", "trials", "min", "median", "mean", "p99", "max", ">10s"
    );
    let ms = |us: u64| format!("{:.1}", us as f64 / 1_000.0);
    for r in &results {
        let s = r.stats(cfg.cap);
        println!(
            "{:<12} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6}  {}",
            format!("{}-{} ms", r.range.0, r.range.1),
            r.downtimes.len(),
            ms(s.min),
            ms(s.median),
            ms(s.mean),
            ms(s.p99),
            ms(s.max),
            s.over_cap,
            paper_figure(r.range)
        );
    }
    println!("(times in ms; {total} trials in {secs:.2}s of wall time)");
    if let Some(path) = flag(args, "--csv") {
        let mut csv = String::from("range_ms,trial,downtime_ms\n");
        for r in &results {
            for (i, d) in r.downtimes.iter().enumerate() {
                let v = d.map_or(">10000".to_string(), |d| format!("{:.3}", d as f64 / 1_000.0));
                csv.push_str(&format!("{}-{},{i},{v}\n", r.range.0, r.range.1));
            }
        }
        std::fs::write(path, csv).map_err(|e| format!("cannot write {path}: {e}"))?;
        println!("wrote {path}");
    }
    if let Some(path) = flag(args, "--svg") {
        // As in the paper: ranges starting at 150 ms on top, the others below.
        let (top, bottom): (Vec<_>, Vec<_>) = results.iter().cloned().partition(|r| r.range.0 == 150);
        std::fs::write(path, cdf_svg(&top, &bottom, cfg.cap))
            .map_err(|e| format!("cannot write {path}: {e}"))?;
        println!("wrote {path}");
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_bench(args: &[String]) -> Result<ExitCode, String> {
    let minutes = number(args, "--minutes")?.unwrap_or(60).clamp(1, 24 * 60);
    println!("workload: Raft, default timings (150-300 ms, heartbeat 50 ms, 10-15 ms latency),");
    println!(
        "          {minutes} simulated minutes, the leader crashed once per minute and restarted 5 s later"
    );
    for nodes in [5, 15] {
        for tracing in [false, true] {
            let began = Instant::now();
            let (events, simulated) = election_core::experiments::bench_workload(nodes, minutes, tracing);
            let secs = began.elapsed().as_secs_f64().max(1e-9);
            println!(
                "{nodes:>2} nodes, {:<13} {events} events in {secs:.2}s: {:.2} M events/s, {:.0} simulated seconds per wall second",
                if tracing { "with trace:" } else { "without trace:" },
                events as f64 / secs / 1e6,
                simulated as f64 / 1e6 / secs
            );
        }
    }
    // Time travel: a 10-minute 5-node Raft session (as the page records it, with trace and
    // checkpoints), then seeks to scattered times, as dragging the scrubber does.
    let mut s =
        election_core::AnySession::new(election_core::SessionSpec::new(election_core::Algorithm::Raft, 5, 3))
            .map_err(|e| e.to_string())?;
    let began = Instant::now();
    s.advance_to(election_core::ms(600_000));
    let record = began.elapsed().as_secs_f64();
    let mut seeks: Vec<f64> = Vec::new();
    for t in [12_345, 590_000, 300_000, 1_000, 450_500, 599_000, 75_000, 222_222, 599_999, 0] {
        let began = Instant::now();
        s.seek(election_core::ms(t) as i64).map_err(|e| e.to_string())?;
        seeks.push(began.elapsed().as_secs_f64() * 1e3);
    }
    seeks.sort_by(f64::total_cmp);
    println!(
        "seek in a 10-minute 5-node session (recorded in {record:.2}s): median {:.2} ms, worst {:.2} ms of {}",
        seeks[seeks.len() / 2],
        seeks[seeks.len() - 1],
        seeks.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn cmd_memory(args: &[String]) -> Result<ExitCode, String> {
    use election_core::{Algorithm, AnySession, Input, Request, SessionSpec, ms};
    let hours = number(args, "--hours")?.unwrap_or(6).clamp(1, 24);
    let algorithms: Vec<Algorithm> = match flag(args, "--algo") {
        Some(a) => vec![a.parse().map_err(|e: election_core::Error| e.to_string())?],
        None => Algorithm::ALL.to_vec(),
    };
    println!("heap in MB after each simulated hour (5 nodes, default settings, a client write every 10 s to");
    println!("the node clients write to), then the slowest of 20 seeks across the session");
    for algorithm in algorithms {
        let mut s = AnySession::new(SessionSpec::new(algorithm, 5, 1)).map_err(|e| e.to_string())?;
        let mut line = format!("{:<16}", algorithm.name());
        let mut value = 0;
        for hour in 1..=hours {
            let end = ms(3_600_000) * hour;
            while s.now() + ms(10_000) <= end {
                s.advance_to(s.now() + ms(10_000));
                value += 1;
                let node = s.write_target().unwrap_or(1);
                let _ = s.act(Input::Request { node, request: Request::ClientWrite { value } });
            }
            s.advance_to(end);
            line += &format!(" {:>6.1}", heap_bytes() as f64 / 1e6);
        }
        let horizon = s.now();
        let mut worst: f64 = 0.0;
        for k in 0..20u64 {
            let t = horizon / 20 * ((k * 7) % 20) + k * 1_234_567 % ms(60_000);
            let began = Instant::now();
            s.seek(t.min(horizon) as i64).map_err(|e| e.to_string())?;
            worst = worst.max(began.elapsed().as_secs_f64() * 1e3);
        }
        println!(
            "{line}   worst seek {worst:.1} ms (replays at most {} of {} steps)",
            s.checkpoint_every(),
            s.steps()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_compare(args: &[String]) -> Result<ExitCode, String> {
    use election_core::compare::{Preset, Script, compare_with};
    let nodes = number(args, "--nodes")?.unwrap_or(5).clamp(1, 15) as usize;
    let seed = number(args, "--seed")?.unwrap_or(1);
    let preset = match flag(args, "--preset").unwrap_or("classroom") {
        "classroom" => Preset::Classroom,
        "production" => Preset::Production,
        other => return Err(format!("--preset is classroom or production, not '{other}'")),
    };
    let timing = preset.timing();
    if preset == Preset::Production {
        println!("production defaults:");
        for a in election_core::Algorithm::ALL {
            for source in a.production_sources() {
                println!("  {:<16} {source}", a.name());
            }
        }
    }
    for script in Script::ALL {
        println!(
            "{} ({nodes} nodes, seed {seed}, {} simulated, a client write every {})",
            script.describe_with(&timing),
            election_core::engine::limits::human_time(timing.duration),
            election_core::engine::limits::human_time(timing.writes.1)
        );
        println!(
            "  {:<16} {:>12} {:>8} {:>11} {:>9} {:>13} {:>10}",
            "algorithm", "no leader", "changes", "max leaders", "messages", "writes lost", "violations"
        );
        for o in compare_with(election_core::Algorithm::ALL, nodes, seed, script, preset) {
            println!(
                "  {:<16} {:>12} {:>8} {:>11} {:>9} {:>13} {:>10}",
                o.algorithm.name(),
                election_core::fmt_time(o.leaderless),
                o.leader_changes,
                o.max_leaders,
                o.messages,
                o.writes_lost.map_or("n/a".to_string(), |l| format!("{l} of {}", o.writes)),
                o.violations
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_tours(args: &[String]) -> Result<ExitCode, String> {
    let mut failed = false;
    let args_verbose = args.iter().any(|a| a == "--questions");
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        match election_core::scenario::tour(&text) {
            Ok(t) => {
                let questions = t.steps.iter().filter(|s| s.question.is_some()).count();
                println!(
                    "{path}: {} simulated, {} steps, {questions} question(s) — {}",
                    election_core::fmt_time(t.end),
                    t.steps.len(),
                    t.title
                );
                if args_verbose {
                    for s in &t.steps {
                        if let Some(q) = &s.question {
                            println!(
                                "  at {}: {} -> {}{}",
                                election_core::fmt_time(s.at),
                                q.text,
                                q.answer,
                                if q.measured.is_empty() {
                                    String::new()
                                } else {
                                    format!(" ({})", q.measured)
                                }
                            );
                        }
                    }
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("{path}: {e}");
            }
        }
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

const CHECK_USAGE: &str = "usage: election-cli check --algo ALGO [options]

Searches for the shortest run in which the algorithm's monitor flags a violation: first every
choice of fault at every decision point up to a depth (breadth first, each distinct state
once), then random runs (a swarm); a run found is shrunk and printed as a scenario script.

options:
  --algo ALGO            the algorithm (required)
  --nodes N              cluster size (default: 3, or the algorithm's minimum; at most 9)
  --break RULE[,RULE]    rules to break (the algorithm's list is printed on a wrong name)
  --set KEY=VALUE        any other setting, as on a scenario's config line (repeatable)
  --faults LIST          inputs and choices a run may contain, e.g. crash=3,partition=1,timing=2
                         inputs: crash restart pause partition heal write timeout cut (one-way);
                         choices of the engine's draws: timing (a latency or random duration at
                         an end of its range), drop (a message lost or kept), duplicate (each
                         0..16; heal defaults to partition+cut) [crash=2,restart=2,partition=2,write=2]
  --depth D              inputs and choices on one path of the exhaustive search, 0..12 [3]
  --horizon-ms MS        simulated time of each run [2000]
  --step-ms MS           time between decision points of the exhaustive search [100]
  --pause-ms MS          length of a pause in the exhaustive search [400]
  --seed S               first seed [1]
  --seeds K              seeds of the exhaustive search [1]
  --runs N               random runs after the exhaustive search [20000]
  --max-states N         stop the exhaustive search after N distinct states [5000000]
  --time-limit SECONDS   stop after this long (wall clock)
  --shard i/n            explore part i of n (paths split by their first move; swarm runs by
                         number), so that n processes can share the search
  --out FILE             write the counterexample's script (outputs filled in) to FILE

exit status: 1 a counterexample was found, 0 none within the bounds, 2 bad input";

const CHECK_FLAGS: &[&str] = &[
    "--algo",
    "--nodes",
    "--break",
    "--set",
    "--faults",
    "--depth",
    "--horizon-ms",
    "--step-ms",
    "--pause-ms",
    "--seed",
    "--seeds",
    "--runs",
    "--max-states",
    "--time-limit",
    "--shard",
    "--out",
];

/// " and N choices" when a run fixes some of the engine's draws (nothing otherwise).
fn choices(spec: &election_core::SessionSpec) -> String {
    if spec.choices.is_empty() { String::new() } else { format!(" and {} choices", spec.choices.len()) }
}

fn cmd_check(args: &[String]) -> Result<ExitCode, String> {
    use election_core::search::{FaultBudget, SearchSpec, Shard, search};
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{CHECK_USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    let mut i = 0;
    while i < args.len() {
        if !CHECK_FLAGS.contains(&args[i].as_str()) {
            return Err(format!("check: unknown argument '{}'\n{CHECK_USAGE}", args[i]));
        }
        if args.get(i + 1).is_none() {
            return Err(format!("check: {} needs a value", args[i]));
        }
        i += 2;
    }
    let algorithm: Algorithm = flag(args, "--algo")
        .ok_or_else(|| format!("check needs --algo\n{CHECK_USAGE}"))?
        .parse()
        .map_err(|e: election_core::Error| e.to_string())?;
    let nodes = match number(args, "--nodes")? {
        Some(n) => usize::try_from(n).map_err(|_| "--nodes is too large".to_string())?,
        None => algorithm.min_nodes().max(3),
    };
    let seed = number(args, "--seed")?.unwrap_or(1);
    let mut session = election_core::SessionSpec::new(algorithm, nodes, seed);
    let settings: Vec<&str> = args.windows(2).filter(|w| w[0] == "--set").map(|w| w[1].as_str()).collect();
    for kv in settings {
        let (k, v) = kv.split_once('=').ok_or_else(|| format!("--set {kv}: write KEY=VALUE"))?;
        session.config.settings_mut().set(k, v)?;
    }
    if let Some(rules) = flag(args, "--break") {
        session.config.settings_mut().set("break", rules)?;
    }
    let mut spec = SearchSpec::new(session);
    if let Some(f) = flag(args, "--faults") {
        spec.faults = FaultBudget::parse(f)?;
    }
    let small = |name: &str, max: u64| -> Result<Option<u64>, String> {
        match number(args, name)? {
            Some(v) if v > max => Err(format!("{name} {v} is more than {max}")),
            v => Ok(v),
        }
    };
    if let Some(d) = small("--depth", election_core::search::MAX_DEPTH as u64)? {
        spec.depth = d as usize;
    }
    if let Some(h) = small("--horizon-ms", 60_000)? {
        spec.horizon = ms(h);
    }
    if let Some(s) = small("--step-ms", 60_000)? {
        spec.step = ms(s);
    }
    if let Some(p) = small("--pause-ms", 60_000)? {
        spec.pause_for = ms(p);
    }
    if let Some(k) = number(args, "--seeds")? {
        spec.seeds = k;
    }
    if let Some(r) = number(args, "--runs")? {
        spec.swarm_runs = r;
    }
    if let Some(m) = number(args, "--max-states")? {
        spec.max_states = m.max(1);
    }
    if let Some(s) = flag(args, "--shard") {
        spec.shard = Shard::parse(s)?;
    }
    let limit = small("--time-limit", 365 * 24 * 3600)?.map(std::time::Duration::from_secs);
    spec.validate().map_err(|e| e.to_string())?;
    let broken = spec.session.config.settings().broken();
    println!(
        "check {} nodes={} break={} faults={} depth={} horizon={} step={} seeds={}..{} runs={} shard={}/{}",
        algorithm,
        spec.session.nodes,
        if broken.is_empty() { "none".to_string() } else { broken.join(",") },
        spec.faults,
        spec.depth,
        election_core::fmt_time(spec.horizon),
        election_core::fmt_time(spec.step),
        spec.session.seed,
        spec.session.seed.saturating_add(spec.seeds - 1),
        spec.swarm_runs,
        spec.shard.index + 1,
        spec.shard.count
    );
    let start = Instant::now();
    let mut searching = std::time::Duration::ZERO;
    let mut shrinking = false;
    let report = search(&spec, &mut |p| {
        if p.phase == election_core::search::Phase::Shrink && !shrinking {
            shrinking = true;
            searching = start.elapsed();
        }
        limit.is_none_or(|l| start.elapsed() < l)
    })
    .map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    if !shrinking {
        searching = elapsed;
    }
    let secs = searching.as_secs_f64().max(1e-9);
    println!(
        "searched {:.2}s: {} distinct states ({:.0} states/s), {} random runs ({:.0} runs/s), {} engine steps ({:.2} M/s); total {:.2}s",
        secs,
        report.states,
        report.states as f64 / secs,
        report.runs,
        report.runs as f64 / secs,
        report.steps,
        report.steps as f64 / secs / 1e6,
        elapsed.as_secs_f64()
    );
    println!("result: {}", report.summary(&spec));
    let Some(c) = report.counterexample else {
        return Ok(ExitCode::SUCCESS);
    };
    println!(
        "found by the {} search: {} inputs{}, violation at {}; shrunk ({} runs) to {} inputs{}, violation at {}",
        c.found_by.name(),
        c.found.inputs.len(),
        choices(&c.found),
        election_core::fmt_time(c.found_at),
        c.shrink_runs,
        c.spec.inputs.len(),
        choices(&c.spec),
        election_core::fmt_time(c.at)
    );
    println!();
    print!("{}", c.script);
    if let Some(path) = flag(args, "--out") {
        std::fs::write(path, &c.script).map_err(|e| format!("cannot write {path}: {e}"))?;
        eprintln!("wrote {path}");
    }
    Ok(ExitCode::from(1))
}
