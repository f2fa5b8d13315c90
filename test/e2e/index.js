'use strict';
// Loaded by the VS Code extension host (extensionTestsPath): runs extension.test.js with mocha
// inside the host, with the real `vscode` API.
const path = require('path');
const mochaModule = require('mocha');
const Mocha = mochaModule.default || mochaModule;

exports.run = function run() {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60000, reporter: 'spec' });
  // every *.test.js here runs in the extension host, except the Playwright suites (ui*.test.js)
  const files = require('fs').readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && !f.startsWith('ui')).sort();
  for (const f of files) mocha.addFile(path.resolve(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} tests failed.`)) : resolve()));
    } catch (e) {
      reject(e);
    }
  });
};
