// The embedding API (issue #17): web/embed-api.html frames the lab and drives it with
// postMessage. Commands act, events come back in the documented shapes, malformed messages get
// an error event and the lab keeps running, and the lab obeys only its parent and ?host=.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, screenshot, closePages } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

// Opens the host page and collects every event the lab posts to it.
async function host() {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.exposeFunction('seen', () => {});
  await page.addInitScript(() => {
    window.events = [];
    window.addEventListener('message', (e) => { if (e.data && e.data.lab === 1) window.events.push(e.data); });
  });
  await page.goto(`${url}embed-api.html`);
  const frame = page.frameLocator('#lab');
  const event = async (pred, what, timeout = 20_000) => {
    const handle = await page.waitForFunction(
      ([src, from]) => window.events.slice(from).find(new Function('m', `return ${src}`)) ?? null,
      [pred, 0], { timeout },
    ).catch(() => { throw new Error(`no ${what} event: ${JSON.stringify(events)}`); });
    return handle.jsonValue();
  };
  const events = [];
  const send = (m) => page.evaluate((m) => document.getElementById('lab').contentWindow.postMessage(m, location.origin), m);
  const clear = () => page.evaluate(() => { window.events = []; });
  await event("m.type === 'ready'", 'ready');
  return { page, frame, event, send, clear, errors };
}

test('a course page drives the lab and hears its leader, terms and violations', async () => {
  const { page, frame, event, send, clear, errors } = await host();
  assert.deepEqual(await event("m.type === 'ready'", 'ready'), { lab: 1, type: 'ready', version: 1 });
  const first = await event("m.type === 'state'", 'state');
  assert.deepEqual(Object.keys(first).sort(), ['lab', 'leader', 't_us', 'terms', 'type']);
  assert.equal(first.terms.length, 5);
  // Play at 10x until a leader is elected: a leader event and a state event say so.
  await page.click('button:text("10x")');
  await page.click('button:text("Play")');
  const elected = await event("m.type === 'leader' && m.node !== null", 'leader');
  assert.ok(elected.node >= 1 && elected.node <= 5 && elected.term >= 1, JSON.stringify(elected));
  await page.waitForFunction(() => /^n\d$/.test(document.querySelector('[data-testid="host-leader"]').textContent));
  // Load a script: the state is reported at once; crashing the leader changes it.
  await clear();
  await page.fill('#script', 'config algo=raft nodes=3 seed=3\nrun until=1000ms\ncrash leader\n');
  await page.click('#load');
  // (A state event of the old cluster may still be on its way: wait for the new one.)
  const loaded = await event("m.type === 'state' && m.terms.length === 3", 'state after load');
  assert.ok(loaded.t_us < 1_000_000, `the loaded run starts again from 0: ${loaded.t_us}`);
  // Seek: the state comes back at that time.
  await clear();
  await send({ lab: 1, type: 'seek', t_us: 2_000_000 });
  await event("m.type === 'state' && m.t_us === 2000000", 'state at 2 s');
  // Select: the inspector opens on that node inside the frame.
  await send({ lab: 1, type: 'select', node: 2 });
  await frame.locator('section.inspector[aria-label="Node n2"]').waitFor();
  // Pause stops the clock.
  await send({ lab: 1, type: 'pause' });
  await frame.locator('[data-testid="play"]:text("Play")').waitFor();
  // A planted bug (a vote forgotten across a restart): the violation event names it.
  await clear();
  const script = await readFile(join(here, '../scenarios/raft/vote-not-persisted-violation.txt'), 'utf8');
  await send({ lab: 1, type: 'load', script });
  await send({ lab: 1, type: 'play' });
  const v = await event("m.type === 'violation'", 'violation', 30_000);
  assert.match(v.what, /n3 voted for n3 and then for n1 in term 1/);
  await screenshot(page, 'embed-api-host');
  assert.deepEqual(errors, []);
});

