'use strict';
// Writes the extension manifest fields of package.json (main, icon, activationEvents, capabilities,
// contributes) from this file plus the `contributes.json` fragments that feature folders under
// extension/ provide (e.g. extension/editors/contributes.json). Run: node extension/manifest.js
const fs = require('fs');
const path = require('path');
const ROOT = path.resolve(__dirname, '..');
const p = path.join(ROOT, 'package.json');
const pkg = JSON.parse(fs.readFileSync(p, 'utf8'));
const rules = {
  'stateful-operator-without-uid': ['warning', 'A stateful operator (keyed process function, window, state-using function, source/sink with state) has no `.uid(…)`. Flink derives its operator ID from the job graph, so after a change of the job its state cannot be restored from a savepoint.'],
  'duplicate-uid': ['error', 'The same uid is set on more than one operator of a job. Flink rejects such a job at submission.'],
  'operator-without-uid': ['off', 'Any operator without `.uid(…)`, stateful or not. Off by default; turn it on to give every operator a stable ID.'],
  'non-constant-uid': ['information', 'The uid is computed from a non-constant expression, so it may differ between runs and break savepoint compatibility.'],
  'pyflink-watermark-uid': ['information', 'PyFlink watermark assigners create hidden operators that cannot take a uid.'],
};
const config = {
  'flinkSavepoints.savepointFolders': {
    type: 'array', items: { type: 'string' }, default: [], scope: 'resource',
    markdownDescription: 'Extra folders to search for savepoints and checkpoints (folders holding a `_metadata` file, up to 4 levels down), in addition to the workspace. Absolute, `~/…`, or relative to the first workspace folder.',
  },
  'flinkSavepoints.lint.enabled': {
    type: 'boolean', default: true, scope: 'resource',
    markdownDescription: 'Check Flink job code (Java, Scala, Kotlin, Python) for operators without `.uid(…)` and other uid problems.',
  },
  'flinkSavepoints.lint.codeLens': {
    type: 'boolean', default: true, scope: 'resource',
    markdownDescription: 'Show a code lens above every pipeline with its uid coverage, e.g. `uids 5/7 · 1 stateful without uid`.',
  },
  'flinkSavepoints.lint.debounceMs': {
    type: 'number', default: 400, minimum: 0, maximum: 5000, scope: 'resource',
    description: 'Delay in milliseconds after an edit before the uid analysis runs again.',
  },
};
for (const [id, [def, text]] of Object.entries(rules)) {
  config[`flinkSavepoints.lint.rules.${id}`] = {
    type: 'string', enum: ['error', 'warning', 'information', 'hint', 'off'], default: def, scope: 'resource',
    enumDescriptions: ['Report as an error', 'Report as a warning', 'Report as information', 'Show as a hint (faded)', 'Do not report'],
    markdownDescription: `Severity of the \`${id}\` rule. ${text}`,
  };
}
const cmd = (command, title, icon, extra = {}) => ({ command, title, category: 'Flink Savepoints', ...(icon ? { icon: `$(${icon})` } : {}), ...extra });
pkg.main = './dist/extension.js';
pkg.icon = 'media/icon.png';
pkg.activationEvents = [
  'onView:flinkSavepoints.savepoints',
  'workspaceContains:**/_metadata',
  'onLanguage:java', 'onLanguage:scala', 'onLanguage:kotlin', 'onLanguage:python',
  // VS Code has no built-in Scala/Kotlin language: such job files are plain text unless an extension adds one
  'workspaceContains:**/*.scala', 'workspaceContains:**/*.kt',
];
pkg.capabilities = {
  untrustedWorkspaces: {
    supported: 'limited',
    description: 'Browsing savepoints and the uid checks work in untrusted workspaces (read-only). Extra savepoint folders from workspace settings are ignored until the workspace is trusted.',
    restrictedConfigurations: ['flinkSavepoints.savepointFolders', 'flinkSavepoints.lint.savepoint', 'flinkSavepoints.java.home', 'flinkSavepoints.clusters', 'flinkSavepoints.engine.jvmArgs'],
  },
  virtualWorkspaces: { supported: false, description: 'Savepoints are read from the local file system.' },
};
pkg.contributes = {
  viewsContainers: {
    activitybar: [{ id: 'flinkSavepoints', title: 'Flink Savepoints', icon: 'media/flink-savepoints.svg' }],
  },
  views: {
    flinkSavepoints: [{ id: 'flinkSavepoints.savepoints', name: 'Savepoints', icon: 'media/flink-savepoints.svg', contextualTitle: 'Flink Savepoints' }],
  },
  viewsWelcome: [{
    view: 'flinkSavepoints.savepoints',
    contents: 'No savepoints found in the workspace. A savepoint or checkpoint is a folder holding a _metadata file.\n[Add Savepoint Folder](command:flinkSavepoints.addSavepointFolder)\nFolders outside the workspace can also be listed in the [Savepoint Folders setting](command:workbench.action.openSettings?%5B%22flinkSavepoints.savepointFolders%22%5D).',
  }],
  commands: [
    cmd('flinkSavepoints.refresh', 'Refresh Savepoints', 'refresh'),
    cmd('flinkSavepoints.openSavepoint', 'Open Savepoint (Compact View)', 'preview'),
    cmd('flinkSavepoints.addSavepointFolder', 'Add Savepoint Folder…', 'new-folder'),
    cmd('flinkSavepoints.copyOperatorId', 'Copy Operator ID', 'copy'),
    cmd('flinkSavepoints.copyUid', 'Copy uid', 'symbol-key'),
    cmd('flinkSavepoints.copyPath', 'Copy Savepoint Path', 'clippy'),
    cmd('flinkSavepoints.revealInExplorer', 'Reveal in Explorer View', 'go-to-file'),
    cmd('flinkSavepoints.revealInOS', 'Reveal in File Manager', 'folder-opened'),
    cmd('flinkSavepoints.fixAllInFile', 'Add .uid(…) to All Stateful Operators in File', 'wand'),
    cmd('flinkSavepoints.showOutput', 'Show Log', 'output'),
  ],
  menus: {
    'view/title': [
      { command: 'flinkSavepoints.refresh', when: 'view == flinkSavepoints.savepoints', group: 'navigation@1' },
      { command: 'flinkSavepoints.addSavepointFolder', when: 'view == flinkSavepoints.savepoints', group: 'navigation@2' },
      { command: 'flinkSavepoints.showOutput', when: 'view == flinkSavepoints.savepoints', group: '9_log' },
    ],
    'view/item/context': [
      { command: 'flinkSavepoints.copyOperatorId', when: 'view == flinkSavepoints.savepoints && viewItem =~ /^operator/', group: 'inline@1' },
      { command: 'flinkSavepoints.copyOperatorId', when: 'view == flinkSavepoints.savepoints && viewItem =~ /^operator/', group: '1_copy@1' },
      { command: 'flinkSavepoints.copyUid', when: 'view == flinkSavepoints.savepoints && viewItem == operator.uid', group: '1_copy@2' },
      { command: 'flinkSavepoints.copyPath', when: 'view == flinkSavepoints.savepoints && viewItem =~ /^savepoint/', group: '1_copy@3' },
      { command: 'flinkSavepoints.revealInExplorer', when: 'view == flinkSavepoints.savepoints && viewItem =~ /^savepoint/', group: '2_reveal@1' },
      { command: 'flinkSavepoints.revealInOS', when: 'view == flinkSavepoints.savepoints && viewItem =~ /^savepoint/ && !isWeb', group: '2_reveal@2' },
      { command: 'flinkSavepoints.refresh', when: 'view == flinkSavepoints.savepoints && viewItem =~ /^savepoint/', group: '9_refresh' },
    ],
    commandPalette: [
      { command: 'flinkSavepoints.openSavepoint', when: 'false' },
      { command: 'flinkSavepoints.copyOperatorId', when: 'false' },
      { command: 'flinkSavepoints.copyUid', when: 'false' },
      { command: 'flinkSavepoints.copyPath', when: 'false' },
      { command: 'flinkSavepoints.revealInExplorer', when: 'false' },
      { command: 'flinkSavepoints.revealInOS', when: 'false' },
      { command: 'flinkSavepoints.fixAllInFile', when: 'editorLangId =~ /^(java|scala|kotlin|python)$/ || resourceExtname =~ /^\\.(scala|sc|kt|kts)$/' },
    ],
    'editor/context': [
      { command: 'flinkSavepoints.fixAllInFile', when: 'editorLangId =~ /^(java|scala|kotlin|python)$/ || resourceExtname =~ /^\\.(scala|sc|kt|kts)$/', group: '1_modification@90' },
    ],
  },
  configuration: {
    title: 'Flink Savepoints',
    properties: config,
  },
};
if (fs.existsSync(path.join(ROOT, 'syntaxes', 'flink-log.tmLanguage.json'))) {
  pkg.contributes.languages = [{
    id: 'flink-log', aliases: ['Flink Log', 'flink-log'],
    filenamePatterns: ['flink-*-taskexecutor-*.log', 'flink-*-taskexecutor-*.log.*', 'flink-*-standalonesession-*.log', 'flink-*-standalonesession-*.log.*',
      'flink-*-jobmanager-*.log', 'flink-*-taskmanager-*.log', 'jobmanager.log', 'taskmanager.log', '*.flink.log'],
    ...(fs.existsSync(path.join(ROOT, 'syntaxes', 'flink-log.language-configuration.json')) ? { configuration: './syntaxes/flink-log.language-configuration.json' } : {}),
  }];
  pkg.contributes.grammars = [{ language: 'flink-log', scopeName: 'text.log.flink', path: './syntaxes/flink-log.tmLanguage.json' }];
}
// ---- fragments of feature folders -------------------------------------------------------------
function mergeInto(target, frag, where) {
  for (const [k, v] of Object.entries(frag)) {
    if (Array.isArray(v)) {
      const list = (target[k] = target[k] || []);
      for (const item of v) {
        const id = item && typeof item === 'object' ? JSON.stringify([item.command, item.id, item.viewType, item.view, item.when, item.group, item.language]) : JSON.stringify(item);
        const dup = list.findIndex((x) => (x && typeof x === 'object' ? JSON.stringify([x.command, x.id, x.viewType, x.view, x.when, x.group, x.language]) : JSON.stringify(x)) === id);
        if (dup >= 0) list[dup] = item; else list.push(item);
      }
    } else if (v && typeof v === 'object') {
      if (!target[k] || typeof target[k] !== 'object') target[k] = {};
      mergeInto(target[k], v, `${where}.${k}`);
    } else {
      target[k] = v;
    }
  }
}
const extDir = path.join(ROOT, 'extension');
for (const d of fs.readdirSync(extDir, { withFileTypes: true })) {
  const f = path.join(extDir, d.name, 'contributes.json');
  if (!d.isDirectory() || !fs.existsSync(f)) continue;
  const frag = JSON.parse(fs.readFileSync(f, 'utf8'));
  if (frag.activationEvents) for (const e of frag.activationEvents) if (!pkg.activationEvents.includes(e)) pkg.activationEvents.push(e);
  if (frag.contributes) mergeInto(pkg.contributes, frag.contributes, 'contributes');
  console.log(`merged ${path.relative(ROOT, f)}`);
}

fs.writeFileSync(p, JSON.stringify(pkg, null, 2) + '\n');
console.log('package.json: manifest fields written');
