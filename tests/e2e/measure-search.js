// Measures the counterexample search in headless Chromium (WebAssembly, the page's search
// panel with its Web Workers): for each broken rule of the README's table, with the same
// bounds as the native `election-cli check` rows, the time from Start to the result, how the
// counterexample was found and its length before and after shrinking. Run by
// scripts/measure.sh (not a test: the machines are shared and timings vary).
import { serve, launch, open, openExtras } from './harness.js';

const ROWS = [
  // algo, nodes, rule, faults ('' = the panel's default)
  ['raft', 3, 'vote-not-persisted', ''],
  ['raft', 5, 'vote-not-persisted', ''],
  ['raft', 3, 'no-up-to-date-check', ''],
  ['raft', 3, 'figure8', 'partition=3,write=2,heal=0'],
  ['raft', 5, 'figure8', 'partition=3,write=2,heal=0'],
  // The same with the engine's own draws to choose from (native: found at run 2,962).
  ['raft', 5, 'figure8', 'partition=3,write=2,heal=0,timing=1,drop=1,duplicate=1,cut=1'],
  // Or more random runs (native: found at run 58,170 without choices).
  ['raft', 5, 'figure8', 'partition=3,write=2,heal=0', 100_000],
  ['raft', 3, 'no-step-down', ''],
  ['zab', 3, 'vote-by-id', ''],
  ['paxos', 3, 'ignore-accepted', ''],
  ['lease', 4, 'no-fencing', 'crash=2,restart=2,partition=2,write=2,pause=2'],
  ['lease', 4, 'expiry-from-receive', 'crash=2,restart=2,partition=2,write=2,pause=2'],
  ['kafka', 4, 'unclean', 'crash=2,restart=2,partition=2,write=2,pause=2'],
  ['kafka', 4, 'acks1', 'crash=2,restart=2,partition=2,write=2,pause=2'],
  ['kafka', 4, 'leader-outside-isr', 'crash=2,restart=2,partition=2,write=2,pause=2'],
];

const { server, url } = await serve();
const browser = await launch();
console.log('| rule | nodes | faults | random runs | workers | result | time to find (wall) | inputs before → after |');
console.log('|---|---|---|---|---|---|---|---|');
try {
  const only = process.env.ONLY; // e.g. ONLY=figure8: the rows of that rule
  for (const [algo, nodes, rule, faults, runs] of ROWS.filter((r) => !only || r[2] === only)) {
    const { page } = await open(browser, url);
    await openExtras(page);
    await page.selectOption('[data-testid="search-algo"]', algo);
    // Exactly this rule broken.
    for (const box of await page.$$('input[data-rule]')) {
      const name = await box.getAttribute('data-rule');
      if ((name === rule) !== (await box.isChecked())) await box.click();
    }
    await page.fill('[data-testid="search-nodes"]', String(nodes));
    await page.fill('[data-testid="search-depth"]', '1');
    if (faults) await page.fill('[data-testid="search-faults"]', faults);
    if (runs) await page.fill('[data-testid="search-runs"]', String(runs));
    const workers = await page.inputValue('[data-testid="search-workers"]');
    const t0 = Date.now();
    await page.click('[data-testid="search-start"]');
    await page.waitForSelector('[data-testid="search-result"]', { timeout: 600_000 });
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    const text = await page.textContent('[data-testid="search-result"]');
    const found = await page.getAttribute('[data-testid="search-result"]', 'data-found');
    const m = text.match(/\((\d+) inputs, (\d+) before shrinking.*found by the (\w+) search/);
    const how = found === 'yes' && m ? `found (${m[3]})` : 'none within the bounds';
    const sizes = m ? `${m[2]} → ${m[1]}` : '-';
    console.log(`| ${algo} \`${rule}\` | ${nodes} | ${faults || 'default'} | ${runs ?? 'default (20,000)'} | ${workers} | ${how} | ${secs} s | ${sizes} |`);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
