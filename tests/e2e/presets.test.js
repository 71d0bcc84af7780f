// Production defaults in the page (issue: faithful timing): each setting shows its production
// value beside it, one click switches the run to them, and the comparison runs every system
// with them and lists where each value comes from.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, openExtras, closePages, pick } from './harness.js';

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

test('settings show the production defaults and switch to them', async () => {
  const { page, errors } = await open(browser, url);
  // etcd: heartbeat 100 ms, election 1000 ms (timeouts drawn in [1000, 2000), so 1000..1999).
  assert.equal((await page.textContent('[data-production="heartbeat"]')).trim(), 'production: 100ms');
  assert.equal((await page.textContent('[data-production="election"]')).trim(), 'production: 1000..1999ms');
  await page.click('[data-testid="preset-production"]');
  await page.waitForFunction(() => document.querySelector('[data-setting="heartbeat"]').value === '100');
  assert.equal(await page.inputValue('input[data-setting="election"]'), '1000..1999');
  const link = await page.evaluate(() => { document.querySelector('[data-testid="share"]').click(); return location.href; });
  assert.match(decodeURIComponent(link), /heartbeat=100ms/);
  await page.click('[data-testid="preset-classroom"]');
  await page.waitForFunction(() => document.querySelector('[data-setting="heartbeat"]').value === '50');
  // Every algorithm has production values beside its fields.
  for (const algo of ['bully', 'zab', 'paxos', 'lease', 'kafka']) {
    await pick(page, algo);
    assert.ok(await page.locator('[data-production]').count() > 0, `${algo} shows production values`);
  }
  assert.deepEqual(errors, []);
});

test('the comparison runs every system with its production defaults and cites them', async () => {
  const { page, errors } = await open(browser, url);
  await openExtras(page);
  await page.selectOption('[data-testid="compare-preset"]', 'production');
  // The fault scripts are described with the times they run at.
  assert.match(await page.textContent('select[aria-label="Fault script"] option'), /at 30 ?s/);
  await page.click('[data-testid="run-compare"]');
  await page.waitForSelector('[data-testid="production-sources"]');
  const sources = await page.textContent('[data-testid="production-sources"]');
  assert.match(sources, /etcd/);
  assert.match(sources, /zoo_sample\.cfg/);
  assert.match(sources, /Chubby/);
  const rows = await page.locator('[data-testid="compare-table"] tbody tr').count();
  assert.equal(rows, 10);
  assert.equal(await page.getAttribute('[data-testid="compare-scrubber"]', 'max'), '120000');
  assert.deepEqual(errors, []);
});
