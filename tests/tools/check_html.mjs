// Opens one HTML file in Debian's headless Chromium, runs axe-core on it at each viewport
// width, records every request the page makes and prints one JSON object:
//
//   {"file": "...", "widths": [1280, 390],
//    "requests": [every URL requested other than the file itself and data: URLs],
//    "violations": [{"id", "impact", "help", "width", "nodes": [{"target", "summary"}]}],
//    "incomplete_count": n,          (axe's "needs review" results, summed over the widths)
//    "reader_problems": [...]}       (with the page's own CSP enforced, as a reader's browser
//                                     does: console errors such as CSP refusals, images that
//                                     did not load, fonts that failed)
//
// Usage: node check_html.mjs FILE.html [--width 1280 --width 390]
// Exit code 0 when the checks ran (whatever they found), 2 on usage errors or when the
// browser could not be driven. Used by tests/test_html_quality.py; `make tools` installs
// what it needs (npm ci here, Chromium from Debian's package).
//
// The browser is always /usr/bin/chromium: never a browser that a tool downloads itself.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = 30_000;

function usage(message) {
  process.stderr.write(`check_html.mjs: ${message}\nusage: node check_html.mjs FILE.html [--width N ...]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  let file = null;
  const widths = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--width') {
      const width = Number.parseInt(argv[i + 1] ?? '', 10);
      if (!Number.isInteger(width) || width < 200) usage(`bad --width ${argv[i + 1]}`);
      widths.push(width);
      i += 1;
    } else if (file === null) {
      file = argv[i];
    } else {
      usage(`unexpected argument ${argv[i]}`);
    }
  }
  if (file === null) usage('no HTML file given');
  return { file: resolve(file), widths: widths.length ? widths : [1280, 390] };
}

async function main() {
  const { file, widths } = parseArgs(process.argv.slice(2));
  try {
    readFileSync(file);
  } catch (error) {
    usage(`cannot read ${file}: ${error.message}`);
  }
  const fileUrl = pathToFileURL(file).href;

  // The network is closed on the machines this runs on: without these flags Chromium
  // waits on connections it tries by itself (updates, sync, QUIC probes). Playwright
  // adds --headless and gives every launch a fresh temporary --user-data-dir, which it
  // deletes on close. --no-sandbox because the tests run as root.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    timeout: TIMEOUT_MS,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

  const requests = new Set();
  const violations = [];
  const readerProblems = [];
  let incompleteCount = 0;
  const recordRequests = (page) =>
    page.on('request', (request) => {
      const url = request.url();
      if (url !== fileUrl && !url.startsWith('data:')) requests.add(url);
    });
  // Nothing may leave the file: anything else it asks for is recorded (above) and then
  // refused at once, so a bad reference fails the test instead of hanging it.
  const refuseRequests = (context) =>
    context.route(
      (url) => url.href !== fileUrl && url.protocol !== 'data:',
      (route) => route.abort('blockedbyclient'),
    );
  try {
    // First as a reader's browser shows the file: its CSP enforced, no checker injected.
    // Everything must load under that CSP (charts, images, fonts) with no console error.
    {
      const context = await browser.newContext({ viewport: { width: widths[0], height: 900 } });
      context.setDefaultTimeout(TIMEOUT_MS);
      const page = await context.newPage();
      recordRequests(page);
      await refuseRequests(context);
      page.on('console', (message) => {
        if (message.type() === 'error') readerProblems.push(`console error: ${message.text().slice(0, 300)}`);
      });
      page.on('pageerror', (error) => readerProblems.push(`page error: ${error.message}`));
      await page.goto(fileUrl, { waitUntil: 'load' });
      // page.evaluate runs through the DevTools protocol, which the page's CSP does not govern.
      const broken = await page.evaluate(async () => {
        await document.fonts.ready;
        const images = [...document.images]
          .filter((image) => !image.complete || image.naturalWidth === 0)
          .map((image) => `image did not load: ${image.src.slice(0, 80)} (alt: ${image.alt.slice(0, 60)})`);
        const fonts = [...document.fonts]
          .filter((font) => font.status === 'error')
          .map((font) => `font did not load: ${font.family} ${font.weight} ${font.style}`);
        return [...images, ...fonts];
      });
      readerProblems.push(...broken);
      await context.close();
    }
    for (const width of widths) {
      // The report's Content-Security-Policy forbids every script, so axe cannot be
      // added to the page as a <script> (page.addScriptTag is refused). bypassCSP makes
      // Chromium ignore the page's CSP in this test context, which is what lets axe in.
      // Note that it is not limited to the injected checker: the page's own CSP is not
      // enforced either. That is on purpose here: a src= or url() that points outside
      // the file then turns into a real request, which recordRequests catches, instead of
      // being hidden by the CSP. The CSP stays a second line of defence for readers: the pass
      // above runs with it enforced, and the tests check that its meta tag is in the file.
      const context = await browser.newContext({
        bypassCSP: true,
        viewport: { width, height: 900 },
        deviceScaleFactor: 1,
        reducedMotion: 'reduce',
        serviceWorkers: 'block',
      });
      context.setDefaultTimeout(TIMEOUT_MS);
      const page = await context.newPage();
      recordRequests(page);
      await refuseRequests(context);
      await page.goto(fileUrl, { waitUntil: 'load' });
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      await page.evaluate(AXE_SOURCE);
      // axe's default rule set: WCAG 2.0/2.1/2.2 A and AA plus best practices
      // (experimental and AAA rules stay off, as axe ships them).
      const result = await page.evaluate(() =>
        window.axe.run(document, { resultTypes: ['violations', 'incomplete'] }),
      );
      for (const violation of result.violations) {
        violations.push({
          id: violation.id,
          impact: violation.impact,
          help: violation.help,
          width,
          nodes: violation.nodes.map((node) => ({
            target: node.target,
            summary: (node.failureSummary || '').slice(0, 400),
          })),
        });
      }
      incompleteCount += result.incomplete.length;
      await context.close();
    }
  } finally {
    await browser.close();
  }

  process.stdout.write(
    `${JSON.stringify({
      file,
      widths,
      requests: [...requests].sort(),
      violations,
      incomplete_count: incompleteCount,
      reader_problems: readerProblems,
    })}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`check_html.mjs: ${error.stack || error}\n`);
  process.exit(2);
});
