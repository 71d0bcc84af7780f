// The README's "What it teaches" table, row by row, done by hand through the page: each row's
// "Try this" leads to its "You see".
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, screenshot, setSpeed, newLeader, leader, closePages, pick } from './harness.js';

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

const term = async (page, id) => Number(await page.getAttribute(`g.node[data-id="${id}"]`, 'data-term'));
const role = (page, id) => page.getAttribute(`g.node[data-id="${id}"]`, 'data-role');
const waitFor = (page, fn, arg, timeout = 20_000) => page.waitForFunction(fn, arg, { timeout });
const pill = (page) => page.textContent('[data-testid="invariants"]');
const setField = async (page, key, text) => {
  await page.click(`input[data-setting="${key}"]`, { clickCount: 3 });
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
};
const act = async (page, id, action) => {
  await page.click(`g.node[data-id="${id}"]`);
  await page.click(`button[data-action="${action}"]`);
};

test('Raft, wait: the draining rings run out and the first to expire wins', async () => {
  const { page, errors } = await open(browser, url);
  assert.ok(await page.locator('svg.cluster circle.timer').count() >= 5, 'every node has a draining ring');
  assert.match(await page.textContent('.legend'), /draining ring/);
  await setSpeed(page, '1x');
  const l = await newLeader(page);
  const log = await page.textContent('section.events ol');
  assert.match(log, new RegExp(`n${l} timed out and started an election for term 1`));
  assert.equal(await pill(page), 'invariants hold');
  assert.deepEqual(errors, []);
});

test('Raft, crash the leader: a gap with no leader, then a new leader in a higher term', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  const old = await newLeader(page);
  const t1 = await term(page, old);
  await act(page, old, 'crash');
  // The page redraws after the click (later on a loaded machine): wait for the gap.
  await waitFor(page, () => document.querySelector('main.lab').dataset.leader === '');
  const next = await newLeader(page, old);
  assert.ok(await term(page, next) > t1, 'a higher term');
  assert.deepEqual(errors, []);
});

test('Raft, pause the leader 500 ms: a new leader; the old one wakes up leading and steps down', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  const old = await newLeader(page);
  await act(page, old, 'pause-500');
  // Slow enough that the moment below lasts about a second on screen, on a loaded machine too.
  await setSpeed(page, '0.25x');
  // A moment with the new leader elected while the paused one still believes it leads.
  await waitFor(page, (o) => {
    const l = document.querySelector('main.lab').dataset.leader;
    return l !== '' && l !== o && document.querySelector(`g.node[data-id="${o}"]`).dataset.role === 'leader';
  }, old);
  await waitFor(page, (id) => document.querySelector(`g.node[data-id="${id}"]`).dataset.role === 'follower', old);
  assert.equal(await pill(page), 'invariants hold');
  assert.deepEqual(errors, []);
});

test('Raft, cut the leader off: it cannot commit; the majority elects another', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  const old = await newLeader(page);
  await act(page, old, 'isolate');
  await page.click('button[data-action="write"]');
  await newLeader(page, old);
  await page.click(`g.node[data-id="${old}"]`);
  assert.match(await page.textContent('.inspector dl'), /commit index1(?!\d)/);
  assert.deepEqual(errors, []);
});

test('Raft, election timeout 150..152ms: candidates split the vote again and again', async () => {
  const { page, errors } = await open(browser, url);
  await setField(page, 'election', '150..152');
  await setSpeed(page, '2x');
  // Term 3 or later before anyone leads: at least two elections failed.
  await waitFor(page, () => /election for term [3-9]/.test(document.querySelector('section.events ol').textContent), null, 30_000);
  assert.deepEqual(errors, []);
});

test('Bully, split the network, write to both sides: two coordinators, split brain flagged', async () => {
  const { page, errors } = await open(browser, url);
  await pick(page, 'bully');
  await setSpeed(page, '1x');
  await newLeader(page);
  await page.click('g.node[data-id="1"]');
  for (const id of ['2', '3']) await page.check(`input[data-partition="${id}"]`);
  await page.click('button[data-action="partition"]');
  await waitFor(page, () => document.querySelector('[data-testid="leader-pill"]').textContent === '2 coordinators');
  const leaders = await page.$$eval('g.node[data-role="leader"]', (gs) => gs.map((g) => g.dataset.id));
  for (const l of leaders) await act(page, l, 'write');
  await waitFor(page, () => /violation/.test(document.querySelector('[data-testid="invariants"]').textContent));
  assert.match(await pill(page), /^1 invariant violation$|^\d+ invariant violations$/);
  await screenshot(page, 'readme-bully-split-brain');
  assert.deepEqual(errors, []);
});

