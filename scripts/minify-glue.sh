#!/usr/bin/env bash
# Trunk post_build hook (Trunk.toml): minifies wasm-bindgen's JavaScript glue of a release build
# with esbuild. Trunk's own minifier cannot read the `web` target's glue (`export default`) and
# leaves it as is; the page's glue is part of the first download's 250 KB budget (about 2 KB of
# it gzipped). index.html names the page's glue with its sha384 (subresource integrity): the
# hash is written again for the minified file.
set -euo pipefail
[ "${TRUNK_PROFILE:-}" = release ] || exit 0
cd "${TRUNK_STAGING_DIR:?run by trunk build}"
command -v esbuild >/dev/null || { echo "minify-glue: esbuild is missing: run scripts/setup.sh" >&2; exit 1; }
for f in election-web-*.js election-lab.js election-extras.js; do
  [ -f "$f" ] || continue
  esbuild "$f" --minify --format=esm --log-level=warning --outfile="$f.min"
  mv "$f.min" "$f"
  sum="sha384-$(openssl dgst -sha384 -binary "$f" | openssl base64 -A)"
  # The tag that loads it (attributes quoted or not, in any order): its integrity attribute.
  F="$f" SUM="$sum" perl -0pi -e 's{(<link\b[^>]*?/\Q$ENV{F}\E\b[^>]*>)}{ my $t = $1; $t =~ s/integrity=("?)sha384-[^" >]*\1/integrity=$1$ENV{SUM}$1/; $t }ge' index.html
done
