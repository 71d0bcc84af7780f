#!/usr/bin/env bash
# Installs everything Leader Election Lab needs to build, serve and test, skipping what is
# already present at the right version. Safe to run again and again.
#
#   wasm32 target, trunk, the wasm-bindgen CLI (the exact version in Cargo.lock), wasm-opt
#   (binaryen from npm), esbuild (npm), Chromium + chromedriver (Debian), the npm packages of
#   tests/e2e.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH"

TRUNK_VERSION=0.21.14          # 0.22 needs a newer rustc than these machines have
BINARYEN_VERSION=132           # Debian's binaryen is too old for current wasm
ESBUILD_VERSION=0.28.2         # minifies the JavaScript glue (Trunk's minifier cannot read it)
WASM_BINDGEN_VERSION=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing Chromium and chromedriver (Debian packages)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo fmt --version >/dev/null 2>&1; then
  say "adding rustfmt (the tests check formatting)"
  rustup component add rustfmt
fi

if ! cargo clippy --version >/dev/null 2>&1; then
  say "adding clippy (the tests run it with warnings as errors)"
  rustup component add clippy
fi

if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  # Its own lockfile may name crates the registry mirror lacks: fall back to a fresh resolve.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked \
    || cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 15 minutes on 2 cores, once)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version_$BINARYEN_VERSION"; then
  say "installing wasm-opt (binaryen $BINARYEN_VERSION from npm)"
  as_root npm install -g --prefix /usr/local --no-audit --no-fund "binaryen@$BINARYEN_VERSION.0.0"
fi

if ! esbuild --version 2>/dev/null | grep -qx "$ESBUILD_VERSION"; then
  say "installing esbuild $ESBUILD_VERSION from npm (minifies the release build's JavaScript glue)"
  as_root npm install -g --prefix /usr/local --no-audit --no-fund "esbuild@$ESBUILD_VERSION"
fi

if [ ! -d tests/e2e/node_modules/playwright-core ]; then
  say "installing the browser test driver (playwright-core, using Debian's Chromium)"
  (cd tests/e2e && npm ci --no-audit --no-fund)
fi

# Trunk builds offline: make sure every crate is in the local registry first.
cargo fetch --quiet
say "ready: $(trunk --version), wasm-bindgen $WASM_BINDGEN_VERSION, $(wasm-opt --version | cut -d' ' -f1-3), $(chromium --version 2>/dev/null | head -1)"
