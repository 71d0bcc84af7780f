// Presenter mode (issue #17): large type and thick lines with the settings hidden; a clicker's
// PageDown/PageUp (and the arrows) move through the tour's steps with "Step k of n" in view;
// speaker notes from the tour file's `#%` lines, which students never see; fullscreen.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, screenshot, closePages } from './harness.js';

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

const TOUR = 'tours/09-raft-split-vote.txt';
const narration = (page) => page.textContent('[data-testid="narration"]');

test('presenter mode: big, no settings, clicker keys step through the tour, notes on n', async () => {
  const { page, errors } = await open(browser, `${url}?present=1#tour=${encodeURIComponent(TOUR)}`, { width: 1366, height: 768 });
  await page.waitForSelector('[data-testid="narration"]');
  assert.ok(await page.locator('main.lab.presenting').count() === 1);
  // Large type, settings and the event log hidden, the picture and the step in view.
  const size = await page.$eval('main.lab', (el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(size >= 20, `font size ${size}`);
  for (const hidden of ['section.settings', 'section.events', 'section.extras']) {
    assert.equal(await page.isVisible(hidden), false, `${hidden} hidden`);
  }
  assert.match(await narration(page), /^Step 1 of 4/);
  const inView = async (sel) => page.$eval(sel, (el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight + 1; });
  assert.ok(await inView('[data-testid="narration"]'), 'the step is in view at 1366x768');
  // Students never see the notes: not in the narration, and hidden until n.
  assert.doesNotMatch(await narration(page), /Ask the room/);
  assert.equal(await page.locator('[data-testid="notes"]').count(), 0);
  await page.keyboard.press('n');
  assert.match(await page.textContent('[data-testid="notes"]'), /Ask the room first/);
  // PageDown plays to the next step; the tour stops there.
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => /^Step 2 of 4/.test(document.querySelector('[data-testid="narration"]').textContent), null, { timeout: 30_000 });
  await page.waitForFunction(() => /^Step 3 of 4/.test(document.querySelector('[data-testid="narration"]').textContent)
    || document.querySelector('[data-testid="play"]').textContent === 'Play', null, { timeout: 30_000 });
  const at = await narration(page);
  // PageUp goes back a step, paused.
  await page.keyboard.press('PageUp');
  await page.waitForFunction((before) => document.querySelector('[data-testid="narration"]').textContent !== before, at);
  assert.equal(await page.textContent('[data-testid="play"]'), 'Play');
  // The question's answer shows once its block has played, without anyone answering.
  for (let i = 0; i < 6 && !(await page.locator('[data-testid="outcome"]').count()); i++) {
    await page.keyboard.press('PageDown');
    await page.waitForTimeout(1500);
  }
  assert.match(await page.textContent('[data-testid="outcome"]'), /it happened: (n\d|none)/);
  await screenshot(page, 'presenter-mode');
  // Fullscreen is offered (headless Chromium may refuse it: no error either way).
  await page.click('[data-testid="fullscreen"]');
  // Leaving presenter mode brings the settings back.
  await page.click('[data-testid="present-exit"]');
  assert.equal(await page.isVisible('section.settings'), true);
  assert.deepEqual(errors, []);
});

test('the tour panel offers presenter mode, and the arrows step events again outside it', async () => {
  const { page, errors } = await open(browser, `${url}#tour=${encodeURIComponent(TOUR)}`);
  await page.waitForSelector('[data-testid="narration"]');
  await page.click('[data-testid="present"]');
  assert.ok(await page.locator('main.lab.presenting').count() === 1);
  await page.click('[data-testid="present-exit"]');
  const steps = Number(await page.getAttribute('main.lab', 'data-steps'));
  await page.focus('main.lab');
  await page.keyboard.press('ArrowRight');
  assert.equal(Number(await page.getAttribute('main.lab', 'data-steps')), steps + 1);
  assert.deepEqual(errors, []);
});
