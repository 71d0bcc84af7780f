// What the page downloads: the first load is index.html's wasm, js and css only (the budget in
// bundle-size.js counts exactly these); the search, comparison and experiment module, the
// search and JSON workers and the scenario files are fetched when first used. Sessions travel as scenario scripts
// ("Save session" here, share links in raft.test.js); JSON still loads, through the worker.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve, launch, open, openExtras, setSpeed, DIST, closePages } from './harness.js';

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

const fetched = (page) => {
  const names = [];
  page.on('request', (r) => names.push(new URL(r.url()).pathname));
  return names;
};

test('the first load fetches only what index.html names; the rest comes when used', async () => {
  const page = await browser.newPage();
  const names = fetched(page);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('main.lab');
  const t0 = await page.getAttribute('main.lab', 'data-now');
  await page.waitForFunction((t) => document.querySelector('main.lab').dataset.now !== t, t0);
  const html = await readFile(join(DIST, 'index.html'), 'utf8');
  const code = names.filter((n) => /\.(wasm|js|css)$/.test(n));
  for (const n of code) {
    assert.ok(html.includes(n) || n.includes('/snippets/'), `${n} is named by index.html`);
  }
  assert.ok(code.some((n) => n.endsWith('.wasm')), 'the page wasm was fetched');
  assert.ok(!names.some((n) => /election-extras|election-lab|election-json|election-search|\/scenarios\//.test(n)), names.join(' '));
  // Opening the comparison fetches its module, once.
  await openExtras(page);
  assert.equal(names.filter((n) => n.endsWith('election-extras_bg.wasm')).length, 1);
  // The focus moves from the button (gone) to the first control of what replaced it (the
  // counterexample search, then the comparison).
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Algorithm to search');
  assert.ok(!names.some((n) => n.includes('election-json')), 'no JSON reader yet');
  assert.ok(!names.some((n) => n.includes('election-search')), 'no search worker until a search starts');
  // The two Yew apps do not take each other's clicks (nested, they did: a click on "Compare"
  // ran the page's handler with the same listener number, which opened the keyboard help).
  await page.click('[data-testid="run-compare"]');
  await page.waitForSelector('[data-testid="compare-table"]');
  assert.equal(await page.locator('.help-box').count(), 0, 'the keyboard help stayed closed');
  assert.equal(await page.getAttribute('main.lab', 'data-leader') !== null, true);
  assert.deepEqual(errors, []);
});

test('"Save session" gives a script that loads back to the same run', async () => {
  const { page, errors } = await open(browser, url);
  await page.waitForFunction(() => Number(document.querySelector('main.lab').dataset.now) > 400_000);
  await page.click('g.node[data-id="2"]');
  await page.click('button[data-action="pause"]');
  await page.click('[data-testid="play"]'); // pause the clock
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="save-session"]')]);
  const script = await readFile(await download.path(), 'utf8');
  assert.match(script, /^config algo=raft /);
  assert.match(script, /\npause n2\n/);
  // Load it in a fresh page: its session (what its share link carries) is the saved one.
  const fresh = await open(browser, url);
  await fresh.page.click('details.import summary');
  await fresh.page.fill('details.import textarea', script);
  await fresh.page.click('[data-testid="import"]');
  await fresh.page.waitForSelector('.banner.notice');
  assert.match(await fresh.page.textContent('.banner.notice'), /Session loaded/);
  await fresh.page.click('[data-testid="share"]');
  const link = await fresh.page.evaluate(() => location.href);
  assert.equal(decodeURIComponent(new URL(link).hash.match(/s=([^&]*)/)[1]), script);
  assert.deepEqual([...errors, ...fresh.errors], []);
});

test('"Export trace (JSON)" is written by the worker and holds the page\'s own trace', async () => {
  const script = 'config algo=raft nodes=5 seed=1\nrun for=100ms\ncrash n3\n';
  const { page, errors } = await open(browser, `${url}#s=${encodeURIComponent(script)}&t=900000`);
  const hash = await page.getAttribute('main.lab', 'data-trace-hash');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-trace"]')]);
  const doc = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(doc.trace_hash, hash, 'the same trace as the page shows');
  assert.ok(doc.trace.length > 50);
  assert.equal(doc.session.nodes, 5);
  assert.deepEqual(errors, []);
});

test('JSON sessions load through the JSON worker: an old link and a paste', async () => {
  const spec = { nodes: 3, seed: 4, algorithm: 'bully', settings: {}, inputs: [{ at: 500000, input: { type: 'crash', node: 3 } }] };
  const page = await browser.newPage();
  const names = fetched(page);
  await page.goto(`${url}#s=${encodeURIComponent(JSON.stringify(spec))}&t=800000`);
  await page.waitForFunction(() => document.querySelector('main.lab').dataset.now === '800000', null, { timeout: 20_000 });
  assert.equal(await page.locator('g.node').count(), 3);
  assert.equal(await page.getAttribute('g.node[data-id="3"]', 'data-liveness'), 'down');
  assert.ok(names.some((n) => n.endsWith('election-json_bg.wasm')), 'the worker read it');
  // A broken JSON paste names the problem; the page keeps its session.
  await page.click('details.import summary');
  await page.fill('details.import textarea', '{"nodes": 3, "seed": 4, "algorithm": "bully", "inputs": [{"at": 5, "input": {"type": "crash"}}]}');
  await page.click('[data-testid="import"]');
  await page.waitForSelector('.banner.error');
  assert.match(await page.textContent('.banner.error'), /missing field `node` of a crash input/);
  assert.equal(await page.locator('g.node').count(), 3);
});

test('a malformed script in a link names the line and the page keeps working', async () => {
  const { page, errors } = await open(browser, `${url}#s=${encodeURIComponent('config algo=raft nodes=3 seed=1\nrun until=2s\ncrash n7')}&t=5`);
  assert.match(await page.textContent('.banner.error'), /shared link could not be loaded: line 3: there is no node n7: this cluster has nodes n1 to n3/);
  assert.equal(await page.locator('g.node').count(), 5, 'a fresh default cluster instead');
  await setSpeed(page, '2x');
  await page.waitForFunction(() => document.querySelector('main.lab').dataset.leader !== '', null, { timeout: 20_000 });
  assert.deepEqual(errors, []);
});

test('when an on-demand module cannot be fetched, the page says so and keeps working', async () => {
  const { page } = await open(browser, url);
  await page.route('**/election-extras_bg.wasm', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.route('**/election-json_loader.js', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.click('[data-testid="open-extras"]');
  await page.locator('.extras .banner.error').waitFor();
  assert.match(await page.textContent('.extras .banner.error'), /could not be loaded: .+\. Try again\./);
  assert.equal(await page.isDisabled('[data-testid="open-extras"]'), false, 'the button offers a retry');
  await page.click('details.import summary');
  await page.fill('details.import textarea', '{"nodes": 3, "seed": 1, "algorithm": "raft"}');
  await page.click('[data-testid="import"]');
  await page.waitForSelector('.banner.error >> text=That session could not be loaded');
  assert.equal(await page.locator('g.node').count(), 5, 'the current run is kept');
  const t0 = await page.getAttribute('main.lab', 'data-now');
  await page.waitForFunction((t) => document.querySelector('main.lab').dataset.now !== t, t0);
});

test('a JSON reader that never answers is given up after 20 s with a message', async () => {
  const { page } = await open(browser, url);
  await page.route('**/election-json_bg.wasm', () => {}); // never answered
  await page.click('details.import summary');
  await page.fill('details.import textarea', '{"nodes": 3, "seed": 1, "algorithm": "raft"}');
  await page.click('[data-testid="import"]');
  await page.waitForSelector('.banner.error >> text=did not answer within 20 s', { timeout: 30_000 });
  assert.equal(await page.locator('g.node').count(), 5, 'the current run is kept');
});