// The row as written ("crash the leader after some writes") elects the highest id when every
// server is equally up to date; the by-hand path that shows the lesson: a server misses some
// writes (it is down while they commit), comes back, and the leader crashes.
test('ZooKeeper: after writes it missed, the highest id does not win; the most up-to-date does', async () => {
  const { page, errors } = await open(browser, url);
  await pick(page, 'zab');
  await setSpeed(page, '2x');
  assert.equal(await newLeader(page), '5');
  await act(page, '5', 'crash');
  const l = await newLeader(page, '5');
  await act(page, l, 'write');
  await act(page, l, 'write');
  await page.waitForTimeout(300);
  // n5 comes back and the leader crashes at the same moment, before n5 can catch up.
  await page.click('[data-testid="play"]');
  await act(page, '5', 'restart');
  await act(page, l, 'crash');
  await page.click('[data-testid="play"]');
  const next = await newLeader(page, l);
  assert.notEqual(next, '5', 'n5, with the highest id and an older history, does not win');
  assert.deepEqual(errors, []);
});

test('Paxos, backoff off, timeout 150..155ms: proposers preempt each other; nothing wrong is chosen', async () => {
  const { page, errors } = await open(browser, url);
  await pick(page, 'paxos');
  await page.uncheck('input[data-setting="backoff"]');
  await setField(page, 'election', '150..155');
  await setSpeed(page, '2x');
  await waitFor(page, () => Number(document.querySelector('main.lab').dataset.now) > 1_500_000, null, 40_000);
  // Paused, on the story filter: the log then lists the last hundred role changes and notes,
  // not the last twenty messages a storm leaves it (which may hold no preemption).
  await page.click('[data-testid="play"]');
  await page.selectOption('[data-testid="log-filter"]', 'story');
  await waitFor(page, () => /preempted/.test(document.querySelector('section.events ol').textContent), null, 10_000);
  assert.equal(await pill(page), 'invariants hold', 'nothing wrong is chosen');
  assert.deepEqual(errors, []);
});

test('Lease, pause the holder mid-job: its late write is rejected after the next token\'s', async () => {
  const { page, errors } = await open(browser, url);
  await pick(page, 'lease');
  await setSpeed(page, '1x');
  const holder = await newLeader(page);
  // The picture says when the holder runs its job: pause it then (at 0.02x the 40 ms job lasts
  // two seconds on screen, time enough for a click on a loaded machine).
  await setSpeed(page, '0.02x');
  // Stop the clock while the job runs (on a loaded machine the click can land just after the
  // job ended: then let time run and try at the next job), pause the holder, and go on.
  const job = `g.node[data-id="${holder}"] [data-testid="job"]`;
  for (let attempt = 0; ; attempt++) {
    await page.waitForSelector(job, { timeout: 40_000 });
    await page.click('[data-testid="play"]');
    if (await page.locator(job).count() > 0) break;
    assert.ok(attempt < 5, 'the pause landed during a job');
    await page.click('[data-testid="play"]');
  }
  await act(page, holder, 'pause');
  await setSpeed(page, '2x');
  await page.click('[data-testid="play"]');
  // Another client holds the lock with a higher token and writes.
  await newLeader(page, holder);
  await waitFor(page, (h) => [...document.querySelectorAll('.algo-panel tbody tr')].some((r) => r.cells[4].textContent === 'accepted' && r.cells[2].textContent !== `n${h}`), holder);
  await page.click(`g.node[data-id="${holder}"]`);
  await page.click('button[data-action="resume"]');
  await page.waitForSelector('.algo-panel tr.rejected');
  assert.match(await page.textContent('.algo-panel tr.rejected'), new RegExp(`n${holder}`));
  await screenshot(page, 'readme-lease-fenced');
  assert.deepEqual(errors, []);
});

test('Kafka, crash a partition leader: the controller elects the next in-sync replica', async () => {
  const { page, errors } = await open(browser, url);
  await pick(page, 'kafka');
  await setSpeed(page, '2x');
  await page.waitForSelector('g.node text.leads[data-leads*="p0"]');
  const old = await page.evaluate(() => document.querySelector('g.node text.leads[data-leads*="p0"]').closest('g.node').dataset.id);
  await act(page, old, 'crash');
  await waitFor(page, (o) => {
    const t = document.querySelector('g.node text.leads[data-leads*="p0"]');
    return t && t.closest('g.node').dataset.id !== o;
  }, old, 30_000);
  assert.equal(await pill(page), 'invariants hold');
  assert.deepEqual(errors, []);
});

