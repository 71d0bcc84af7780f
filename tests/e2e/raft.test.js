// End-to-end: the real release build in real headless Chromium.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, screenshot, leader, setSpeed, newLeader, closePages } from './harness.js';

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

test('crashing the leader makes another node leader', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  await page.waitForFunction(() => document.querySelector('main.lab').dataset.leader !== '', null, { timeout: 20_000 });
  const old = await leader(page);
  await screenshot(page, 'raft-elected');

  // Click the leader in the picture, then "Crash" in the inspector.
  await page.click(`g.node[data-id="${old}"]`);
  await page.click('button[data-action="crash"]');
  assert.equal(await page.getAttribute(`g.node[data-id="${old}"]`, 'data-liveness'), 'down');

  const next = await newLeader(page, old);
  assert.notEqual(next, old);
  assert.equal(await page.getAttribute(`g.node[data-id="${next}"]`, 'data-role'), 'leader');
  await screenshot(page, 'raft-after-leader-crash');
  assert.equal(await page.textContent('[data-testid="invariants"]'), 'invariants hold');
  // The event log tells it in plain English.
  const log = await page.textContent('section.events ol.trace');
  assert.match(log, new RegExp(`you: crash n${old}`));
  assert.match(log, new RegExp(`n${next} timed out and started an election for term \\d+`));
  assert.match(log, new RegExp(`n${next} went from a candidate to a leader \\(term \\d+\\)`));
  assert.deepEqual(errors, []);
});

test('a malformed shared link shows an error and a working page', async () => {
  const { page, errors } = await open(browser, `${url}#s=%7B%22nodes%22%3A99&t=5`);
  const banner = await page.textContent('.banner.error');
  assert.match(banner, /shared link could not be loaded/);
  await setSpeed(page, '1x');
  await page.waitForFunction(() => document.querySelector('main.lab').dataset.leader !== '', null, { timeout: 20_000 });
  await screenshot(page, 'bad-url');
  assert.deepEqual(errors, []);
});

test('a shared link is a readable scenario script and reproduces the same trace', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  await page.waitForFunction(() => document.querySelector('main.lab').dataset.leader !== '', null, { timeout: 20_000 });
  const l = await leader(page);
  await page.click(`g.node[data-id="${l}"]`);
  await page.click('button[data-action="crash"]');
  await page.waitForTimeout(300);
  await page.click('[data-testid="play"]'); // pause
  await page.click('[data-testid="share"]');
  const shared = await page.evaluate(() => location.href);
  const script = decodeURIComponent(new URL(shared).hash.match(/s=([^&]*)/)[1]);
  assert.match(script, /^config algo=raft nodes=5 seed=\d+ .*latency=/);
  assert.match(script, new RegExp(`\\nrun until=\\d+us\\ncrash n${l}\\n`));
  const hash = await page.getAttribute('main.lab', 'data-trace-hash');
  const now = await page.getAttribute('main.lab', 'data-now');

  const other = await open(browser, shared);
  assert.equal(await other.page.getAttribute('main.lab', 'data-now'), now);
  assert.equal(await other.page.getAttribute('main.lab', 'data-trace-hash'), hash);
  assert.deepEqual([...errors, ...other.errors], []);
});

test('isolating the leader: the majority elects another, the old one cannot commit', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  await page.waitForFunction(() => document.querySelector('main.lab').dataset.leader !== '', null, { timeout: 20_000 });
  const old = await leader(page);
  await page.click(`g.node[data-id="${old}"]`);
  await page.click('button[data-action="isolate"]');
  await page.click('button[data-action="write"]');
  await newLeader(page, old);
  // The old leader still thinks it leads (no CheckQuorum) but its write never commits.
  await page.click(`g.node[data-id="${old}"]`);
  const details = await page.textContent('.inspector dl');
  assert.match(details, /commit index1(?!\d)/, details);
  assert.equal(await page.locator('g.link.cut').count() > 0, true);
  await screenshot(page, 'raft-isolated-leader');
  assert.deepEqual(errors, []);
});

test('a malformed imported session shows an error and the page keeps working', async () => {
  const { page, errors } = await open(browser, url);
  await page.click('details.import summary');
  await page.fill('details.import textarea', '{"nodes": 5, "seed": "oops"');
  await page.click('[data-testid="import"]');
  assert.match(await page.textContent('.banner.error'), /could not be loaded: line \d+: session JSON/);
  await page.fill('details.import textarea', '{"nodes": 3, "seed": 9, "algorithm": "bully", "settings": {}, "inputs": [{"at": 500000, "input": {"type": "crash", "node": 3}}]}');
  await page.click('[data-testid="import"]');
  // JSON is read by the JSON worker, which starts now: wait for it.
  await page.waitForFunction(() => document.querySelectorAll('g.node').length === 3);
  await setSpeed(page, '2x');
  await page.waitForFunction(() => document.querySelector('g.node[data-id="3"]').dataset.liveness === 'down', null, { timeout: 20_000 });
  assert.deepEqual(errors, []);
});

test('the partition tool splits the cluster; the majority side elects, the minority cannot', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  await page.waitForFunction(() => document.querySelector('main.lab').dataset.leader !== '', null, { timeout: 20_000 });
  const old = await leader(page);
  await page.click(`g.node[data-id="${old}"]`);
  // The leader is ticked; add one more node to its side: a 2-3 split.
  const other = old === '1' ? '2' : '1';
  await page.check(`input[data-partition="${other}"]`);
  await page.click('button[data-action="partition"]');
  assert.ok(await page.locator('g.link.cut').count() >= 6);
  await newLeader(page, old);
  assert.deepEqual(errors, []);
});

test('a link can be cut in one direction only, from the inspector, and healed again', async () => {
  const { page, errors } = await open(browser, url);
  await page.click('g.node[data-id="1"]');
  await page.click('details.one-way summary');
  await page.click('button[data-action="cut-1-2"]');
  assert.equal(await page.getAttribute('g.link[data-link="1-2"]', 'class'), 'link oneway');
  assert.match(await page.getAttribute('g.link[data-link="1-2"]', 'aria-label'), /n1→n2 cut \(n2→n1 works\)/);
  // The other direction too: now cut both ways; healing one leaves the other.
  await page.click('button[data-action="cut-2-1"]');
  assert.equal(await page.getAttribute('g.link[data-link="1-2"]', 'class'), 'link cut');
  await page.click('button[data-action="heal-1-2"]');
  assert.match(await page.getAttribute('g.link[data-link="1-2"]', 'aria-label'), /n2→n1 cut \(n1→n2 works\)/);
  await page.click('button[data-action="heal-2-1"]');
  assert.equal(await page.getAttribute('g.link[data-link="1-2"]', 'class'), 'link healthy');
  assert.deepEqual(errors, []);
});
