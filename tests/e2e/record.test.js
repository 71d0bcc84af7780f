// Tour authoring in the page (issue #17): record a tour while playing and acting, add narration
// and a prediction question the simulation answers (and refuses while its answer is not a
// choice), export the file and a link, play the link, keep the draft over a reload, and edit a
// shipped tour the same way.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serve, launch, open, openExtras, screenshot, closePages, newLeader } from './harness.js';

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

const now = (page) => page.getAttribute('main.lab', 'data-now');
// Recorder fields apply on change (blur), as the lab's own settings do.
async function fill(page, selector, text) {
  await page.fill(selector, text);
  await page.press(selector, 'Tab');
}

test('a tour recorded in the page exports a file and a link that play it, and survives a reload', async () => {
  const script = 'config algo=raft nodes=5 seed=1';
  const { page, errors } = await open(browser, `${url}#s=${encodeURIComponent(script)}&t=0`);
  await openExtras(page);
  await page.click('[data-testid="record-start"]');
  await fill(page, '[data-testid="record-title"]', 'When the leader dies');
  await fill(page, '[data-testid="record-narration"] >> nth=0', 'Five servers start as followers.');
  // Play until n5 leads (seed 1), pause, crash it, and add a step there with a question.
  await page.click('[data-testid="play"]');
  await page.waitForFunction(() => document.querySelector('main.lab').dataset.leader === '5', null, { timeout: 20_000 });
  await page.click('[data-testid="play"]');
  await page.click('g.node[data-id="5"]');
  await page.click('button[data-action="crash"]');
  const crashedAt = await now(page);
  await page.click('[data-testid="record-add"]');
  assert.equal(await page.locator('[data-testid="record-step"]').count(), 2);
  await fill(page, '[data-testid="record-narration"] >> nth=1', 'The leader, n5, crashes.');
  await page.click('[data-testid="record-step"] >> nth=1 >> [data-testid="record-ask"]');
  // Play on until another node leads, and end the tour there.
  await page.click('[data-testid="play"]');
  const next = await newLeader(page, '5');
  await page.click('[data-testid="play"]');
  await page.click('[data-testid="record-end"]');
  assert.match(await page.textContent('[data-testid="record-answer"]'), new RegExp(`The simulation answers \u201cn${next}\u201d`));
  // Choices without the true answer are refused, with the answer shown and offered.
  const others = ['1', '2', '3', '4'].filter((n) => n !== next).map((n) => `n${n}`);
  await fill(page, '[data-testid="record-q-choices"]', others.join(' | '));
  assert.match(await page.textContent('[data-testid="record-refused"]'), new RegExp(`Refused: the simulation answers \u201cn${next}\u201d`));
  assert.ok(await page.isDisabled('[data-testid="record-download"]'), 'no export while a question is refused');
  await page.click('[data-testid="record-refused"] button');
  assert.match(await page.textContent('[data-testid="record-answer"]'), new RegExp(`n${next}`));
  await screenshot(page, 'record');

  // The file: the format of tests/scenarios, its output filled in.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="record-download"]')]);
  assert.equal(download.suggestedFilename(), 'when-the-leader-dies.txt');
  const file = await readFile(await download.path(), 'utf8');
  assert.match(file, /^config algo=raft nodes=5 seed=1 /);
  assert.match(file, /\n# When the leader dies\n# Five servers start as followers\.\n/);
  assert.match(file, new RegExp(`\\n# The leader, n5, crashes\\.\\n#\\? Which node leads when this step is over\\? \\| ${others.join(' \\| ')} \\| n${next} => leader\\ncrash n5\\n----\\n`));
  assert.match(file, new RegExp(`\\nrun until=${crashedAt}us\\n----\\n`));
  assert.equal(await page.inputValue('[data-testid="record-file"]'), file);

  // The draft is kept: after a reload the recorder is back with it.
  await page.reload();
  await page.waitForSelector('[data-testid="record-title"]', { timeout: 60_000 });
  assert.equal(await page.inputValue('[data-testid="record-title"]'), 'When the leader dies');
  assert.equal(await page.locator('[data-testid="record-step"]').count(), 2);

  // The link plays it as a tour: its title, two steps, the question asked at the crash.
  const href = await page.getAttribute('[data-testid="record-href"]', 'href');
  const { page: student } = await open(browser, `${url}${href}`);
  await student.waitForSelector('[data-testid="narration"]');
  assert.match(await student.textContent('[data-testid="narration"]'), /Step 1 of 2 · 0ms: When the leader dies Five servers start as followers\./);
  await student.click('[data-testid="play"]');
  await student.waitForSelector('.question', { timeout: 20_000 });
  assert.match(await student.textContent('.question'), /Which node leads when this step is over\?/);

  // Stopping discards the draft.
  await page.click('[data-testid="record-stop"]');
  await page.reload();
  await page.waitForSelector('main.lab');
  assert.equal(await page.locator('[data-testid="record-title"]').count(), 0);
  assert.deepEqual(errors, []);
});

test('a shipped tour is edited the same way and exported unchanged', async () => {
  const { page, errors } = await open(browser, url);
  await openExtras(page);
  // A pasted tour gets a scenario file's checks: a bad one is refused with the reason.
  await fill(page, '[data-testid="record-paste"]', '# Mine\nconfig algo=raft nodes=99 seed=1\nrun for=1s\n');
  await page.click('[data-testid="record-edit-pasted"]');
  assert.match(await page.textContent('[data-testid="recorder"] .banner.error'), /This tour cannot be edited: .*99 nodes/);
  await page.selectOption('[data-testid="record-edit-path"]', 'tours/09-raft-split-vote.txt');
  await page.click('[data-testid="record-edit"]');
  await page.waitForSelector('[data-testid="record-title"]');
  // The lab plays it, and the recorder holds its steps, questions answered.
  await page.waitForSelector('[data-testid="narration"]');
  const steps = await page.locator('[data-testid="record-step"]').count();
  assert.match(await page.textContent('[data-testid="narration"]'), new RegExp(`Step 1 of ${steps} `));
  assert.ok(await page.locator('[data-testid="record-answer"]').count() >= 1);
  assert.equal(await page.locator('[data-testid="record-refused"]').count(), 0);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="record-download"]')]);
  assert.equal(download.suggestedFilename(), '09-raft-split-vote.txt');
  const file = await readFile(await download.path(), 'utf8');
  const shipped = await (await fetch(`${url}scenarios/tours/09-raft-split-vote.txt`)).text();
  // The same questions, explanations and speaker notes, in the order of the shipped file (long
  // lines wrapped differently).
  const lines = (t, p) => t.split('\n').filter((l) => l.startsWith(p)).map((l) => l.slice(p.length).trim());
  assert.deepEqual(lines(file, '#?'), lines(shipped, '#?'));
  for (const p of ['#!', '#%']) assert.equal(lines(file, p).join(' '), lines(shipped, p).join(' '));
  // A change is kept: a new step's narration appears in the file.
  await fill(page, '[data-testid="record-narration"] >> nth=1', 'Edited in the page.');
  assert.match(await page.inputValue('[data-testid="record-file"]'), /\n# Edited in the page\.\n/);
  await page.click('[data-testid="record-stop"]');
  assert.deepEqual(errors, []);
});
