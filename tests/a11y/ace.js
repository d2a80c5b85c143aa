// DAISY Ace over many EPUBs in one process and one browser (ace-cli checks one EPUB per run and
// starts Chromium for each): `node ace.js EPUB...` writes Ace's JSON report to EPUB.ace.json.
// Chromium is the one PUPPETEER_EXECUTABLE_PATH names (Debian's); the test suite sets it.
'use strict';

const path = require('path');
const fs = require('fs');
const logger = require('@daisy/ace-logger');
const ace = require('@daisy/ace-core');
const runner = require('@daisy/ace-axe-runner-puppeteer');

// Ace launches and closes its browser for every EPUB: launch once, close at the end.
let launched = false;
const sharedRunner = Object.assign({}, runner, {
  launch: async () => {
    if (!launched) {
      await runner.launch();
      launched = true;
    }
  },
  close: async () => {},
});

// EPUBs checked at once: each spends most of its time waiting for Chromium.
const CONCURRENCY = 3;

async function main(epubs) {
  logger.initLogger({ silent: true });
  await sharedRunner.launch();
  let failed = 0;
  let next = 0;
  async function worker() {
    while (next < epubs.length) {
      const epub = epubs[next++];
      try {
        const [, report] = await ace(epub, { cwd: process.cwd(), silent: true, jobId: '' },
          sharedRunner);
        fs.writeFileSync(`${epub}.ace.json`, JSON.stringify(report));
      } catch (err) {
        failed += 1;
        process.stderr.write(`${path.basename(epub)}: ${err && err.stack ? err.stack : err}\n`);
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await runner.close();
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(code => process.exit(code), err => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
