// Every algorithm runs in the page: pick it, let it elect, no errors, screenshot.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, openExtras, screenshot, setSpeed, closePages, pick } from './harness.js';

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

for (const algo of ['raft', 'bully', 'zab', 'paxos', 'lease', 'kafka']) {
  test(`${algo} elects a leader in the page`, async () => {
    const { page, errors } = await open(browser, url);
    await pick(page, algo);
    await setSpeed(page, '2x');
    await page.waitForFunction(() => document.querySelector('main.lab').dataset.leader !== '', null, { timeout: 30_000 });
    const leader = await page.getAttribute('main.lab', 'data-leader');
    assert.match(leader, /^\d+$/);
    assert.equal(await page.textContent('[data-testid="invariants"]'), 'invariants hold');
    await screenshot(page, `algorithm-${algo}`);
    assert.deepEqual(errors, []);
  });
}

test('keyboard: space pauses, digits select, arrows step', async () => {
  const { page, errors } = await open(browser, url);
  await page.focus('main.lab');
  await page.waitForFunction(() => document.activeElement?.matches('main.lab'));
  await page.keyboard.press(' ');
  // The page re-renders after the key event: wait for it (a lost key still times out here).
  await page.waitForFunction(() => /Play/.test(document.querySelector('[data-testid="play"]').textContent), null, { timeout: 5_000 });
  assert.match(await page.textContent('[data-testid="play"]'), /Play/);
  const steps = Number(await page.getAttribute('main.lab', 'data-steps'));
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(Number(await page.getAttribute('main.lab', 'data-steps')), steps + 2);
  await page.keyboard.press('ArrowLeft');
  assert.equal(Number(await page.getAttribute('main.lab', 'data-steps')), steps + 1);
  await page.keyboard.press('3');
  assert.equal(await page.getAttribute('g.node[data-id="3"]', 'aria-pressed'), 'true');
  assert.match(await page.textContent('.inspector h2'), /Node n3/);
  assert.deepEqual(errors, []);
});

test('step back then forward lands on the same state', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  await page.waitForTimeout(400);
  await page.click('[data-testid="play"]');
  await page.focus('main.lab');
  await page.keyboard.press('ArrowRight');
  const before = await page.getAttribute('main.lab', 'data-trace-hash');
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute('main.lab', 'data-trace-hash'), before);
  assert.deepEqual(errors, []);
});

test('the Figure 16 experiment runs in the page without blocking it', async () => {
  const { page, errors } = await open(browser, url);
  await openExtras(page);
  await page.fill('input[aria-label="Trials per range"]', '30');
  await page.click('[data-testid="run-experiment"]');
  await page.waitForFunction(() => {
    const p = document.querySelector('.experiment progress');
    return p && p.value === p.max;
  }, null, { timeout: 60_000 });
  const rows = await page.locator('.experiment table.results tbody tr').count();
  assert.equal(rows, 10);
  assert.match(await page.textContent('.experiment table.results'), /median 287 ms/);
  assert.equal(await page.locator('.experiment .cdf svg polyline').count(), 10);
  // What the page owes a reader of the figure: 150-150 ran fewer trials and says so; the y axis
  // has ticks; each curve's label sits right of the plot (x beyond its frame at 592), visible;
  // and a note says why the numbers differ from the paper's.
  assert.match(await page.textContent('.experiment table.results tbody tr:first-child'), /3 of 30 \*/);
  assert.match(await page.textContent('[data-testid="reduced-trials"]'), /a tenth of the trials/);
  assert.equal(await page.locator('.experiment .cdf svg text', { hasText: /^0\.5$/ }).count(), 2);
  const labels = await page.$$eval('.experiment .cdf svg text[fill]', (ts) => ts.map((t) => ({
    x: Number(t.getAttribute('x')), shown: t.getBoundingClientRect().width > 0, text: t.textContent,
  })));
  assert.equal(labels.length, 10);
  for (const l of labels) assert.ok(l.x > 592 && l.shown, `${l.text} beside the plot and shown`);
  assert.match(await page.textContent('.experiment details.paper-note summary'), /Why these numbers differ/);
  await page.locator('.experiment').screenshot({ path: new URL('./artifacts/experiment.png', import.meta.url).pathname });
  assert.deepEqual(errors, []);
});

