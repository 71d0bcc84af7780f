#!/usr/bin/env bash
# Measures the page budgets on the release build: bundle size, load time, frame time at
# 15 nodes, the worst case of every algorithm (15 nodes at 10x with 20 % duplication, dueling
# Paxos proposers: frame work p95/p50 (main-thread CPU per frame), frame interval p95/p50 and
# click latency, as ranges over RUNS runs, 3 by default), seek time in a 10-minute run; the time until a student can act on
# desktop and under Lighthouse's mobile conditions (measure-mobile.js); the engine with
# `election-cli bench`; and the counterexample search: on 3-node Raft, natively and in
# WebAssembly (the page's search panel, which tests/e2e/search.test.js drives and whose rate
# it logs), and each broken rule's time to find in Chromium (measure-search.js).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
trunk build --release
node tests/e2e/bundle-size.js
node tests/e2e/measure.js
(cd tests/e2e && node measure-mobile.js)
cargo run --release -q -p election-cli -- bench
cargo run --release -q -p election-cli -- fig16 --svg web/fig16.svg --csv target/fig16.csv
cargo run --profile bench-cli -q -p election-cli -- check --algo raft --nodes 3 --depth 2 --runs 0 \
  --faults crash=2,restart=2,pause=2,partition=2,write=2 | grep -E '^(searched|result)'
(cd tests/e2e && node --test --test-name-pattern='search rate' search.test.js | grep 'wasm search rate')
(cd tests/e2e && node measure-search.js)
