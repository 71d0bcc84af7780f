// Printable handouts (issue #17): "Print this tour" makes one sheet per step (the picture and
// the space-time diagram at that moment, the narration and the question) and the answers last;
// printed to PDF in headless Chromium, the page count and the text are checked.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { serve, launch, open, ARTIFACTS, closePages } from './harness.js';

let server, url, browser;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });
afterEach(() => closePages(browser));

const TOUR = 'tours/09-raft-split-vote.txt';

test('"Print this tour" prints one page per step and the answers on the last', async () => {
  const { page, errors } = await open(browser, `${url}#tour=${encodeURIComponent(TOUR)}`);
  await page.waitForSelector('[data-testid="narration"]');
  // The print dialog would wait for a person: count the calls instead.
  await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed += 1; }; });
  await page.click('[data-testid="print-tour"]');
  await page.waitForSelector('[data-testid="handout"] article.sheet.answers', { timeout: 60_000 });
  await page.waitForFunction(() => window.printed === 1);
  const sheets = await page.locator('[data-testid="handout"] article.sheet').count();
  assert.equal(sheets, 4 + 1, 'four steps and the answers');
  assert.equal(await page.locator('[data-testid="handout"] article.sheet svg.cluster').count(), 4);
  // On paper: only the handout, a page per sheet.
  const pdf = await page.pdf({ format: 'A4', printBackground: false });
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(join(ARTIFACTS, 'handout.pdf'), pdf);
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.equal(pages, 5, `PDF pages: ${pages}`);
  // The text: the steps, the questions and the answers (the PDF's text is compressed: read
  // what was printed from the page instead, under print media).
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('main.lab'), false, 'the lab is not printed');
  const text = await page.textContent('[data-testid="handout"]');
  assert.match(text, /step 1 of 4/);
  assert.match(text, /Predict: Three servers are about to time out/);
  assert.match(text, /answers.*Answer: none.*Answer: n4/s);
  await page.emulateMedia({ media: 'screen' });
  await page.click('[data-testid="handout-close"]');
  assert.equal(await page.locator('[data-testid="handout"]').count(), 0);
  assert.deepEqual(errors, []);
});
