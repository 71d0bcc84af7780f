// Keyboard, focus, accessible names and the settings fields: what users reported while typing
// into the page, each reproduced here first.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, setSpeed, newLeader, closePages, pick } from './harness.js';

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

const playLabel = (page) => page.textContent('[data-testid="play"]');
const inputs = (page) => page.evaluate(() => [...document.querySelectorAll('section.events li.input')].map((l) => l.textContent));

test('typing a script into "Load a session" triggers no shortcut', async () => {
  const { page, errors } = await open(browser, url);
  await page.click('g.node[data-id="1"]');
  await page.click('details.import summary');
  await page.click('details.import textarea');
  const script = 'config algo=raft nodes=5 seed=1\nrun until=500ms\ncrash n3\npause n2 with heal and isolate, then wait ?';
  await page.keyboard.type(script);
  assert.equal(await page.inputValue('details.import textarea'), script);
  assert.match(await playLabel(page), /Pause/, 'Space did not pause the run');
  assert.equal(await page.getAttribute('g.node[data-id="1"]', 'data-liveness'), 'up', 'c did not crash n1');
  assert.equal(await page.locator('.help-box').count(), 0, '? did not open the help');
  assert.deepEqual(await inputs(page), [], 'no action was recorded');
  // Nor in a number field or a select.
  await page.click('[data-setting="seed"]');
  await page.keyboard.press('c');
  await page.keyboard.press(' ');
  await page.focus('select[aria-label="Simulation speed"]');
  await page.keyboard.press('p');
  assert.equal(await page.getAttribute('g.node[data-id="1"]', 'data-liveness'), 'up');
  assert.match(await playLabel(page), /Pause/);
  assert.deepEqual(errors, []);
});

test('Space on a focused button presses that button, not play/pause', async () => {
  const { page, errors } = await open(browser, url);
  await page.focus('[data-testid="share"]');
  await page.keyboard.press(' ');
  await page.waitForSelector('.banner.notice');
  assert.match(await page.textContent('.banner.notice'), /Link copied/);
  assert.match(await playLabel(page), /Pause/, 'still playing');
  assert.deepEqual(errors, []);
});

test('Space after clicking a button with the mouse plays or pauses, and does not click it again', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  const l = await newLeader(page);
  await page.click(`g.node[data-id="${l}"]`);
  await page.click('button[data-action="write"]');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => /Play/.test(document.querySelector('[data-testid="play"]').textContent));
  const writes = (await inputs(page)).filter((t) => t.includes('write'));
  assert.equal(writes.length, 1, writes.join('|'));
  // With the keyboard on the same button, Space is the button's again.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => [...document.querySelectorAll('section.events li.input')].filter((l) => /write/.test(l.textContent)).length === 2);
  assert.match(await playLabel(page), /Play/, 'still paused');
  assert.deepEqual(errors, []);
});

test('shortcuts work on a fresh page without a click, and Space does not scroll', async () => {
  const { page, errors } = await open(browser, url, { width: 1280, height: 600 });
  assert.equal(await page.evaluate(() => document.activeElement === document.body), true, 'the focus starts on the body');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => /Play/.test(document.querySelector('[data-testid="play"]').textContent));
  assert.equal(await page.evaluate(() => scrollY), 0, 'Space did not scroll the page');
  await page.keyboard.press('2');
  assert.equal(await page.getAttribute('g.node[data-id="2"]', 'aria-pressed'), 'true');
  // The help dialog takes the focus, and gives it back when it closes.
  await page.focus('[data-testid="share"]');
  await page.keyboard.press('?');
  await page.waitForSelector('.help-box');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'help-close');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('.help-box'));
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'share');
  assert.deepEqual(errors, []);
});

