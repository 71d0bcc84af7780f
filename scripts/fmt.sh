#!/usr/bin/env bash
# Formats every Rust file, or checks them with --check. `cargo fmt` does not reach the
# algorithm folders: their modules are declared by the registry macro in
# crates/election-core/src/algorithms/mod.rs, which rustfmt does not expand, so rustfmt
# formats each folder from its mod.rs (and the modules it declares).
set -euo pipefail
cd "$(dirname "$0")/.."
check=()
if [ "${1:-}" = "--check" ]; then check=(--check); fi
cargo fmt --all -- "${check[@]}"
rustfmt --edition 2024 "${check[@]}" crates/election-core/src/algorithms/*/mod.rs
