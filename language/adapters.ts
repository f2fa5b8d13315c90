/**
 * Per-language views over tree-sitter syntax trees. Each adapter answers the same small set of
 * questions (is this node a call? a declaration? a class? a string?) so that analyzer.ts can run
 * one language-independent analysis.
 */
import type { Node } from 'web-tree-sitter';
import type { Lang } from './types';

export interface CallInfo {
  node: Node;
  name: string;
  nameNode: Node;
  recv: Node | null;
  args: Node[];
  /** true when the call is written without an argument list (Scala `ds.print`) */
  noParens?: boolean;
}
export interface DeclInfo {
  name: string;
  type?: string;
  value?: Node;
  node: Node;
  kind: 'local' | 'param' | 'field' | 'assign';
  paramIndex?: number;
}
export interface ParamInfo { name: string; type?: string; node: Node }
export interface FuncInfo { name: string; node: Node; params: ParamInfo[]; returnType?: string; exprBody?: Node; receiverType?: string }
export interface ClassInfo { name?: string; node: Node; body: Node | null; supers: string[] }
export interface NewInfo { cls: string; anon?: Node }
export type StrPart = { text: string } | { expr: Node };

export interface Adapter {
  lang: Lang;
  call(n: Node): CallInfo | null;
  ident(n: Node): string | null;
  decls(n: Node): DeclInfo[] | null;
  func(n: Node): FuncInfo | null;
  cls(n: Node): ClassInfo | null;
  newInstance(n: Node): NewInfo | null;
  strParts(n: Node): StrPart[] | null;
  plus(n: Node): [Node, Node] | null;
  unwrap(n: Node): Node;
  /** expression returned by a return statement */
  returned(n: Node): Node | null;
  /** nodes that open a new nested function scope without being named functions (lambdas) */
  isLambda(n: Node): boolean;
  isComment(n: Node): boolean;
  /** node types any of the questions above can answer yes for (everything else is skipped quickly) */
  interesting: Set<string>;
}

