// Where things are: a tour at laptop sizes, the embed mode in a course page's iframe, a phone,
// and long text. Screenshots go to tests/e2e/artifacts.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, screenshot, setSpeed, closePages } from './harness.js';

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

// True when the whole element is inside the viewport (above the fold, nothing cut).
const inView = (page, selector) => page.evaluate((s) => [...document.querySelectorAll(s)].every((e) => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 1 && r.right <= innerWidth + 1;
}), selector);

for (const [width, height] of [[1280, 800], [1366, 768]]) {
  test(`with a tour open at ${width}×${height}, every node and the playback controls are visible`, async () => {
    const { page, errors } = await open(browser, url, { width, height });
    await page.selectOption('[data-testid="tour-picker"]', 'tours/04-interview-partitioned-leader.txt');
    await page.waitForSelector('[data-testid="narration"]');
    await page.click('[data-testid="tour-continue"]');
    await page.waitForSelector('.question button[data-choice]');
    assert.equal(await page.locator('g.node').count(), 5);
    assert.ok(await inView(page, 'g.node'), 'all five nodes');
    assert.ok(await inView(page, 'nav.controls button, nav.controls select'), 'the playback controls');
    assert.ok(await inView(page, '.tour .question'), 'the question');
    assert.ok(await inView(page, '[data-testid="narration"]'), 'the narration');
    await screenshot(page, `tour-${width}x${height}`);
    assert.deepEqual(errors, []);
  });
}

test('changing a setting during a tour ends the tour instead of narrating another cluster', async () => {
  const { page, errors } = await open(browser, url);
  await page.selectOption('[data-testid="tour-picker"]', 'tours/04-interview-partitioned-leader.txt');
  await page.waitForSelector('[data-testid="narration"]');
  await page.selectOption('[data-testid="algorithm"]', 'zab');
  await page.waitForSelector('.banner.notice');
  assert.match(await page.textContent('.banner.notice'), /guided scenario ended/);
  assert.equal(await page.locator('[data-testid="narration"]').count(), 0);
  assert.equal(await page.inputValue('[data-testid="tour-picker"]'), '');
  // So does a network change before the tour's end: its partition and writes would not happen.
  await page.click('.banner.notice button');
  await page.selectOption('[data-testid="tour-picker"]', 'tours/04-interview-partitioned-leader.txt');
  await page.waitForSelector('[data-testid="narration"]');
  await page.fill('[data-setting="loss"]', '10');
  await page.waitForFunction(() => /guided scenario ended/.test(document.querySelector('.banner.notice')?.textContent));
  assert.equal(await page.locator('[data-testid="narration"]').count(), 0);
  assert.deepEqual(errors, []);
});

