// A phone (touch, narrow viewport) and a user who asks for reduced motion.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, screenshot, setSpeed, newLeader, closePages } from './harness.js';

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

async function context(options) {
  const ctx = await browser.newContext(options);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await page.goto(url);
  await page.waitForSelector('main.lab');
  return { ctx, page, errors };
}

test('on a phone: the layout fits the screen and tapping crashes the leader', async () => {
  const { ctx, page, errors } = await context({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
  // Nothing wider than the screen: no sideways scrolling.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 391),
    'the page fits a 390 px wide screen');
  await setSpeed(page, '1x');
  const old = await newLeader(page);
  await page.tap(`g.node[data-id="${old}"]`);
  await page.tap('button[data-action="crash"]');
  assert.equal(await page.getAttribute(`g.node[data-id="${old}"]`, 'data-liveness'), 'down');
  await newLeader(page, old);
  // The play button and the scrubber are reachable by touch too.
  await page.tap('[data-testid="play"]');
  await screenshot(page, 'phone');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('prefers-reduced-motion: messages jump in three steps instead of gliding', async () => {
  const { ctx, page, errors } = await context({ viewport: { width: 1280, height: 1000 }, reducedMotion: 'reduce' });
  await setSpeed(page, '0.1x');
  const seen = new Set();
  for (let i = 0; i < 40 && seen.size < 3; i++) {
    for (const p of await page.$$eval('circle.msg', (gs) => gs.map((g) => g.dataset.progress))) seen.add(p);
    await page.waitForTimeout(50);
  }
  assert.ok(seen.size > 0, 'messages were on the wire');
  for (const p of seen) assert.ok(['0.17', '0.50', '0.83'].includes(p), `message progress ${p} is one of three steps`);
  assert.deepEqual(errors, []);
  await ctx.close();
});
