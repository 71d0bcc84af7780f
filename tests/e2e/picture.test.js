// The cluster picture and what is drawn around it: the legend, services drawn as services,
// votes inside the circle, faint heartbeats in the space-time diagram, the status pills.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, screenshot, setSpeed, newLeader, closePages } from './harness.js';

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

const link = (script, t) => `${url}#s=${encodeURIComponent(script)}&t=${t}`;

test('a legend explains the letters, the terms, the message abbreviations and the rings', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  await newLeader(page);
  const legend = await page.textContent('.legend');
  for (const s of ['F follower', 'C candidate', 'L leader', 'T3 = term 3', 'draining ring', 'RV RequestVote', 'AE AppendEntries']) {
    assert.ok(legend.replace(/\s+/g, ' ').includes(s), `legend has "${s}": ${legend}`);
  }
  assert.deepEqual(errors, []);
});

test('the space-time diagram is not blank in steady state: heartbeats are drawn faintly', async () => {
  const { page, errors } = await open(browser, link('config algo=raft nodes=5 seed=1\nrun until=2s\n', 2_000_000));
  assert.ok(await page.locator('.spacetime line.arrow.heartbeat').count() > 10);
  const opacity = await page.$eval('.spacetime line.arrow.heartbeat', (l) => Number(getComputedStyle(l).strokeOpacity));
  assert.ok(opacity < 0.6, `faint (${opacity})`);
  assert.deepEqual(errors, []);
});

test('the lock service and the storage are drawn as what they are, not as followers', async () => {
  const { page, errors } = await open(browser, url);
  await page.selectOption('[data-testid="algorithm"]', 'lease');
  for (const [id, tag] of [['1', 'lock service'], ['2', 'storage']]) {
    const node = page.locator(`g.node[data-id="${id}"]`);
    assert.equal(await node.locator('rect.body').count(), 1, `n${id} is a box`);
    const text = await node.locator('.role-letter').textContent();
    assert.equal(text, tag);
    assert.doesNotMatch(text, /F ·/);
    // Nor called one, to a screen reader or in the inspector.
    const name = await node.getAttribute('aria-label');
    assert.match(name, new RegExp(`^n${id} \\(${tag}\\): running`));
    assert.doesNotMatch(name, /follower|follows/);
  }
  await page.click('g.node[data-id="1"]');
  assert.match(await page.textContent('.inspector dl'), /rolea service, not a contender/);
  assert.match(await page.textContent('.legend'), /a service, not a contender/);
  await screenshot(page, 'lease-services');
  assert.deepEqual(errors, []);
});

test('a candidate\'s votes fit inside its circle', async () => {
  const { page, errors } = await open(browser, link('config algo=raft nodes=5 seed=1\nrun until=225ms\n', 225_000));
  await page.waitForSelector('g.node text.votes');
  const fits = await page.$$eval('g.node', (gs) => gs.every((g) => {
    const body = g.querySelector('.body').getBoundingClientRect();
    return [...g.querySelectorAll('.role-letter, .votes')].every((t) => {
      const r = t.getBoundingClientRect();
      return r.left >= body.left - 1 && r.right <= body.right + 1 && r.bottom <= body.bottom + 1;
    });
  }));
  assert.ok(fits, 'labels inside the circle');
  assert.match(await page.textContent('g.node text.votes'), /^\d+ votes?$/);
  assert.deepEqual(errors, []);
});

test('a Bully split brain: the pill counts two coordinators; jumping to the violation pauses there', async () => {
  const script = 'config algo=bully nodes=5 seed=1\nrun until=300ms\npartition n1,n2,n3 n4,n5\nrun until=900ms\nwrite n5 1\nwrite n3 2\nrun until=1s\n';
  const { page, errors } = await open(browser, link(script, 1_000_000));
  assert.equal(await page.textContent('[data-testid="leader-pill"]'), '2 coordinators');
  assert.equal(await page.textContent('[data-testid="invariants"]'), '1 invariant violation');
  await page.click('[data-testid="play"]');
  await page.click('[data-testid="first-violation"]');
  assert.match(await page.textContent('[data-testid="play"]'), /Play/, 'paused at the violation');
  const at = await page.getAttribute('main.lab', 'data-now');
  await page.waitForTimeout(300);
  assert.equal(await page.getAttribute('main.lab', 'data-now'), at, 'and stays there');
  assert.deepEqual(errors, []);
});

test('the lease table highlights rejected and stale writes', async () => {
  // Fencing off: n3's late write is accepted although token 2 was accepted before: stale.
  const script = 'config algo=lease nodes=4 seed=1 fencing=off\nrun until=610ms\npause n3 for=1000ms\nrun until=2010ms\n';
  const { page, errors } = await open(browser, link(script, 2_010_000));
  assert.ok(await page.locator('.algo-panel tr.stale').count() >= 1, 'a stale write is marked');
  const fenced = await open(browser, link(script.replace('fencing=off', 'fencing=on'), 2_010_000));
  assert.ok(await fenced.page.locator('.algo-panel tr.rejected').count() >= 1, 'a rejected write is marked');
  await screenshot(fenced.page, 'lease-rejected');
  assert.deepEqual([...errors, ...fenced.errors], []);
});

test('in Kafka the picture shows partition leaders, and the star names the controller', async () => {
  const { page, errors } = await open(browser, link('config algo=kafka nodes=4 seed=1 partitions=1\nrun until=600ms\n', 600_000));
  const leads = await page.$$eval('g.node text.leads', (ts) => ts.map((t) => [t.closest('g.node').dataset.id, t.textContent]));
  assert.deepEqual(leads, [['2', 'leads p0']]);
  assert.match(await page.textContent('g.node text.crown'), /controller/);
  assert.deepEqual(errors, []);
});
