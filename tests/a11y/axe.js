// axe-core over many HTML pages in one headless Chromium: `node axe.js PAGE...` writes the
// violations axe finds in each page, with every rule it has, to PAGE.axe.json, and whether the
// page is wider than a phone's screen (360 CSS pixels: a reader would have to scroll sideways).
// Chromium is the one PUPPETEER_EXECUTABLE_PATH names (Debian's); the test suite sets it.
'use strict';

const fs = require('fs');
const { pathToFileURL } = require('url');
const puppeteer = require('puppeteer');

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function main(pages) {
  const browser = await puppeteer.launch({
    headless: true,
    // as root in a container, without network: no sandbox, no background requests
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
           '--no-first-run'],
  });
  try {
    for (const file of pages) {
      const page = await browser.newPage();
      await page.setViewport({ width: 360, height: 740 });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const overflows = await page.evaluate(
        () => document.documentElement.scrollWidth > window.innerWidth);
      await page.evaluate(AXE);
      const result = await page.evaluate(() => window.axe.run(document, {
        resultTypes: ['violations'],
      }));
      fs.writeFileSync(`${file}.axe.json`, JSON.stringify({
        version: result.testEngine.version,
        overflows,
        violations: result.violations.map(v => ({
          id: v.id, impact: v.impact, help: v.help,
          targets: v.nodes.map(n => n.target.join(' ')),
        })),
      }));
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

main(process.argv.slice(2)).then(() => process.exit(0), err => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