test('Kafka, acks=1: an acknowledged record is lost when its partition leader crashes', async () => {
  const { page, errors } = await open(browser, url);
  await pick(page, 'kafka');
  await page.uncheck('input[data-setting="acks-all"]');
  await setSpeed(page, '2x');
  await page.waitForSelector('g.node text.leads[data-leads*="p0"]');
  await page.waitForTimeout(500);
  await page.click('[data-testid="play"]'); // pause: write and crash at the same moment
  const l = await page.evaluate(() => document.querySelector('g.node text.leads[data-leads*="p0"]').closest('g.node').dataset.id);
  await act(page, l, 'write-p0');
  assert.match(await page.textContent('section.events ol'), /acknowledges it at once \(acks=1\)/);
  await page.click('button[data-action="crash"]');
  await page.click('[data-testid="play"]');
  await waitFor(page, () => /violation/.test(document.querySelector('[data-testid="invariants"]').textContent), null, 30_000);
  assert.deepEqual(errors, []);
});

test('Redis, Clock +1 s on the Redis node while a client holds the lock: two holders, flagged', async () => {
  // At 610 ms of seed 1, n3 holds the lock (golden redis/clock-jump-violation.txt): the link
  // opens the lab with every algorithm there, paused.
  const script = 'config algo=redis nodes=5 seed=1';
  const { page, errors } = await open(browser, `${url}#s=${encodeURIComponent(script)}&t=610000`);
  await page.waitForFunction(() => document.querySelector('main.lab')?.dataset.now === '610000', null, { timeout: 30_000 });
  const holder = await leader(page);
  assert.equal(holder, '3');
  // Make Redis's clock leap past the key's expiry, and go on.
  await setSpeed(page, '1x');
  await act(page, '1', 'jump');
  // The inspector shows Redis's clock against true time.
  assert.match(await page.textContent('.inspector'), /clock\s*reads [\d.]+m?s at true time [\d.]+m?s \(rate \+0 ppm, jumps \+1000ms\)/);
  await page.click('[data-testid="play"]');
  await waitFor(page, () => document.querySelector('[data-testid="invariants"]').textContent !== 'invariants hold');
  assert.match(await page.textContent('section.events ol'), new RegExp(`n${holder} believes it holds the lock`));
  await screenshot(page, 'readme-redis-clock-jump');
  assert.deepEqual(errors, []);
});

test('Redlock, Clock +1 s on the instance both clients reach: two holders, flagged', async () => {
  // Kleppmann's setting (golden redis/redlock-clock-jump-violation.txt): n8 reaches n1-n3, n7
  // reaches n3-n5; at 610 ms n8 holds the lock on n1, n2 and n3.
  const script = 'config algo=redis nodes=8 seed=1 instances=5\ncut n8 n4\ncut n8 n5\ncut n7 n1\ncut n7 n2';
  const { page, errors } = await open(browser, `${url}#s=${encodeURIComponent(script)}&t=610000`);
  await page.waitForFunction(() => document.querySelector('main.lab')?.dataset.now === '610000', null, { timeout: 30_000 });
  assert.equal(await leader(page), '8');
  // The instances are drawn as services, and the table says who granted what.
  assert.equal(await page.locator('g.node.service').count(), 6);
  assert.match(await page.textContent('section.algo-panel'), /n1 n3 n2 \(majority at/);
  await setSpeed(page, '1x');
  await act(page, '3', 'jump');
  await page.click('[data-testid="play"]');
  await waitFor(page, () => document.querySelector('[data-testid="invariants"]').textContent !== 'invariants hold');
  assert.match(await page.textContent('section.events ol'), /n8 believes it holds the lock \(n8#1\).*a majority of the Redis instances set it to n7/);
  await screenshot(page, 'readme-redlock-clock-jump');
  assert.deepEqual(errors, []);
});

test('Raft, Clock +1 s on a follower: nothing moves, its timers run on a monotonic clock', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  const l = await newLeader(page);
  const follower = l === '2' ? '3' : '2';
  await act(page, follower, 'jump');
  assert.match(await page.textContent('section.events ol'), /its timers and leases run on a monotonic clock, which does not jump/);
  assert.match(await page.textContent('.inspector'), /ignore the jumps/);
  await page.waitForTimeout(800);
  assert.equal(await leader(page), l, 'the leader stays');
  assert.deepEqual(errors, []);
});
