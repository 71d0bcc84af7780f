// The counterexample search in the page: it runs in Web Workers (one shard each), finds and
// shrinks a counterexample, and opens it in the lab at its violation with the same trace as
// the script run natively; a longer search shows its progress and stops on Cancel; bad bounds
// are refused with the core's message. Logs the search rate in WebAssembly (states/s).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, open, openExtras, screenshot, closePages } from './harness.js';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');
let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

async function openSearch() {
  const { page, errors } = await open(browser, url);
  await openExtras(page);
  await page.waitForSelector('[data-testid="search-start"]');
  return { page, errors };
}

async function fill(page, fields) {
  for (const [name, value] of Object.entries(fields)) await page.fill(`[data-testid="search-${name}"]`, String(value));
}

// The result once the search is over (its progress line says so).
async function result(page, timeout = 120_000) {
  await page.waitForSelector('[data-testid="search-result"]', { timeout });
  return {
    found: await page.getAttribute('[data-testid="search-result"]', 'data-found'),
    text: await page.textContent('[data-testid="search-result"]'),
    progress: await page.textContent('[data-testid="search-progress"]'),
  };
}

test('the page finds a counterexample and opens it in the lab at its violation', async () => {
  const { page, errors } = await openSearch();
  // Raft, 3 nodes, vote-not-persisted (the form's defaults), one worker: the search is then
  // exactly `election-cli check --algo raft --nodes 3 --break vote-not-persisted --depth 1`,
  // whose result is the golden file raft/vote-not-persisted-violation.txt.
  assert.equal(await page.isChecked('input[data-rule="vote-not-persisted"]'), true);
  await fill(page, { nodes: 3, depth: 1, workers: 1 });
  await page.click('[data-testid="search-start"]');
  await page.waitForSelector('[data-testid="search-progress"]');
  const r = await result(page);
  assert.equal(r.found, 'yes', r.text);
  assert.match(r.text, /violation at 409\.286ms .*n3 voted for n3 and then for n1 in term 1/);
  const golden = await readFile(join(SCENARIOS, 'raft', 'vote-not-persisted-violation.txt'), 'utf8');
  assert.equal(await page.textContent('[data-testid="search-script"]'), golden);
  const link = await page.inputValue('[data-testid="search-link"]');
  assert.match(link, /#s=.+&t=409286$/);
  await screenshot(page, 'search-found');

  await page.click('[data-testid="search-open"]');
  await page.waitForFunction(() => document.querySelector('main.lab').dataset.now === '409286');
  // The same trace as the script run natively: `election-cli run` of the golden file with a
  // `hash` command appended prints d332825d347d0f24.
  assert.equal(await page.getAttribute('main.lab', 'data-trace-hash'), 'd332825d347d0f24');
  assert.match(await page.textContent('[data-testid="invariants"]'), /violation/);
  // It plays as a tour of the script's narration, at the violation's step.
  assert.match(await page.textContent('[data-testid="narration"]'), /VIOLATION: n3 voted for n3 and then for n1 in term 1/);
  assert.equal(new URL(await page.evaluate(() => location.href)).hash, new URL(link).hash, 'the address bar holds the link');
  await screenshot(page, 'search-opened');

  // The link opens the same run in a fresh page.
  const fresh = await open(browser, link);
  assert.equal(await fresh.page.getAttribute('main.lab', 'data-now'), '409286');
  assert.equal(await fresh.page.getAttribute('main.lab', 'data-trace-hash'), 'd332825d347d0f24');
  assert.deepEqual([...errors, ...fresh.errors], []);
});

test('every core searches a shard; the page stays responsive; Cancel stops and frees the workers', async () => {
  const { page, errors } = await openSearch();
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const workers = Number(await page.inputValue('[data-testid="search-workers"]'));
  assert.equal(workers, Math.min(Math.max(cores, 1), 8), 'one worker per core, at most 8');
  // Nothing broken, a large bound: a search that runs for a long time.
  await page.uncheck('input[data-rule="vote-not-persisted"]');
  await fill(page, { nodes: 3, depth: 4, workers: 2 });
  await page.click('[data-testid="search-start"]');
  await page.waitForFunction(() => /exhaustive search: [1-9][\d,]* states/.test(document.querySelector('[data-testid="search-progress"]')?.textContent ?? ''), null, { timeout: 60_000 });
  assert.equal(page.workers().length, 2, 'two workers');
  const first = await page.textContent('[data-testid="search-progress"]');
  assert.match(first, /decision point \d+ of 20 \(depth ≤ 4\).*of 2 workers searching$/);
  // The page keeps playing its own simulation meanwhile.
  const t0 = Number(await page.getAttribute('main.lab', 'data-now'));
  await page.waitForFunction((t) => Number(document.querySelector('main.lab').dataset.now) > t, t0);
  await page.waitForFunction((p) => document.querySelector('[data-testid="search-progress"]').textContent !== p, first);
  await page.click('[data-testid="search-cancel"]');
  const r = await result(page, 10_000);
  assert.equal(r.found, 'no');
  assert.match(r.text, /^no violation in [\d,]+ distinct states up to depth 4 .*stopped early: cancelled/);
  assert.match(r.progress, /^cancelled: /);
  await page.waitForFunction(() => !document.querySelector('[data-testid="search-start"]').disabled);
  // Terminated workers are gone.
  for (let i = 0; i < 50 && page.workers().length > 0; i++) await page.waitForTimeout(100);
  assert.equal(page.workers().length, 0, 'the workers were terminated');
  assert.deepEqual(errors, []);
});

test('bad bounds are refused with a clear message and nothing starts', async () => {
  const { page } = await openSearch();
  await fill(page, { depth: 13 });
  await page.click('[data-testid="search-start"]');
  assert.match(await page.textContent('[data-testid="search-error"]'), /depth.*13 is more than 12/);
  await fill(page, { depth: 1, nodes: 10 });
  await page.click('[data-testid="search-start"]');
  assert.match(await page.textContent('[data-testid="search-error"]'), /10 nodes: the search explores at most 9/);
  await fill(page, { nodes: 3, faults: 'crash=99' });
  await page.click('[data-testid="search-start"]');
  assert.match(await page.textContent('[data-testid="search-error"]'), /crash=99: write a count from 0 to 16/);
  assert.equal(page.workers().length, 0);
});

test('a worker that fails is reported and the others finish the search', async () => {
  const { page } = await openSearch();
  // The first worker's module is missing: it fails to start; the second searches.
  let served = 0;
  await page.context().route('**/election-search.js', (route) => (served++ === 0 ? route.fulfill({ status: 404, body: 'gone' }) : route.continue()));
  await page.uncheck('input[data-rule="vote-not-persisted"]');
  await fill(page, { nodes: 3, depth: 1, runs: 200, workers: 2 });
  await page.click('[data-testid="search-start"]');
  const r = await result(page, 60_000);
  assert.equal(r.found, 'no');
  assert.match(r.text, /stopped early: worker \d of 2 failed \(.+\), its part is not explored/);
});

test('search rate in WebAssembly: 3-node Raft elections, exhaustive only', async () => {
  // The README's native figure: `election-cli check --algo raft --nodes 3 --depth 2 --runs 0
  // --faults crash=2,restart=2,pause=2,partition=2,write=2` (60,952 states, ~39,000 states/s).
  const { page } = await openSearch();
  await page.uncheck('input[data-rule="vote-not-persisted"]');
  const rates = [];
  for (const workers of [1, Number(await page.inputValue('[data-testid="search-workers"]'))]) {
    await fill(page, { nodes: 3, depth: 2, runs: 0, workers, faults: 'crash=2,restart=2,pause=2,partition=2,write=2' });
    await page.click('[data-testid="search-start"]');
    const r = await result(page, 180_000);
    assert.equal(r.found, 'no');
    const distinct = Number(r.text.match(/^no violation in (\d+) distinct states up to depth 2/)[1]);
    // One worker is the native search exactly. Shards together visit every state the whole
    // search does, and a few more: of two runs with one fingerprint, the whole search keeps
    // the first and a shard may keep the other, whose futures can differ.
    if (workers === 1) assert.equal(distinct, 60952);
    else assert.ok(distinct >= 60952 && distinct < 60952 * 1.01, `${distinct} distinct states over ${workers} shards`);
    const [, states, rate, secs] = r.progress.match(/([\d,]+) states \(([\d,]+)\/s\).* ([\d.]+) s/);
    rates.push(`${workers} worker(s): ${distinct} distinct states (${states} summed over the shards) in ${secs} s, ${rate} states/s`);
    await page.waitForFunction(() => !document.querySelector('[data-testid="search-start"]').disabled);
  }
  console.log(`wasm search rate, 3-node Raft, depth 2: ${rates.join('; ')}`);
});
