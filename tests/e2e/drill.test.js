// The interview drill (issue #17): questions from every scenario, timed, a score per topic kept
// in the browser until reset, the explanation after each answer, and the moment replayed in the
// lab.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, open, openExtras, screenshot, closePages } from './harness.js';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

async function startDrill(page) {
  await openExtras(page);
  await page.click('[data-testid="drill-start"]');
  await page.waitForSelector('[data-testid="drill-question"]', { timeout: 120_000 });
}

test('the drill asks, times, explains, keeps a score per topic and replays the moment', async () => {
  const { page, errors } = await open(browser, url);
  await startDrill(page);
  const total = Number((await page.textContent('.drill-question .hint')).match(/of (\d+)/)[1]);
  assert.ok(total >= 25, `questions across the scenarios: ${total}`);
  const answered = {};
  for (let i = 0; i < 3; i++) {
    const topic = await page.getAttribute('[data-testid="drill-question"]', 'data-topic');
    await page.locator('.drill-question button[data-choice]').first().click();
    assert.match(await page.textContent('[data-testid="drill-verdict"]'), /^(Right|Not quite) \(\d+\.\d s\)\. The simulation says /);
    assert.equal(await page.locator('.drill-question button.right').count(), 1);
    answered[topic] = (answered[topic] ?? 0) + 1;
    if (i < 2) await page.click('[data-testid="drill-next"]');
  }
  // One row per topic answered, with its count.
  for (const [topic, n] of Object.entries(answered)) {
    assert.match(await page.textContent(`[data-testid="drill-scores"] tr[data-topic="${topic}"]`), new RegExp(`of ${n}`));
  }
  await screenshot(page, 'drill');
  // Replay the moment: the scenario opens in the lab at the question's time, as a tour.
  const at = await page.getAttribute('[data-testid="drill-question"]', 'data-at');
  const path = await page.getAttribute('[data-testid="drill-question"]', 'data-path');
  // A Kafka scenario opens in the lab with every algorithm (a reload).
  const onDemand = /config algo=(kafka|kraft) /.test(await readFile(join(SCENARIOS, path), 'utf8'));
  if (onDemand) {
    await Promise.all([page.waitForNavigation(), page.click('[data-testid="drill-replay"]')]);
  } else {
    await page.click('[data-testid="drill-replay"]');
  }
  await page.waitForFunction((t) => document.querySelector('main.lab')?.dataset.now === t, at, { timeout: 30_000 });
  await page.waitForSelector('[data-testid="narration"]');
  // The scores survive a reload, and reset clears them.
  await page.reload();
  await page.waitForSelector('main.lab');
  await openExtras(page);
  const first = Object.keys(answered)[0];
  assert.match(await page.textContent(`[data-testid="drill-scores"] tr[data-topic="${first}"]`), /of \d/);
  await page.click('[data-testid="drill-reset"]');
  assert.equal(await page.locator('[data-testid="drill-scores"]').count(), 0);
  assert.deepEqual(errors, []);
});