test('a guided scenario plays to its end, pausing at each narration step', async () => {
  const { page, errors } = await open(browser, url);
  await page.selectOption('[data-testid="tour-picker"]', 'raft/leader-crash.txt');
  await setSpeed(page, '10x');
  const seen = new Set([await page.textContent('[data-testid="narration"]')]);
  let answered = false;
  for (let i = 0; i < 20; i++) {
    const choice = page.locator('.question button[data-choice="n2"]:not([disabled])');
    if (await choice.count() > 0) {
      await choice.click();
      assert.match(await page.textContent('[data-testid="verdict"]'), /^Right: n2/);
      answered = true;
    }
    const next = page.locator('[data-testid="tour-continue"]');
    if (await next.count() === 0) break;
    await next.click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').textContent.includes('Pause'), null, { timeout: 20_000 });
    seen.add(await page.textContent('[data-testid="narration"]'));
  }
  assert.ok(seen.size >= 3, `narration steps seen: ${[...seen].join(' | ')}`);
  assert.ok(answered, 'the prediction question was asked and answered');
  assert.match(await page.textContent('.tour'), /The scenario is over/);
  assert.match(await page.textContent('.tour .score'), /score: 1 of 1 right/);
  // The scenario's story: n5 crashed, n2 leads term 2.
  assert.equal(await page.getAttribute('main.lab', 'data-leader'), '2');
  await screenshot(page, 'tour-leader-crash');
  assert.deepEqual(errors, []);
});

test('the experiment refuses malformed timeout ranges with a message', async () => {
  const { page, errors } = await open(browser, url);
  await openExtras(page);
  await page.fill('input[aria-label="Election timeout ranges in milliseconds"]', '150-100, abc');
  await page.click('[data-testid="run-experiment"]');
  assert.match(await page.textContent('.experiment .banner.error'), /'150-100': write min-max in ms/);
  await page.fill('input[aria-label="Election timeout ranges in milliseconds"]', '20-40');
  await page.fill('input[aria-label="Trials per range"]', '20');
  await page.click('[data-testid="run-experiment"]');
  await page.waitForFunction(() => document.querySelectorAll('.experiment table.results tbody tr').length === 1, null, { timeout: 30_000 });
  assert.deepEqual(errors, []);
});

test('side-by-side comparison replays the same faults in panes, with a table of outcomes', async () => {
  const { page, errors } = await open(browser, url);
  await openExtras(page);
  await page.selectOption('select[aria-label="Fault script"]', { index: 0 });
  await page.click('[data-testid="run-compare"]');
  await page.waitForSelector('[data-testid="compare-table"]');
  // Every algorithm, the on-demand ones included (the comparison module has them all): the
  // two Kafka modes and the three coordination-service recipes.
  assert.equal(await page.locator('[data-testid="compare-table"] tbody tr').count(), 10);
  assert.match(await page.textContent('[data-testid="compare-table"]'), /Raft.*Bully.*ZooKeeper \(ZAB\).*Paxos.*Lease.*Kafka.*KRaft.*ZooKeeper recipe.*etcd.*Redis/s);
  assert.match(await page.textContent('[data-testid="compare-table"] thead'), /writes lost or rejected.*invariant violations/s);
  // One animated pane per algorithm, all at the same time, playing on their own.
  assert.equal(await page.locator('[data-testid="compare-panes"] figure.pane svg g.node').count(), 10 * 5);
  // The small clusters' node labels are readable: at least 10 px tall on screen.
  const label = await page.$eval('[data-testid="compare-panes"] figure.pane svg g.node text', (t) => t.getBoundingClientRect().height);
  assert.ok(label >= 10, `node labels ${label.toFixed(1)} px tall`);
  const t0 = await page.textContent('[data-testid="compare-time"]');
  await page.waitForFunction((t) => document.querySelector('[data-testid="compare-time"]').textContent !== t, t0);
  // Scrub to 1.3 s: the leader crashed at 1 s; Raft already has a new leader, the lock
  // service still waits for the lease to expire.
  await page.fill('[data-testid="compare-scrubber"]', '1300');
  await page.dispatchEvent('[data-testid="compare-scrubber"]', 'input');
  assert.equal(await page.textContent('[data-testid="compare-time"]'), '1300ms');
  const status = async (name) => page.textContent(`figure.pane[data-algorithm="${name}"] [data-testid="pane-status"]`);
  assert.match(await status('Raft'), /^leader n\d/);
  assert.match(await status('Lease + fencing'), /no leader/);
  await page.locator('.compare').screenshot({ path: new URL('./artifacts/compare.png', import.meta.url).pathname });
  // Two algorithms are enough: Kafka's ZooKeeper mode against KRaft under the same faults.
  const others = await page.$$eval('input[aria-label^="Include "]', (boxes) => boxes.map((b) => b.getAttribute('aria-label').slice(8)));
  for (const name of others.filter((n) => n !== 'Kafka' && n !== 'KRaft')) await page.uncheck(`input[aria-label="Include ${name}"]`);
  await page.click('[data-testid="run-compare"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="compare-table"] tbody tr').length === 2);
  assert.match(await page.textContent('[data-testid="compare-table"] tbody'), /Kafka.*KRaft/s);
  // Fewer than two cannot be compared.
  await page.uncheck('input[aria-label="Include KRaft"]');
  assert.equal(await page.isDisabled('[data-testid="run-compare"]'), true);
  assert.deepEqual(errors, []);
});
