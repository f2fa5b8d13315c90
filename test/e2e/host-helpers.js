'use strict';
// Shared by the extension-host suites (*.test.js here, not the Playwright ui*.test.js ones).

const EXT_ID = 'flink-savepoints.flink-savepoints';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns something truthy (returned), failing after `timeoutMs`. */
async function waitFor(what, fn, timeoutMs = 30000, everyMs = 100) {
  const t0 = Date.now();
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

module.exports = { EXT_ID, sleep, waitFor };
