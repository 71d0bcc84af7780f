// Shared helpers: serve dist/ on 127.0.0.1 (port 0) and drive Debian's Chromium.
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const DIST = process.env.DIST_DIR ?? join(here, '..', '..', 'dist');
export const ARTIFACTS = join(here, 'artifacts');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

// Serves dist/. With `gzip`, compresses what the browser accepts gzipped, as a real host does
// (the page's budgets are gzipped sizes; measure-mobile.js uses it on a throttled network).
export async function serve({ gzip = false } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(DIST, path === '/' ? 'index.html' : path));
    if (!file.startsWith(normalize(DIST))) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
      if (gzip && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        res.writeHead(200, { ...headers, 'content-encoding': 'gzip' }).end(gzipSync(body, { level: 9 }));
        return;
      }
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// Opens a page and records page errors and console errors, which fail the test.
export async function open(browser, url, { width = 1280, height = 1000 } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await page.goto(url);
  await page.waitForSelector('main.lab');
  // A shared link replays to its cursor over a few frames when it is long: wait for it.
  await page.waitForSelector('main.lab:not([data-catching-up])', { timeout: 60_000 });
  return { page, errors };
}

// Closes every page the browser has open. Each test file calls it after each test: a page
// left open keeps animating its cluster, and a dozen of them slowed every later test (and
// the frame figures measured in a full run) several times over.
export async function closePages(browser) {
  for (const context of browser?.contexts() ?? []) {
    for (const page of context.pages()) await page.close();
  }
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

// The leader a majority follows, as the page reports it ('' when none).
export async function leader(page) {
  return page.getAttribute('main.lab', 'data-leader');
}

export async function setSpeed(page, label) {
  await page.selectOption('select[aria-label="Simulation speed"]', { label });
}

// Waits until a majority follows a leader other than `old` ('' = any leader) and returns it.
export async function newLeader(page, old = '') {
  await page.waitForFunction((o) => {
    const l = document.querySelector('main.lab').dataset.leader;
    return l !== '' && l !== o;
  }, old, { timeout: 20_000 });
  return leader(page);
}

// Opens the search, the comparison, the experiment and the drill (a module the page loads on
// demand).
export async function openExtras(page) {
  await page.click('[data-testid="open-extras"]');
  await page.waitForSelector('section.compare [data-testid="run-compare"]');
  await page.waitForSelector('[data-testid="run-experiment"]');
}

// Picks an algorithm in the settings. One the page loads on demand (its option says so) reloads
// the page as the lab with every algorithm: wait for it to run.
export async function pick(page, algo) {
  const option = page.locator(`[data-testid="algorithm"] option[value="${algo}"]`);
  if (/on demand/.test(await option.textContent())) {
    await Promise.all([page.waitForNavigation(), page.selectOption('[data-testid="algorithm"]', algo)]);
    await page.waitForSelector('main.lab');
  } else {
    await page.selectOption('[data-testid="algorithm"]', algo);
  }
}