test('malformed messages are answered with an error event and change nothing', async () => {
  const { page, frame, event, send, clear } = await host();
  const cases = [
    [{ type: 'play' }, /"lab": 1/],
    ['play', /must be an object/],
    [{ lab: 1 }, /"type"/],
    [{ lab: 1, type: 'eval', code: 'parent.alert(1)' }, /unknown type "eval"/],
    [{ lab: 1, type: 'seek', t_us: -5 }, /from 0 to one day/],
    [{ lab: 1, type: 'speed', x: 3 }, /x must be one of 0\.01, 0\.02/],
    [{ lab: 1, type: 'select', node: 99 }, /1 to 5/],
    [{ lab: 1, type: 'load', script: 'config algo=raft nodes=0 seed=1' }, /could not be loaded/],
    [{ lab: 1, type: 'tour', name: '../../etc/passwd' }, /no tour named/],
  ];
  for (const [m, re] of cases) {
    await clear();
    await send(m);
    const e = await event("m.type === 'error'", `error for ${JSON.stringify(m)}`);
    assert.match(e.message, re, JSON.stringify(m));
  }
  // Still working: a tour starts by name, and answering its question is reported.
  await clear();
  await send({ lab: 1, type: 'tour', name: 'tours/09-raft-split-vote.txt' });
  await frame.locator('[data-testid="narration"]').waitFor();
  await send({ lab: 1, type: 'speed', x: 10 });
  await send({ lab: 1, type: 'play' });
  const choice = frame.locator('.question button').first();
  await choice.waitFor({ timeout: 30_000 });
  await choice.click();
  const a = await event("m.type === 'answer'", 'answer');
  assert.equal(a.tour, 'tours/09-raft-split-vote.txt');
  assert.equal(typeof a.correct, 'boolean');
  assert.ok(a.question.length > 0 && a.choice.length > 0);
  // Played to its end (each step pauses the tour: the host plays on, and the student answers
  // each question), the tour reports the score.
  const deadline = Date.now() + 60_000;
  let done;
  while (!(done = await page.evaluate(() => window.events.find((m) => m.type === 'tour-finished')))) {
    assert.ok(Date.now() < deadline, `no tour-finished: ${JSON.stringify(await page.evaluate(() => window.events))}`);
    const open = frame.locator('.question button:not([disabled])');
    if (await open.count() > 0) await open.first().click();
    else await send({ lab: 1, type: 'play' });
    await page.waitForTimeout(300);
  }
  const answers = await page.evaluate(() => window.events.filter((m) => m.type === 'answer'));
  assert.equal(answers.length, 2);
  assert.deepEqual([done.tour, done.score, done.of], ['tours/09-raft-split-vote.txt', answers.filter((x) => x.correct).length, 2]);
  assert.equal(await page.evaluate(() => window.events.filter((m) => m.type === 'error').length), 0);
});

test('the lab obeys only its parent, and only the origin named by ?host=', async () => {
  const { page, frame } = await host();
  const now = () => frame.locator('main.lab').getAttribute('data-now');
  // A message the lab's own window posts to itself is not from its parent: ignored.
  const inner = page.frames().find((f) => f.url().includes('embed=1'));
  await inner.evaluate(() => window.postMessage({ lab: 1, type: 'pause' }, '*'));
  const t0 = await now();
  await page.waitForFunction(() => true);
  await frame.locator('main.lab').evaluate((el, t) => new Promise((ok) => {
    const check = () => (el.dataset.now !== t ? ok() : requestAnimationFrame(check));
    check();
  }), t0);
  // A lab that names another host ignores this page.
  await page.evaluate(() => {
    const f = document.createElement('iframe');
    f.id = 'other';
    f.src = 'index.html?embed=1&host=https://course.example';
    document.body.append(f);
  });
  const other = page.frameLocator('#other');
  await other.locator('main.lab').waitFor();
  await page.evaluate(() => document.getElementById('other').contentWindow.postMessage({ lab: 1, type: 'pause' }, '*'));
  const t1 = await other.locator('main.lab').getAttribute('data-now');
  await other.locator('main.lab').evaluate((el, t) => new Promise((ok) => {
    const check = () => (el.dataset.now !== t ? ok() : requestAnimationFrame(check));
    check();
  }), t1);
  assert.equal(await other.locator('[data-testid="play"]').textContent(), 'Pause', 'still playing');
});