test('links between nodes are reachable with Tab and cut with Enter', async () => {
  const { page, errors } = await open(browser, url);
  let found = false;
  for (let i = 0; i < 80 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement?.matches('g.link') ?? false);
  }
  assert.ok(found, 'Tab reached a link');
  const link = await page.evaluate(() => document.activeElement.dataset.link);
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute(`g.link[data-link="${link}"]`, 'class'), 'link cut');
  assert.deepEqual(errors, []);
});

// The name a screen reader announces (a close approximation of the accessible name).
const NAMES = () => {
  const visible = (e) => e.offsetParent !== null || e.getClientRects().length > 0;
  const text = (e) => {
    const c = e.cloneNode(true);
    // A label's own text, without the control inside it (a select's options are not its label).
    c.querySelectorAll('[aria-hidden="true"], select, input, textarea').forEach((h) => h.remove());
    return c.textContent.replace(/\s+/g, ' ').trim();
  };
  return [...document.querySelectorAll('button, select, input, [role="button"]')].filter(visible).map((e) => {
    const label = e.closest('label');
    // In the picture the visible name is the node's own (its other glyphs are drawn letters).
    const inSvg = e.closest('svg') !== null;
    const shown = inSvg ? (e.querySelector('.name')?.textContent ?? '')
      : e.matches('button, [role="button"]') ? text(e) : label ? text(label) : '';
    const name = e.getAttribute('aria-label') ?? (e.matches('button') ? shown : label ? shown : e.getAttribute('title') ?? '');
    return { shown, name, html: e.outerHTML.slice(0, 80) };
  });
};

test('every control announces its visible text, and no two controls share a name', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  const l = await newLeader(page);
  await page.click(`g.node[data-id="${l}"]`);
  const controls = await page.evaluate(NAMES);
  for (const c of controls) {
    // Symbols (×, ✕) are not words to say.
    if (!/[a-z0-9]/i.test(c.shown) || c.shown.length > 60) continue;
    const words = c.shown.replace(/[(),:]/g, ' ').toLowerCase().split(/\s+/).filter(Boolean);
    for (const w of words) assert.ok(c.name.toLowerCase().includes(w), `"${c.name}" lacks "${w}" shown on ${c.html}`);
  }
  const names = controls.map((c) => c.name).filter((n) => n && !n.startsWith('Link n') && !/^n\d+/.test(n));
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  assert.deepEqual(twice, [], 'duplicate names');
  assert.equal(await page.locator('button:text-is("Pause")').count(), 1, 'one "Pause" button');
  assert.deepEqual(errors, []);
});

test('settings keep what the user types while the run plays, and apply it on Enter', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  const field = 'input[data-setting="election"]';
  await page.click(field, { clickCount: 3 });
  await page.keyboard.type('200..400', { delay: 60 });
  await page.waitForTimeout(300); // many frames while the run plays
  assert.equal(await page.inputValue(field), '200..400');
  await page.keyboard.press('Enter');
  await page.click('[data-testid="share"]');
  const link = decodeURIComponent(await page.evaluate(() => location.hash));
  assert.match(link, /election=200\.\.400ms/);
  // Heartbeat and seed too; blur applies as Enter does.
  await page.click('input[data-setting="heartbeat"]', { clickCount: 3 });
  await page.keyboard.type('75', { delay: 60 });
  await page.waitForTimeout(200);
  assert.equal(await page.inputValue('input[data-setting="heartbeat"]'), '75');
  await page.click('[data-setting="seed"]', { clickCount: 3 });
  await page.keyboard.type('42', { delay: 60 });
  await page.waitForTimeout(200);
  assert.equal(await page.inputValue('[data-setting="seed"]'), '42');
  await page.keyboard.press('Tab');
  await page.click('[data-testid="share"]');
  const link2 = decodeURIComponent(await page.evaluate(() => location.hash));
  assert.match(link2, /seed=42 .*heartbeat=75ms/);
  assert.deepEqual(errors, []);
});

