#!/usr/bin/env bash
# Measures the page budgets on the release build: bundle size, load time, frame time at
# 15 nodes, seek time in a 10-minute run; and the engine with `election-cli bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
trunk build --release
node tests/e2e/bundle-size.js
node tests/e2e/measure.js
cargo run --release -q -p election-cli -- bench
cargo run --release -q -p election-cli -- fig16 --svg web/fig16.svg --csv target/fig16.csv
