// Algorithms the page loads on demand (KRaft): the first download carries the six classic
// algorithms; picking KRaft, opening a link to a KRaft run or a KRaft tour loads the full lab
// (election-lab, the same page with every algorithm) in its place, once, and it then behaves
// like the page (issue #15's page part; the 250 KB first-load budget stays enforced).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, screenshot, setSpeed, closePages } from './harness.js';

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

const fetched = (page) => {
  const names = [];
  page.on('request', (r) => names.push(new URL(r.url()).pathname));
  return names;
};
const labFetches = (names) => names.filter((n) => n.endsWith('election-lab_bg.wasm')).length;
const shared = (page) => page.evaluate(() => decodeURIComponent(location.hash.match(/s=([^&]*)/)?.[1] ?? ''));

test('picking KRaft loads the full lab with the same cluster size, seed and network', async () => {
  const { page, errors } = await open(browser, `${url}#s=${encodeURIComponent('config algo=raft nodes=7 seed=4 latency=20ms..30ms\n')}&t=0`);
  const names = fetched(page);
  assert.equal(labFetches(names), 0, 'the first load has no full lab');
  const option = page.locator('select[data-testid="algorithm"] option[value="kraft"]');
  assert.equal(await option.textContent(), 'KRaft (loads on demand)');
  await Promise.all([page.waitForNavigation(), page.selectOption('select[data-testid="algorithm"]', 'kraft')]);
  await page.waitForSelector('main.lab');
  assert.equal(labFetches(names), 1);
  assert.equal(await page.inputValue('select[data-testid="algorithm"]'), 'kraft');
  assert.match(await shared(page), /^config algo=kraft nodes=7 seed=4 latency=20000us\.\.30000us /);
  // The picker of the full lab has every algorithm, none of them on demand.
  assert.equal(await page.locator('select[data-testid="algorithm"] option', { hasText: 'on demand' }).count(), 0);
  // It plays, like any newly picked algorithm. Voters and brokers look different; brokers show
  // fenced until they have caught up with the metadata log; the partition table shows.
  assert.equal(await page.textContent('[data-testid="play"]'), 'Pause');
  assert.ok(await page.locator('g.node .tag', { hasText: 'fenced broker' }).count() > 0);
  await setSpeed(page, '10x');
  await page.waitForFunction(() => document.querySelector('main.lab').dataset.leader !== '', null, { timeout: 20_000 });
  assert.equal(await page.locator('g.node .tag', { hasText: 'voter' }).count(), 3);
  assert.equal(await page.locator('g.node .tag', { hasText: 'broker' }).count(), 4);
  assert.match(await page.textContent('[data-testid="leader-pill"]'), /active controller: n[123]/);
  assert.match(await page.textContent('section.algo-panel'), /Partitions \(committed metadata log, high watermark \d+\)/);
  // Back to Raft: the full lab runs it too, without loading anything.
  await page.selectOption('select[data-testid="algorithm"]', 'raft');
  await setSpeed(page, '10x');
  await page.waitForFunction(() => document.querySelector('main.lab').dataset.leader !== '', null, { timeout: 20_000 });
  assert.equal(labFetches(names), 1);
  assert.deepEqual(errors, []);
});

test('a link to a KRaft run opens it in the full lab, paused where it was shared', async () => {
  const script = 'config algo=kraft nodes=6 seed=1 partitions=1\nrun until=1200ms\ncrash n4\n';
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const names = fetched(page);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}#s=${encodeURIComponent(script)}&t=2000000`);
  await page.waitForSelector('main.lab:not([data-catching-up])');
  assert.equal(labFetches(names), 1);
  assert.equal(await page.getAttribute('main.lab', 'data-now'), '2000000');
  // The crashed broker was fenced and p0 moved to the next replica in its ISR.
  const table = await page.textContent('section.algo-panel');
  assert.match(table, /p0/);
  await page.click('g.node[data-id="3"]');
  assert.match(await page.textContent('.inspector'), /n4@1 fenced/);
  await screenshot(page, 'kraft-full-lab');
  assert.deepEqual(errors, []);
});

test('a KRaft tour picked in the page starts in the full lab, with its narration and question', async () => {
  const { page, errors } = await open(browser, url);
  const names = fetched(page);
  const tour = 'tours/17-kraft-controller-failover.txt';
  // The first download lists the guided tours of every algorithm, not the other KRaft scenarios.
  assert.equal(await page.locator('[data-testid="tour-picker"] option[value="kraft/broker-fenced.txt"]').count(), 0);
  await Promise.all([page.waitForNavigation(), page.selectOption('select[data-testid="tour-picker"]', tour)]);
  await page.waitForSelector('[data-testid="narration"]', { timeout: 20_000 });
  assert.equal(labFetches(names), 1);
  assert.equal(await page.inputValue('select[data-testid="tour-picker"]'), tour);
  assert.match(await page.textContent('section.tour'), /controller/);
  // The full lab lists them all.
  assert.equal(await page.locator('[data-testid="tour-picker"] option[value="kraft/broker-fenced.txt"]').count(), 1);
  assert.deepEqual(errors, []);
});

test('a link to a scenario only the full lab lists opens it there', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const names = fetched(page);
  await page.goto(`${url}#tour=${encodeURIComponent('redis/redlock-clock-jump-violation.txt')}`);
  await page.waitForSelector('section.tour:not(.idle)', { timeout: 30_000 });
  assert.equal(labFetches(names), 1);
  assert.equal(await page.inputValue('select[data-testid="tour-picker"]'), 'redis/redlock-clock-jump-violation.txt');
  await page.close();
});

test('a link to a tour of the page starts it without the full lab', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const names = fetched(page);
  await page.goto(`${url}#tour=${encodeURIComponent('tours/09-raft-split-vote.txt')}`);
  await page.waitForSelector('section.tour:not(.idle)', { timeout: 20_000 });
  assert.equal(await page.inputValue('select[data-testid="tour-picker"]'), 'tours/09-raft-split-vote.txt');
  assert.equal(labFetches(names), 0);
  // An unknown tour is refused with a message, and the page runs on.
  const bad = await open(browser, `${url}#tour=${encodeURIComponent('../../etc/passwd')}`);
  assert.match(await bad.page.textContent('.banner.error'), /No scenario named \.\.\/\.\.\/etc\/passwd/);
});

test('a full lab that cannot load says so', async () => {
  const page = await browser.newPage();
  await page.route('**/election-lab*', (r) => r.abort());
  await page.goto(`${url}#s=${encodeURIComponent('config algo=kraft nodes=6 seed=1\n')}`);
  await page.waitForSelector('#panic:not([hidden])');
  assert.match(await page.textContent('#panic'), /KRaft could not be loaded \(.*\)\. Reload to try again/);
  assert.equal(await page.locator('#app').textContent(), '', 'the loading line is gone');
});

test('a session loaded in the page that the full lab cannot read is refused as a session, not a shared link', async () => {
  const { page, errors } = await open(browser, url);
  await page.click('details.import summary');
  await page.fill('details.import textarea', 'config algo=kafka nodes=5 seed=1 brokers=9\n');
  await Promise.all([page.waitForNavigation(), page.click('[data-testid="import"]')]);
  await page.waitForSelector('.banner.error');
  const said = await page.textContent('.banner.error');
  assert.match(said, /^That session could not be loaded: line 1: .*brokers/);
  assert.doesNotMatch(said, /shared link/);
  assert.deepEqual(errors, []);
});