test('bad settings are refused with a message for people', async () => {
  const { page, errors } = await open(browser, url);
  const refuse = async (selector, text) => {
    await page.click(selector, { clickCount: 3 });
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.banner.error');
    const m = await page.textContent('.banner.error .text');
    await page.click('.banner.error button');
    return m;
  };
  const seed = await refuse('[data-setting="seed"]', '-1');
  assert.match(seed, /seed cannot be negative \(-1\)/);
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('[data-setting="seed"]'), '1', 'the run keeps seed 1, and says so');
  const range = await refuse('input[data-setting="election"]', 'fast');
  assert.match(range, /like 150\.\.300/);
  const zero = await refuse('input[data-setting="heartbeat"]', '0');
  assert.match(zero, /between 1 and 60000 milliseconds/);
  for (const m of [seed, range, zero]) assert.doesNotMatch(m, /\.\.=|bad /);
  // A range without a unit is milliseconds.
  await page.click('input[data-setting="election"]', { clickCount: 3 });
  await page.keyboard.type('150..300');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('.banner.error').count(), 0);
  assert.deepEqual(errors, []);
});

test('the clock drift field gives every node a clock of its own, and refuses what is out of range', async () => {
  const { page, errors } = await open(browser, url);
  await page.click('[data-setting="drift"]', { clickCount: 3 });
  await page.keyboard.type('200000');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.banner.error');
  assert.match(await page.textContent('.banner.error .text'), /from 0 \(perfect clocks\) to 100000 \(10 %\), not .200000./);
  await page.click('.banner.error button');
  await page.click('[data-setting="drift"]', { clickCount: 3 });
  await page.keyboard.type('50000');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('.banner.error').count(), 0);
  await page.click('[data-testid="share"]');
  assert.match(decodeURIComponent(await page.evaluate(() => location.hash)), /drift=50000ppm/);
  // Each node's inspector compares its clock with true time.
  await page.click('g.node[data-id="2"]');
  await page.waitForFunction(() => /true time/.test(document.querySelector('.inspector').textContent));
  assert.match(await page.textContent('.inspector'), /rate [+-]\d+ ppm/);
  assert.deepEqual(errors, []);
});

test('a client write writes what its label says, and Kafka lets the user pick the partition', async () => {
  const { page, errors } = await open(browser, url);
  await setSpeed(page, '1x');
  const l = await newLeader(page);
  await page.click(`g.node[data-id="${l}"]`);
  const label = await page.textContent('button[data-action="write"]');
  await page.waitForTimeout(400);
  assert.equal(await page.textContent('button[data-action="write"]'), label, 'the label holds still while playing');
  const value = label.match(/x=(\d+)/)[1];
  await page.click('button[data-action="write"]');
  assert.ok((await inputs(page)).some((t) => t.includes(`write ${value} at n${l}`)), (await inputs(page)).join('|'));
  // Kafka: a write per partition.
  await pick(page, 'kafka');
  await setSpeed(page, '2x');
  await page.waitForSelector('g.node text.leads');
  const leader = await page.evaluate(() => document.querySelector('g.node text.leads[data-leads*="p1"]')?.closest('g.node').dataset.id);
  assert.ok(leader, 'the picture shows who leads p1');
  await page.click(`g.node[data-id="${leader}"]`);
  const p1 = await page.textContent('button[data-action="write-p1"]');
  assert.match(p1, /^Write x=\d+ to p1$/);
  await page.click('button[data-action="write-p1"]');
  await page.waitForFunction(() => /to p1 at offset/.test(document.querySelector('section.events ol').textContent), null, { timeout: 10_000 });
  // The button moves on: the same value is never offered twice.
  const again = await page.textContent('button[data-action="write-p1"]');
  assert.match(again, /^Write x=\d+ to p1$/);
  assert.ok(Number(again.match(/x=(\d+)/)[1]) > Number(p1.match(/x=(\d+)/)[1]), `${p1} then ${again}`);
  assert.deepEqual(errors, []);
});