export function named(n: Node | null | undefined): Node[] {
  if (!n) return [];
  const out: Node[] = [];
  for (let i = 0; i < n.namedChildCount; i++) {
    const c = n.namedChild(i);
    if (c && !c.type.includes('comment')) out.push(c);
  }
  return out;
}
function childOfType(n: Node, ...types: string[]): Node | null {
  for (let i = 0; i < n.namedChildCount; i++) {
    const c = n.namedChild(i);
    if (c && types.includes(c.type)) return c;
  }
  return null;
}
function childrenOfType(n: Node, ...types: string[]): Node[] {
  return named(n).filter((c) => types.includes(c.type));
}
/** base name of a type text: `org.x.Foo<Bar>` → Foo */
export function baseTypeName(text: string): string {
  let t = text.trim();
  const lt = t.search(/[<[(]/);
  if (lt >= 0) t = t.slice(0, lt);
  const dot = t.lastIndexOf('.');
  if (dot >= 0) t = t.slice(dot + 1);
  return t.replace(/[?!\s]/g, '');
}
function isCapitalized(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 65 && c <= 90;
}

// ---------------------------------------------------------------- Java
const java: Adapter = {
  lang: 'java',
  call(n) {
    if (n.type !== 'method_invocation') return null;
    const nameNode = n.childForFieldName('name');
    if (!nameNode) return null;
    return { node: n, name: nameNode.text, nameNode, recv: n.childForFieldName('object'), args: named(n.childForFieldName('arguments')) };
  },
  ident(n) {
    if (n.type === 'identifier') return n.text;
    if (n.type === 'field_access' && n.childForFieldName('object')?.type === 'this') return n.childForFieldName('field')?.text ?? null;
    return null;
  },
  decls(n) {
    if (n.type === 'local_variable_declaration' || n.type === 'field_declaration') {
      const type = n.childForFieldName('type')?.text;
      return n.childrenForFieldName('declarator').filter((d): d is Node => !!d).map((d) => ({
        name: d.childForFieldName('name')?.text ?? '',
        type: type === 'var' ? undefined : type,
        value: d.childForFieldName('value') ?? undefined,
        node: d,
        kind: n.type === 'field_declaration' ? 'field' : 'local',
      }));
    }
    if (n.type === 'assignment_expression') {
      const l = n.childForFieldName('left');
      const name = l ? java.ident(l) : null;
      if (!name) return null;
      return [{ name, value: n.childForFieldName('right') ?? undefined, node: n, kind: 'assign' }];
    }
    return null;
  },
  func(n) {
    if (n.type !== 'method_declaration' && n.type !== 'constructor_declaration') return null;
    const params = childrenOfType(n.childForFieldName('parameters')!, 'formal_parameter', 'spread_parameter').map(
      (p) => ({ name: p.childForFieldName('name')?.text ?? named(p).pop()?.text ?? '', type: p.childForFieldName('type')?.text, node: p }));
    return { name: n.childForFieldName('name')?.text ?? '', node: n, params, returnType: n.childForFieldName('type')?.text };
  },
  cls(n) {
    if (n.type === 'class_declaration' || n.type === 'enum_declaration' || n.type === 'record_declaration') {
      const supers: string[] = [];
      const sc = n.childForFieldName('superclass');
      if (sc) for (const t of named(sc)) supers.push(baseTypeName(t.text));
      const itf = n.childForFieldName('interfaces');
      if (itf) for (const tl of named(itf)) for (const t of named(tl)) supers.push(baseTypeName(t.text));
      return { name: n.childForFieldName('name')?.text, node: n, body: n.childForFieldName('body'), supers };
    }
    if (n.type === 'object_creation_expression') {
      const body = childOfType(n, 'class_body');
      if (!body) return null;
      const t = n.childForFieldName('type');
      return { node: n, body, supers: t ? [baseTypeName(t.text)] : [] };
    }
    return null;
  },
  newInstance(n) {
    if (n.type !== 'object_creation_expression') return null;
    const t = n.childForFieldName('type');
    return { cls: t ? baseTypeName(t.text) : '', anon: childOfType(n, 'class_body') ?? undefined };
  },
  strParts(n) {
    if (n.type !== 'string_literal') return null;
    const parts: StrPart[] = [];
    for (const c of named(n)) {
      if (c.type === 'escape_sequence') parts.push({ text: unescape(c.text) });
      else parts.push({ text: c.text });
    }
    return parts;
  },
  plus(n) {
    if (n.type === 'binary_expression' && n.childForFieldName('operator')?.text === '+') {
      return [n.childForFieldName('left')!, n.childForFieldName('right')!];
    }
    return null;
  },
  unwrap(n) {
    let c: Node = n;
    for (;;) {
      if (c.type === 'parenthesized_expression' && c.namedChildCount > 0) c = named(c)[0];
      else if (c.type === 'cast_expression' && c.childForFieldName('value')) c = c.childForFieldName('value')!;
      else return c;
    }
  },
  returned(n) {
    return n.type === 'return_statement' ? named(n)[0] ?? null : null;
  },
  isLambda(n) {
    return n.type === 'lambda_expression';
  },
  isComment(n) {
    return n.type === 'line_comment' || n.type === 'block_comment';
  },
  interesting: new Set(['method_invocation', 'method_declaration', 'constructor_declaration', 'class_declaration', 'enum_declaration',
    'record_declaration', 'object_creation_expression', 'local_variable_declaration', 'field_declaration', 'assignment_expression',
    'return_statement', 'lambda_expression', 'line_comment', 'block_comment']),
};

function unescape(s: string): string {
  if (s === '\\n') return '\n';
  if (s === '\\t') return '\t';
  if (s.length === 2 && s[0] === '\\') return s[1];
  return s;
}

// ---------------------------------------------------------------- Python
const python: Adapter = {
  lang: 'python',
  call(n) {
    if (n.type !== 'call') return null;
    const f = n.childForFieldName('function');
    if (!f) return null;
    const args = named(n.childForFieldName('arguments')).map((a) =>
      a.type === 'keyword_argument' ? a.childForFieldName('value') ?? a : a);
    if (f.type === 'attribute') {
      const nameNode = f.childForFieldName('attribute');
      if (!nameNode) return null;
      return { node: n, name: nameNode.text, nameNode, recv: f.childForFieldName('object'), args };
    }
    if (f.type === 'identifier') return { node: n, name: f.text, nameNode: f, recv: null, args };
    return null;
  },
  ident(n) {
    if (n.type === 'identifier') return n.text;
    if (n.type === 'attribute' && n.childForFieldName('object')?.text === 'self') return 'self.' + (n.childForFieldName('attribute')?.text ?? '');
    return null;
  },
  decls(n) {
    if (n.type === 'assignment') {
      const l = n.childForFieldName('left');
      const name = l ? python.ident(l) : null;
      if (!name) return null;
      return [{ name, type: n.childForFieldName('type')?.text, value: n.childForFieldName('right') ?? undefined, node: n, kind: 'assign' }];
    }
    return null;
  },
  func(n) {
    if (n.type !== 'function_definition') return null;
    const params: ParamInfo[] = [];
    for (const p of named(n.childForFieldName('parameters'))) {
      if (p.type === 'identifier') params.push({ name: p.text, node: p });
      else {
        const id = p.childForFieldName('name') ?? childOfType(p, 'identifier');
        params.push({ name: id?.text ?? '', type: p.childForFieldName('type')?.text, node: p });
      }
    }
    return { name: n.childForFieldName('name')?.text ?? '', node: n, params, returnType: n.childForFieldName('return_type')?.text };
  },
  cls(n) {
    if (n.type !== 'class_definition') return null;
    const supers = named(n.childForFieldName('superclasses')).map((s) => baseTypeName(s.text));
    return { name: n.childForFieldName('name')?.text, node: n, body: n.childForFieldName('body'), supers };
  },
  newInstance(n) {
    if (n.type !== 'call') return null;
    const f = n.childForFieldName('function');
    if (!f) return null;
    const name = f.type === 'identifier' ? f.text : f.type === 'attribute' ? f.childForFieldName('attribute')?.text ?? '' : '';
    return name && isCapitalized(name) ? { cls: name } : null;
  },
  strParts(n) {
    if (n.type === 'concatenated_string') {
      const out: StrPart[] = [];
      for (const s of named(n)) out.push(...(python.strParts(s) ?? []));
      return out;
    }
    if (n.type !== 'string') return null;
    const parts: StrPart[] = [];
    for (const c of named(n)) {
      if (c.type === 'string_content') parts.push({ text: c.text });
      else if (c.type === 'escape_sequence') parts.push({ text: unescape(c.text) });
      else if (c.type === 'interpolation') parts.push({ expr: c.childForFieldName('expression') ?? named(c)[0] ?? c });
    }
    return parts;
  },
  plus(n) {
    if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '+') {
      return [n.childForFieldName('left')!, n.childForFieldName('right')!];
    }
    return null;
  },
  unwrap(n) {
    let c: Node = n;
    while (c.type === 'parenthesized_expression' && c.namedChildCount > 0) c = named(c)[0];
    return c;
  },
  returned(n) {
    return n.type === 'return_statement' ? named(n)[0] ?? null : null;
  },
  isLambda(n) {
    return n.type === 'lambda';
  },
  isComment(n) {
    return n.type === 'comment';
  },
  interesting: new Set(['call', 'function_definition', 'class_definition', 'assignment', 'return_statement', 'lambda', 'comment']),
};
// Python parameters are declared by the function itself; see analyzer (params from FuncInfo).

// ---------------------------------------------------------------- Kotlin
function kotlinArgs(suffix: Node | null): Node[] {
  if (!suffix) return [];
  const out: Node[] = [];
  for (const c of named(suffix)) {
    if (c.type === 'value_arguments') {
      for (const va of childrenOfType(c, 'value_argument')) {
        const parts = named(va);
        if (parts.length) out.push(parts[parts.length - 1]);
      }
    } else if (c.type === 'annotated_lambda') {
      const l = childOfType(c, 'lambda_literal');
      if (l) out.push(l);
    }
  }
  return out;
}
const kotlin: Adapter = {
  lang: 'kotlin',
  call(n) {
    if (n.type !== 'call_expression') return null;
    const kids = named(n);
    const f = kids[0];
    const suffix = childOfType(n, 'call_suffix');
    if (!f) return null;
    if (f.type === 'navigation_expression') {
      const nav = childOfType(f, 'navigation_suffix');
      const nameNode = nav ? childOfType(nav, 'simple_identifier') : null;
      if (!nameNode) return null;
      return { node: n, name: nameNode.text, nameNode, recv: named(f)[0] ?? null, args: kotlinArgs(suffix) };
    }
    if (f.type === 'simple_identifier') return { node: n, name: f.text, nameNode: f, recv: null, args: kotlinArgs(suffix) };
    return null;
  },
  ident(n) {
    if (n.type === 'simple_identifier') return n.text;
    if (n.type === 'navigation_expression' && named(n)[0]?.type === 'this_expression') {
      const nav = childOfType(n, 'navigation_suffix');
      return nav ? childOfType(nav, 'simple_identifier')?.text ?? null : null;
    }
    return null;
  },
  decls(n) {
    if (n.type === 'property_declaration') {
      const vd = childOfType(n, 'variable_declaration');
      if (!vd) return null;
      const name = childOfType(vd, 'simple_identifier')?.text ?? '';
      const type = childOfType(vd, 'user_type', 'nullable_type')?.text;
      const kids = named(n);
      const i = kids.findIndex((k) => k.type === 'variable_declaration');
      let value: Node | undefined;
      for (let j = i + 1; j < kids.length; j++) {
        const k = kids[j];
        if (k.type === 'property_delegate' || k.type === 'getter' || k.type === 'setter') break;
        value = k;
        break;
      }
      const isConst = !!n.child(0) && n.child(0)!.type === 'modifiers' && n.child(0)!.text.includes('const');
      return [{ name, type, value, node: n, kind: isConst ? 'field' : 'local' }];
    }
    if (n.type === 'class_parameter') {
      const name = childOfType(n, 'simple_identifier')?.text ?? '';
      return [{ name, type: childOfType(n, 'user_type', 'nullable_type')?.text, node: n, kind: 'field' }];
    }
    if (n.type === 'assignment') {
      const l = childOfType(n, 'directly_assignable_expression');
      const name = l && l.namedChildCount === 1 ? kotlin.ident(named(l)[0]) : null;
      if (!name) return null;
      const kids = named(n);
      return [{ name, value: kids[kids.length - 1], node: n, kind: 'assign' }];
    }
    return null;
  },
  func(n) {
    if (n.type !== 'function_declaration') return null;
    const ps = childOfType(n, 'function_value_parameters');
    const params: ParamInfo[] = ps ? childrenOfType(ps, 'parameter').map((p) => ({
      name: childOfType(p, 'simple_identifier')?.text ?? '', type: childOfType(p, 'user_type', 'nullable_type', 'function_type')?.text, node: p })) : [];
    let returnType: string | undefined;
    let receiverType: string | undefined;
    let seenParams = false;
    let seenName = false;
    for (const c of named(n)) {
      if (c.type === 'function_value_parameters') seenParams = true;
      else if (c.type === 'simple_identifier') seenName = true;
      else if (seenParams && (c.type === 'user_type' || c.type === 'nullable_type')) returnType = c.text;
      else if (!seenName && (c.type === 'user_type' || c.type === 'nullable_type')) receiverType = c.text; // extension function
    }
    const body = childOfType(n, 'function_body');
    let exprBody: Node | undefined;
    if (body && body.child(0)?.type === '=') exprBody = named(body)[0];
    return { name: childOfType(n, 'simple_identifier')?.text ?? '', node: n, params, returnType, exprBody, receiverType };
  },
  cls(n) {
    if (n.type === 'class_declaration' || n.type === 'object_declaration' || n.type === 'object_literal') {
      const supers: string[] = [];
      for (const d of childrenOfType(n, 'delegation_specifier')) {
        const ut = d.descendantsOfType('user_type')[0];
        if (ut) supers.push(baseTypeName(ut.text));
      }
      return {
        name: n.type === 'object_literal' ? undefined : childOfType(n, 'type_identifier')?.text,
        node: n,
        body: childOfType(n, 'class_body', 'enum_class_body'),
        supers,
      };
    }
    return null;
  },
  newInstance(n) {
    if (n.type === 'object_literal') {
      const c = kotlin.cls(n)!;
      return { cls: c.supers[0] ?? '', anon: n };
    }
    if (n.type !== 'call_expression') return null;
    const f = named(n)[0];
    if (f?.type === 'simple_identifier' && isCapitalized(f.text)) return { cls: f.text };
    if (f?.type === 'navigation_expression') {
      const nav = childOfType(f, 'navigation_suffix');
      const id = nav ? childOfType(nav, 'simple_identifier') : null;
      // Pkg.Foo() — only when the receiver is a package-like lower-case chain
      if (id && isCapitalized(id.text) && !isCapitalized(named(f)[0]?.text ?? 'A')) return { cls: id.text };
    }
    return null;
  },
  strParts(n) {
    if (n.type !== 'string_literal' && n.type !== 'multiline_string_literal') return null;
    const parts: StrPart[] = [];
    for (const c of named(n)) {
      if (c.type === 'string_content') parts.push({ text: c.text });
      else if (c.type === 'character_escape_seq') parts.push({ text: unescape(c.text) });
      else if (c.type === 'interpolated_identifier') parts.push({ expr: c });
      else if (c.type === 'interpolated_expression') parts.push({ expr: named(c)[0] ?? c });
    }
    return parts;
  },
  plus(n) {
    if (n.type === 'additive_expression' && n.child(1)?.type === '+') {
      const k = named(n);
      return [k[0], k[1]];
    }
    return null;
  },
  unwrap(n) {
    let c: Node = n;
    for (;;) {
      if (c.type === 'parenthesized_expression' && c.namedChildCount > 0) c = named(c)[0];
      else if (c.type === 'postfix_expression' && c.namedChildCount === 1) c = named(c)[0];
      else if (c.type === 'as_expression' && c.namedChildCount > 0) c = named(c)[0];
      else if (c.type === 'interpolated_identifier') return c;
      else return c;
    }
  },
  returned(n) {
    if (n.type === 'jump_expression' && n.child(0)?.type.startsWith('return')) {
      // the Kotlin grammar sometimes leaves the returned expression as the next sibling
      return named(n)[0] ?? (n.nextNamedSibling && n.nextNamedSibling.startPosition.row === n.startPosition.row ? n.nextNamedSibling : null);
    }
    return null;
  },
  isLambda(n) {
    return n.type === 'lambda_literal' || n.type === 'anonymous_function';
  },
  isComment(n) {
    return n.type === 'comment' || n.type === 'line_comment' || n.type === 'multiline_comment';
  },
  interesting: new Set(['call_expression', 'function_declaration', 'class_declaration', 'object_declaration', 'object_literal',
    'property_declaration', 'class_parameter', 'assignment', 'jump_expression', 'lambda_literal', 'anonymous_function',
    'comment', 'line_comment', 'multiline_comment']),
};
// Kotlin interpolated identifiers behave like identifiers
const kIdent = kotlin.ident;
kotlin.ident = (n) => (n.type === 'interpolated_identifier' ? n.text : kIdent(n));

// ---------------------------------------------------------------- Scala
function scalaFunctionParts(f: Node): { name: string; nameNode: Node; recv: Node | null } | null {
  if (f.type === 'generic_function') {
    const inner = f.childForFieldName('function');
    return inner ? scalaFunctionParts(inner) : null;
  }
  if (f.type === 'field_expression') {
    const nameNode = f.childForFieldName('field');
    if (!nameNode) return null;
    return { name: nameNode.text, nameNode, recv: f.childForFieldName('value') };
  }
  if (f.type === 'identifier') return { name: f.text, nameNode: f, recv: null };
  return null;
}
const scala: Adapter = {
  lang: 'scala',
  call(n) {
    if (n.type === 'call_expression') {
      const f = n.childForFieldName('function');
      const parts = f ? scalaFunctionParts(f) : null;
      if (!parts) return null;
      const a = n.childForFieldName('arguments');
      const args = a ? (a.type === 'arguments' ? named(a) : [a]) : [];
      return { node: n, ...parts, args };
    }
    if (n.type === 'field_expression') {
      // `ds.print` — a method call written without parentheses (unless this is the callee of a call)
      const p = n.parent;
      if (p && (p.type === 'call_expression' || p.type === 'generic_function') && p.childForFieldName('function')?.id === n.id) return null;
      const nameNode = n.childForFieldName('field');
      if (!nameNode) return null;
      return { node: n, name: nameNode.text, nameNode, recv: n.childForFieldName('value'), args: [], noParens: true };
    }
    return null;
  },
  ident(n) {
    return n.type === 'identifier' ? n.text : null;
  },
  decls(n) {
    if (n.type === 'val_definition' || n.type === 'var_definition' || n.type === 'val_declaration') {
      const pat = n.childForFieldName('pattern') ?? n.childForFieldName('name');
      if (!pat || pat.type !== 'identifier') return null;
      const inTemplate = n.parent?.type === 'template_body';
      return [{ name: pat.text, type: n.childForFieldName('type')?.text, value: n.childForFieldName('value') ?? undefined, node: n, kind: inTemplate ? 'field' : 'local' }];
    }
    if (n.type === 'class_parameter') {
      const name = n.childForFieldName('name')?.text ?? '';
      return [{ name, type: n.childForFieldName('type')?.text, node: n, kind: 'field' }];
    }
    if (n.type === 'assignment_expression') {
      const l = n.childForFieldName('left');
      if (!l || l.type !== 'identifier') return null;
      return [{ name: l.text, value: n.childForFieldName('right') ?? undefined, node: n, kind: 'assign' }];
    }
    return null;
  },
  func(n) {
    if (n.type !== 'function_definition') return null;
    const params: ParamInfo[] = [];
    for (const ps of n.childrenForFieldName('parameters')) {
      if (!ps) continue;
      for (const p of childrenOfType(ps, 'parameter')) params.push({ name: p.childForFieldName('name')?.text ?? '', type: p.childForFieldName('type')?.text, node: p });
    }
    const body = n.childForFieldName('body');
    let exprBody: Node | undefined;
    if (body) {
      if (body.type === 'block') {
        const k = named(body);
        const last = k[k.length - 1];
        if (last && !/definition|declaration|import/.test(last.type)) exprBody = last;
      } else exprBody = body;
    }
    return { name: n.childForFieldName('name')?.text ?? '', node: n, params, returnType: n.childForFieldName('return_type')?.text, exprBody };
  },
  cls(n) {
    if (n.type === 'class_definition' || n.type === 'object_definition' || n.type === 'trait_definition') {
      const supers: string[] = [];
      const ext = n.childForFieldName('extend');
      if (ext) {
        for (const t of named(ext)) {
          if (t.type === 'arguments') continue;
          supers.push(baseTypeName(t.text));
        }
      }
      return { name: n.childForFieldName('name')?.text, node: n, body: n.childForFieldName('body'), supers };
    }
    if (n.type === 'instance_expression') {
      const body = childOfType(n, 'template_body');
      if (!body) return null;
      const t = named(n).find((c) => c.type !== 'template_body' && c.type !== 'arguments');
      return { node: n, body, supers: t ? [baseTypeName(t.text)] : [] };
    }
    return null;
  },
  newInstance(n) {
    if (n.type === 'instance_expression') {
      const t = named(n).find((c) => c.type !== 'template_body' && c.type !== 'arguments');
      return { cls: t ? baseTypeName(t.text) : '', anon: childOfType(n, 'template_body') ?? undefined };
    }
    if (n.type === 'call_expression') {
      // case-class style construction `Foo(...)`
      const f = n.childForFieldName('function');
      if (f?.type === 'identifier' && isCapitalized(f.text)) return { cls: f.text };
    }
    return null;
  },
  strParts(n) {
    if (n.type === 'string') {
      const t = n.text;
      const q = t.startsWith('"""') ? 3 : 1;
      return [{ text: t.slice(q, t.length - q) }];
    }
    if (n.type === 'interpolated_string_expression') {
      const s = n.childForFieldName('interpolated_string') ?? named(n)[1];
      if (!s) return [];
      const parts: StrPart[] = [];
      let pos = s.startIndex + (s.text.startsWith('"""') ? 3 : 1);
      const end = s.endIndex - (s.text.endsWith('"""') ? 3 : 1);
      for (const c of named(s)) {
        if (c.startIndex > pos) parts.push({ text: s.text.slice(pos - s.startIndex, c.startIndex - s.startIndex) });
        const inner = named(c)[0];
        parts.push({ expr: inner?.type === 'block' ? named(inner)[0] ?? inner : inner ?? c });
        pos = c.endIndex;
      }
      if (end > pos) parts.push({ text: s.text.slice(pos - s.startIndex, end - s.startIndex) });
      return parts;
    }
    return null;
  },
  plus(n) {
    if (n.type === 'infix_expression' && n.childForFieldName('operator')?.text === '+') {
      return [n.childForFieldName('left')!, n.childForFieldName('right')!];
    }
    return null;
  },
  unwrap(n) {
    let c: Node = n;
    while ((c.type === 'parenthesized_expression' || c.type === 'block') && c.namedChildCount === 1) c = named(c)[0];
    return c;
  },
  returned(n) {
    return n.type === 'return_expression' ? named(n)[0] ?? null : null;
  },
  isLambda(n) {
    return n.type === 'lambda_expression' || n.type === 'case_block';
  },
  isComment(n) {
    return n.type === 'comment' || n.type === 'block_comment';
  },
  interesting: new Set(['call_expression', 'field_expression', 'function_definition', 'class_definition', 'object_definition',
    'trait_definition', 'instance_expression', 'val_definition', 'var_definition', 'val_declaration', 'class_parameter',
    'assignment_expression', 'return_expression', 'lambda_expression', 'case_block', 'comment', 'block_comment']),
};

export const ADAPTERS: Record<Lang, Adapter> = { java, python, kotlin, scala };
