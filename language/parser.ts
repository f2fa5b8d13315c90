/**
 * web-tree-sitter bootstrap: initialise once, cache one Parser per language.
 * Grammar files are looked up (in order) in the directory given to setGrammarDir(),
 * in `<__dirname>/grammars/` (esbuild bundle layout: dist/grammars/*.wasm) and finally
 * through require.resolve on the npm packages (running from source with tsx).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Parser, Language, Tree } from 'web-tree-sitter';
import type { Lang } from './types';

const GRAMMAR_FILE: Record<Lang, string> = {
  java: 'tree-sitter-java.wasm',
  python: 'tree-sitter-python.wasm',
  kotlin: 'tree-sitter-kotlin.wasm',
  scala: 'tree-sitter-scala.wasm',
};
const PACKAGE_PATH: Record<Lang, string> = {
  java: 'tree-sitter-wasms/out/tree-sitter-java.wasm',
  python: 'tree-sitter-wasms/out/tree-sitter-python.wasm',
  kotlin: 'tree-sitter-wasms/out/tree-sitter-kotlin.wasm',
  // the Scala grammar of tree-sitter-wasms rejects ordinary Scala 2 code; use the grammar's own build
  scala: 'tree-sitter-scala/tree-sitter-scala.wasm',
};

const PARSE_CHUNK = 4096;
let grammarDir: string | undefined;
let initPromise: Promise<void> | undefined;
let initialised = false;
const languages = new Map<Lang, Language>();
const loading = new Map<Lang, Promise<Language>>();
let loadQueue: Promise<void> = Promise.resolve();
const parsers = new Map<Lang, Parser>();

/** Point the loader at a folder holding tree-sitter-{java,python,kotlin,scala}.wasm (and optionally tree-sitter.wasm). */
export function setGrammarDir(dir: string): void {
  grammarDir = dir;
}

function tryResolve(spec: string): string | undefined {
  try {
    return require.resolve(spec);
  } catch {
    return undefined;
  }
}

function firstExisting(candidates: (string | undefined)[]): string | undefined {
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  return undefined;
}

export function grammarPath(lang: Lang): string {
  const file = GRAMMAR_FILE[lang];
  const found = firstExisting([
    grammarDir ? path.join(grammarDir, file) : undefined,
    path.join(__dirname, 'grammars', file),
    path.join(__dirname, '..', 'grammars', file),
    tryResolve(PACKAGE_PATH[lang]),
    path.join(__dirname, '..', 'node_modules', PACKAGE_PATH[lang]),
  ]);
  if (!found) throw new Error(`tree-sitter grammar ${file} not found (setGrammarDir or install ${PACKAGE_PATH[lang]})`);
  return found;
}

function runtimeWasmPath(): string | undefined {
  return firstExisting([
    grammarDir ? path.join(grammarDir, 'tree-sitter.wasm') : undefined,
    grammarDir ? path.join(grammarDir, '..', 'tree-sitter.wasm') : undefined,
    path.join(__dirname, 'tree-sitter.wasm'),
    tryResolve('web-tree-sitter/tree-sitter.wasm'),
    path.join(__dirname, '..', 'node_modules', 'web-tree-sitter', 'tree-sitter.wasm'),
  ]);
}

export function initParser(): Promise<void> {
  if (!initPromise) {
    const wasm = runtimeWasmPath();
    const opts = wasm ? { locateFile: () => wasm } : undefined;
    initPromise = (Parser.init as (o?: object) => Promise<void>)(opts).then(() => {
      initialised = true;
    });
  }
  return initPromise;
}

export async function loadLanguage(lang: Lang): Promise<Language> {
  const have = languages.get(lang);
  if (have) return have;
  let p = loading.get(lang);
  if (!p) {
    // web-tree-sitter links grammar modules one at a time; concurrent loads corrupt its symbol table
    p = loadQueue.then(() => initParser()).then(() => Language.load(grammarPath(lang)));
    loadQueue = p.then(() => undefined, () => undefined);
    loading.set(lang, p);
  }
  const l = await p;
  languages.set(lang, l);
  return l;
}

/** Parse after the language has been loaded (see loadLanguage); throws otherwise. */
export function parseSync(text: string, lang: Lang): Tree {
  const l = languages.get(lang);
  if (!initialised || !l) throw new Error(`tree-sitter language ${lang} not loaded; await loadLanguage('${lang}') first`);
  let p = parsers.get(lang);
  if (!p) {
    p = new Parser();
    p.setLanguage(l);
    parsers.set(lang, p);
  }
  // Feeding the text in 4 KiB chunks is several times faster than passing the whole string, which
  // web-tree-sitter re-slices and re-encodes from the read position on every input request.
  const t = p.parse((index: number) => (index < text.length ? text.slice(index, index + PARSE_CHUNK) : ''));
  if (!t) throw new Error('tree-sitter parse failed');
  return t;
}

export function isLoaded(lang: Lang): boolean {
  return initialised && languages.has(lang);
}

export async function parse(text: string, lang: Lang): Promise<Tree> {
  await loadLanguage(lang);
  return parseSync(text, lang);
}
