#!/usr/bin/env bash
# Installs what is missing, then runs every test: native unit, scenario and sweep tests; wasm
# tests in headless Chromium; the release build; browser end-to-end tests against it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "formatting (cargo fmt, and rustfmt on the algorithm folders: scripts/fmt.sh)"
./scripts/fmt.sh --check

step "lints (cargo clippy, warnings are errors; the page also for wasm32)"
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked -p election-web -p election-json -p election-search --target wasm32-unknown-unknown -- -D warnings
cargo clippy --locked -p election-web --features full --target wasm32-unknown-unknown -- -D warnings

step "native tests (election-core, election-cli): unit, golden scenarios, seed sweep, proptests"
cargo test --locked -p election-core -p election-cli

step "the page's state and reducer, natively (election-web --lib), as the first download and as the full lab"
cargo test --locked -p election-web --lib
cargo test --locked -p election-web --lib --features full

step "API docs of election-core build without warnings (broken or private links fail)"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps -q -p election-core

step "wasm tests in headless Chromium (same trace hash as native, every algorithm's scenarios)"
cargo test --locked --target wasm32-unknown-unknown -p election-web --features full

step "release build of the page (trunk + wasm-opt)"
trunk build --release

step "bundle size"
ENFORCE_BUDGET=1 node tests/e2e/bundle-size.js

step "browser end-to-end tests (headless Chromium, screenshots in tests/e2e/artifacts)"
(cd tests/e2e && node --test --test-concurrency=1)

step "all tests passed"
