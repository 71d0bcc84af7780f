// Time until a student can act, on desktop and under Lighthouse's mobile conditions (issue #17):
// from navigation to the cluster drawn and a click on a node opening its inspector. Mobile is
// Lighthouse's simulated "slow 4G" profile applied with the DevTools protocol: 4x CPU slowdown,
// 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up. Each is measured RUNS times (default 5,
// a fresh browser context each, so nothing is cached) and reported as the median and range.
// The files are served gzipped. Run by scripts/measure.sh; not a test (the machines are shared
// and timings vary).
import { serve, launch } from './harness.js';

const RUNS = Number(process.env.RUNS ?? 5);

async function timeToAct(browser, url, mobile) {
  const context = await browser.newContext({ viewport: mobile ? { width: 412, height: 823 } : { width: 1280, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  if (mobile) {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  }
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector('svg.cluster g.node[data-id="1"]', { timeout: 120_000 });
  const drawn = Date.now() - t0;
  await page.click('svg.cluster g.node[data-id="1"]');
  await page.waitForSelector('section.inspector[aria-label="Node n1"]', { timeout: 60_000 });
  const acted = Date.now() - t0;
  await context.close();
  return { drawn, acted };
}

// Compressed, as a real host serves the page (its budget is a gzipped size).
const { server, url } = await serve({ gzip: true });
const browser = await launch();
try {
  for (const mobile of [false, true]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await timeToAct(browser, url, mobile));
    const s = (k) => {
      const v = runs.map((r) => r[k]).sort((a, b) => a - b);
      return `${(v[Math.floor(v.length / 2)] / 1000).toFixed(2)} s (${(v[0] / 1000).toFixed(2)}-${(v[v.length - 1] / 1000).toFixed(2)})`;
    };
    console.log(`${mobile ? 'mobile (4x CPU, 150 ms RTT, 1.6 Mbit/s)' : 'desktop'}: cluster drawn ${s('drawn')}; a click opens the inspector at ${s('acted')}`);
  }
} finally {
  await browser.close();
  server.close();
}
