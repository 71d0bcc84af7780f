//! `cargo bench -p election-core`: the engine's throughput on fixed workloads. Numbers go in
//! the README; nothing here is a pass/fail test.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use election_core::experiments::{Fig16, bench_workload, run_range};

fn engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("raft");
    g.sample_size(10);
    for nodes in [5usize, 15] {
        let (events, _) = bench_workload(nodes, 5, false);
        g.throughput(Throughput::Elements(events));
        g.bench_function(format!("{nodes} nodes, 5 simulated minutes"), |b| {
            b.iter(|| bench_workload(nodes, 5, false))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("fig16");
    g.sample_size(10);
    g.bench_function("150-300 ms, 1000 trials", |b| {
        b.iter(|| run_range(&Fig16::default(), (150, 300), 1_000, &mut || {}))
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
