'use strict';
// Loaded by the VS Code extension host (extensionTestsPath): runs extension.test.js with mocha
// inside the host, with the real `vscode` API.
const path = require('path');
const Mocha = require('mocha');

exports.run = function run() {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60000, reporter: 'spec' });
  mocha.addFile(path.resolve(__dirname, 'extension.test.js'));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} tests failed.`)) : resolve()));
    } catch (e) {
      reject(e);
    }
  });
};
