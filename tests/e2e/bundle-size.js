// Prints the first-load size of dist/ (the wasm, js and css that index.html loads), raw and
// gzipped, against the budget of 250 KB gzipped, and the files fetched only on demand (the
// full lab with every algorithm, the search, comparison and experiment module, the search and
// JSON workers; the scenario files are not listed). With ENFORCE_BUDGET=1 it fails above the budget.
// (tests/e2e/first-load.test.js checks in the browser that the page fetches nothing else.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = process.env.DIST_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const BUDGET = 250 * 1024;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
// (Release builds minify index.html: its attributes may be unquoted.)
const loaded = new Set([...html.matchAll(/(?:href|src)=["']?\/?([^"' >]+\.(?:wasm|js|css))/g)].map((m) => m[1]));
// wasm-bindgen's inline JS snippets, imported by the page's JS module.
for (const f of [...loaded].filter((f) => f.endsWith('.js'))) {
  for (const m of readFileSync(join(dist, f), 'utf8').matchAll(/from\s*["']\.\/(snippets\/[^"']+\.js)["']/g)) loaded.add(m[1]);
}
const files = (dir, prefix = '') => readdirSync(join(dist, dir)).flatMap((f) => {
  const rel = prefix + f;
  return statSync(join(dist, dir, f)).isDirectory() ? (f === 'scenarios' ? [] : files(join(dir, f), `${rel}/`)) : [rel];
});
const kb = (n) => (n / 1024).toFixed(1);
let raw = 0, gz = 0, lazyRaw = 0, lazyGz = 0;
for (const f of files('').sort()) {
  if (!/\.(wasm|js|css)$/.test(f)) continue;
  const body = readFileSync(join(dist, f));
  const z = gzipSync(body, { level: 9 }).length;
  const first = loaded.has(f);
  if (first) { raw += body.length; gz += z; } else { lazyRaw += body.length; lazyGz += z; }
  console.log(`${f.padEnd(48)} ${kb(body.length).padStart(8)} KB  ${kb(z).padStart(7)} KB gzipped  ${first ? 'first load' : 'on demand'}`);
}
if (![...loaded].some((f) => f.endsWith('.wasm'))) throw new Error('index.html loads no wasm: is dist/ a Trunk build?');
console.log(`${'on demand (full lab, extras module, search + JSON workers)'.padEnd(48)} ${kb(lazyRaw).padStart(8)} KB  ${kb(lazyGz).padStart(7)} KB gzipped`);
console.log(`${'first load (wasm + js + css)'.padEnd(48)} ${kb(raw).padStart(8)} KB  ${kb(gz).padStart(7)} KB gzipped (budget ${BUDGET / 1024} KB)`);
if (gz > BUDGET) {
  console.error(`OVER BUDGET by ${kb(gz - BUDGET)} KB gzipped`);
  if (process.env.ENFORCE_BUDGET === '1') process.exit(1);
}
