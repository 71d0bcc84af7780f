#!/usr/bin/env bash
# Installs what is missing, builds the release page and serves it on http://127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
echo "Building, then serving Leader Election Lab on http://127.0.0.1:8080 (Ctrl-C to stop)"
exec trunk serve --release