for (const [width, height] of [[480, 360], [720, 640], [1024, 600]]) {
  test(`embedded at ${width}×${height}: one column, the picture full width, controls under it, an overlay inspector`, async () => {
    const { page, errors } = await open(browser, `${url}?embed=1`, { width, height });
    const box = async (s) => page.locator(s).first().boundingBox();
    const svg = await box('svg.cluster');
    const controls = await box('nav.controls');
    assert.ok(await inView(page, 'svg.cluster'), 'the whole picture is in the frame');
    assert.ok(await inView(page, 'nav.controls button'), 'the controls are in the frame');
    assert.ok(controls.y >= svg.y + svg.height - 1, 'the controls are under the picture');
    // Full width, or as tall as the frame allows (a square picture in a wide frame).
    assert.ok(svg.width >= width * 0.9 || svg.height >= height - 150, `picture ${svg.width}×${svg.height}`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no sideways scrolling');
    assert.ok(await inView(page, '[data-testid="embed-hint"]'), 'the one-line hint');
    const href = await page.getAttribute('[data-testid="open-full"]', 'href');
    assert.match(href, /#s=config%20algo%3Draft/);
    assert.doesNotMatch(href, /embed=1/);
    await page.click('g.node[data-id="1"]');
    await page.waitForSelector('.inspector:not(.empty)');
    assert.equal(await page.evaluate(() => scrollY), 0, 'the picture did not scroll away');
    const inspector = await box('.inspector');
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.inspector')).position), 'fixed');
    assert.ok(inspector.y + inspector.height <= height + 1, 'the inspector is in the frame');
    await screenshot(page, `embed-${width}x${height}`);
    assert.deepEqual(errors, []);
  });
}

test('the "open in the full lab" link carries the session and its moment', async () => {
  const { page, errors } = await open(browser, `${url}?embed=1`, { width: 720, height: 640 });
  await page.click('[data-testid="play"]');
  const now = await page.getAttribute('main.lab', 'data-now');
  const href = await page.getAttribute('[data-testid="open-full"]', 'href');
  const full = await open(browser, href);
  assert.equal(await full.page.getAttribute('main.lab', 'data-now'), now);
  assert.equal(await full.page.locator('main.lab.embed').count(), 0);
  assert.deepEqual([...errors, ...full.errors], []);
});

test('on a phone the inspector is a bottom sheet over the page, under the picture', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  await page.goto(url);
  await page.waitForSelector('g.node');
  await page.tap('g.node[data-id="2"]');
  await page.waitForSelector('.inspector:not(.empty)');
  const sheet = await page.locator('.inspector').boundingBox();
  assert.ok(sheet.y + sheet.height <= 845 && sheet.y > 844 * 0.4, `sheet at ${sheet.y}`);
  assert.ok(await inView(page, 'button[data-action="crash"]'), 'its actions are on screen');
  await page.tap('button[data-action="crash"]');
  assert.equal(await page.getAttribute('g.node[data-id="2"]', 'data-liveness'), 'down');
  await screenshot(page, 'phone-inspector');
  await ctx.close();
});

test('long text wraps: the embed notice and a long bad-link error do not widen the page', async () => {
  const long = 'x'.repeat(3000);
  const { page, errors } = await open(browser, `${url}#s=${long}&t=5`);
  await page.waitForSelector('.banner.error');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no horizontal scrollbar');
  await page.click('.banner.error button');
  await page.click('[data-testid="embed"]');
  await page.waitForSelector('.banner.notice');
  const notice = await page.textContent('.banner.notice .text');
  assert.doesNotMatch(notice, /<iframe/, 'the snippet is copied, not printed');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth));
  await screenshot(page, 'long-text');
  assert.deepEqual(errors, []);
});

test('a 15-node Paxos storm at 10x with 20 % duplication keeps the page answering', async () => {
  const script = 'config algo=paxos nodes=15 seed=1 backoff=off election=150..155ms duplicate=20%\n';
  const { page, errors } = await open(browser, `${url}#s=${encodeURIComponent(script)}&t=0`);
  await page.click('[data-testid="play"]');
  await setSpeed(page, '10x');
  await page.waitForTimeout(1500);
  // Frames keep coming; clicks are answered.
  const gaps = await page.evaluate(() => new Promise((done) => {
    const t = [];
    const tick = (x) => { t.push(x); if (t.length < 60) requestAnimationFrame(tick); else done(t.slice(1).map((v, i) => v - t[i])); };
    requestAnimationFrame(tick);
  }));
  gaps.sort((a, b) => a - b);
  const p95 = gaps[Math.floor(gaps.length * 0.95)];
  const t0 = Date.now();
  await page.click('g.node[data-id="3"]', { force: true });
  await page.waitForFunction(() => document.querySelector('g.node[data-id="3"]').getAttribute('aria-pressed') === 'true');
  const click = Date.now() - t0;
  console.log(`storm: frame interval p95 ${p95.toFixed(1)} ms, click to response ${click} ms`);
  // Frames keep coming (the 60 above were drawn); their p95 is a figure for measure.js.
  // The click registered (waited for above); its time is a figure for measure.js and the
  // log, not a pass/fail bound on a shared machine (one full run measured 1.1 s).
  assert.ok(await page.locator('circle.msg').count() <= 150, 'at most 150 messages drawn');
  assert.ok(await page.locator('text.msg-more').count() > 0, 'the rest are counted per link');
  await screenshot(page, 'paxos-storm');
  assert.deepEqual(errors, []);
});
