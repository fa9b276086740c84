/**
 * Reads the project's Bicep with tree-sitter-bicep (syntax only: no Bicep compiler runs offline)
 * and gives the infra tests small, typed views of it: declarations with their decorators, resources
 * with their type, API version and body, and object properties.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../..');
export const INFRA_DIR = join(REPO_ROOT, 'infra');

/** The subset of tree-sitter's SyntaxNode the tests use. */
export interface SyntaxNode {
  readonly type: string;
  readonly text: string;
  readonly isMissing: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: { readonly row: number; readonly column: number };
  readonly parent: SyntaxNode | null;
  readonly children: SyntaxNode[];
  readonly namedChildren: SyntaxNode[];
  readonly previousNamedSibling: SyntaxNode | null;
  childForFieldName(name: string): SyntaxNode | null;
}

interface Parser {
  setLanguage(language: unknown): void;
  parse(text: string): { rootNode: SyntaxNode };
}

const load = createRequire(__filename);
const ParserClass = load('tree-sitter') as new () => Parser;
const parser = new ParserClass();
parser.setLanguage(load('tree-sitter-bicep'));

export interface BicepFile {
  /** Path relative to the repository root, with forward slashes. */
  readonly path: string;
  readonly text: string;
  readonly root: SyntaxNode;
}

export function parseBicep(text: string): SyntaxNode {
  return parser.parse(text).rootNode;
}

function walkFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walkFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Every file under infra/ whose name ends with one of the extensions, sorted. */
export function infraFiles(...extensions: string[]): string[] {
  return walkFiles(INFRA_DIR)
    .filter((file) => extensions.some((extension) => file.endsWith(extension)))
    .map((file) => relative(REPO_ROOT, file).split('\\').join('/'))
    .sort();
}

export function readBicep(path: string): BicepFile {
  const text = readFileSync(join(REPO_ROOT, path), 'utf8');
  return { path, text, root: parseBicep(text) };
}

/** Every .bicep file (not .bicepparam) under infra/. */
export function bicepFiles(): BicepFile[] {
  return infraFiles('.bicep').map(readBicep);
}

export function descendants(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack = [node];
  while (stack.length > 0) {
    const current = stack.pop() as SyntaxNode;
    out.push(current);
    for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i] as SyntaxNode);
  }
  return out;
}

/** The file text with every comment blanked out (same length, so positions still match). */
export function withoutComments(file: BicepFile): string {
  let text = file.text;
  for (const node of descendants(file.root)) {
    if (node.type === 'comment') text = text.slice(0, node.startIndex) + ' '.repeat(node.endIndex - node.startIndex) + text.slice(node.endIndex);
  }
  return text;
}

/** The comment lines directly above a node (no blank line between), joined. */
export function leadingComment(file: BicepFile, node: SyntaxNode): string {
  const lines = file.text.slice(0, node.startIndex).split('\n');
  lines.pop();
  const comment: string[] = [];
  while (lines.length > 0 && /^\s*\/\//.test(lines[lines.length - 1] ?? '')) comment.unshift((lines.pop() ?? '').trim());
  return comment.join('\n');
}

export function line(node: SyntaxNode): number {
  return node.startPosition.row + 1;
}

/** String literal content ('…' without quotes), or undefined when the node is not a plain string. */
export function stringValue(node: SyntaxNode | null | undefined): string | undefined {
  if (node === null || node === undefined || node.type !== 'string') return undefined;
  if (node.namedChildren.some((child) => child.type !== 'string_content' && child.type !== 'escape_sequence')) return undefined;
  return node.text.slice(1, -1).replace(/\\'/g, "'");
}

/** The value node of `key: value` directly inside an object node. */
export function property(object: SyntaxNode | null | undefined, key: string): SyntaxNode | undefined {
  if (object === null || object === undefined || object.type !== 'object') return undefined;
  for (const child of object.namedChildren) {
    if (child.type !== 'object_property') continue;
    const [name, value] = child.namedChildren;
    if (name !== undefined && (name.text === key || stringValue(name) === key)) return value;
  }
  return undefined;
}

/** All `key: value` pairs directly inside an object node. */
export function properties(object: SyntaxNode): { key: string; value: SyntaxNode; node: SyntaxNode }[] {
  return object.namedChildren
    .filter((child) => child.type === 'object_property')
    .flatMap((child) => {
      const [name, value] = child.namedChildren;
      if (name === undefined || value === undefined) return [];
      return [{ key: stringValue(name) ?? name.text, value, node: child }];
    });
}

export interface Declaration {
  readonly kind: 'param' | 'output';
  readonly name: string;
  readonly description: string | undefined;
  readonly hasDefault: boolean;
  /** The default value's source text (params only), e.g. `''`, `0`, `[]`. */
  readonly defaultText: string | undefined;
  /** Decorator name -> the source text of its arguments, e.g. minValue -> ['0']. */
  readonly decorators: ReadonlyMap<string, string[]>;
  readonly node: SyntaxNode;
}

/** Params and outputs with their @description (read from the decorators node right before them). */
export function declarations(file: BicepFile): Declaration[] {
  const out: Declaration[] = [];
  for (const node of file.root.namedChildren) {
    if (node.type !== 'parameter_declaration' && node.type !== 'output_declaration') continue;
    let previous = node.previousNamedSibling;
    while (previous !== null && previous.type === 'comment') previous = previous.previousNamedSibling;
    let description: string | undefined;
    const decorators = new Map<string, string[]>();
    if (previous !== null && previous.type === 'decorators') {
      for (const decorator of previous.namedChildren) {
        const call = decorator.namedChildren[0];
        if (call?.type !== 'call_expression') continue;
        const fn = call.childForFieldName('function')?.text ?? '';
        const args = call.childForFieldName('arguments')?.namedChildren ?? [];
        decorators.set(fn, args.map((arg) => arg.text));
        if (fn === 'description') description = stringValue(args[0]);
      }
    }
    const name = node.namedChildren[0]?.text ?? '';
    const hasDefault = node.type === 'parameter_declaration' && node.children.some((child) => child.type === '=');
    out.push({
      kind: node.type === 'parameter_declaration' ? 'param' : 'output',
      name,
      description,
      hasDefault,
      defaultText: hasDefault ? node.namedChildren[node.namedChildren.length - 1]?.text : undefined,
      decorators,
      node,
    });
  }
  return out;
}

export interface Resource {
  readonly file: BicepFile;
  readonly symbol: string;
  /** e.g. Microsoft.Storage/storageAccounts */
  readonly type: string;
  readonly apiVersion: string;
  readonly existing: boolean;
  /** The `if (…)` condition text, when the resource is conditional. */
  readonly condition: string | undefined;
  /** The resource body object. */
  readonly body: SyntaxNode;
  readonly node: SyntaxNode;
}

export function resources(file: BicepFile): Resource[] {
  const out: Resource[] = [];
  for (const node of descendants(file.root)) {
    if (node.type !== 'resource_declaration') continue;
    const [symbol, typeString] = node.namedChildren;
    const typeText = stringValue(typeString) ?? '';
    const [type = '', apiVersion = ''] = typeText.split('@');
    const last = node.namedChildren[node.namedChildren.length - 1];
    let body = last;
    let condition: string | undefined;
    if (last?.type === 'if_statement') {
      condition = last.namedChildren[0]?.text;
      body = last.namedChildren[1];
    }
    if (body === undefined || symbol === undefined) continue;
    out.push({ file, symbol: symbol.text, type, apiVersion, existing: node.children.some((child) => child.type === 'existing'), condition, body, node });
  }
  return out;
}

/** Resource and module type strings with their API version, from every .bicep file. */
export function allResources(): Resource[] {
  return bicepFiles().flatMap(resources);
}

/** Top-level `var name = value`: name -> the value node. */
export function variables(file: BicepFile): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  for (const node of file.root.namedChildren) {
    if (node.type !== 'variable_declaration') continue;
    const [name, value] = node.namedChildren;
    if (name !== undefined && value !== undefined) out.set(name.text, value);
  }
  return out;
}

export interface Module {
  readonly file: BicepFile;
  readonly symbol: string;
  /** The module path as written, e.g. modules/workspace.bicep. */
  readonly path: string;
  /** The `if (…)` condition text, when the module is conditional. */
  readonly condition: string | undefined;
  /** `[for <item> in <array>: …]`, when the module is a loop. */
  readonly loop: { readonly item: string; readonly array: string } | undefined;
  /** The module body object. */
  readonly body: SyntaxNode;
  readonly node: SyntaxNode;
}

/** Module declarations (plain, conditional or loops) of a file. */
export function modules(file: BicepFile): Module[] {
  const out: Module[] = [];
  for (const node of file.root.namedChildren) {
    if (node.type !== 'module_declaration') continue;
    const [symbol, pathNode] = node.namedChildren;
    const last = node.namedChildren[node.namedChildren.length - 1];
    let body = last;
    let condition: string | undefined;
    let loop: Module['loop'];
    if (last?.type === 'if_statement') {
      condition = last.namedChildren[0]?.text;
      body = last.namedChildren[1];
    } else if (last?.type === 'for_statement') {
      const [item, array, object] = last.namedChildren;
      loop = { item: item?.text ?? '', array: array?.text ?? '' };
      body = object;
    }
    if (symbol === undefined || body === undefined || body.type !== 'object') continue;
    out.push({ file, symbol: symbol.text, path: stringValue(pathNode) ?? '', condition, loop, body, node });
  }
  return out;
}

/**
 * Evaluates a Bicep boolean expression made of identifiers, `true`, `false`, `!`, `&&`, `||` and
 * parentheses, with the identifiers' values from `env`. Throws on anything else (an unknown
 * identifier included), so a condition the tests cannot read fails loudly instead of passing.
 */
export function evaluateBool(text: string, env: Readonly<Record<string, boolean>>): boolean {
  const tokens = text.match(/\s*(\|\||&&|!|\(|\)|[A-Za-z_][A-Za-z0-9_]*)/g)?.map((token) => token.trim()) ?? [];
  if (tokens.join('') !== text.replace(/\s+/g, '')) throw new Error(`evaluateBool: unsupported expression ${text}`);
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const next = (): string => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`evaluateBool: unexpected end of ${text}`);
    return token;
  };
  const primary = (): boolean => {
    const token = next();
    if (token === '!') return !primary();
    if (token === '(') {
      const value = or();
      if (next() !== ')') throw new Error(`evaluateBool: missing ) in ${text}`);
      return value;
    }
    if (token === 'true') return true;
    if (token === 'false') return false;
    const value = env[token];
    if (value === undefined) throw new Error(`evaluateBool: unknown identifier ${token} in ${text}`);
    return value;
  };
  const and = (): boolean => {
    let value = primary();
    while (peek() === '&&') {
      next();
      const right = primary();
      value = value && right;
    }
    return value;
  };
  const or = (): boolean => {
    let value = and();
    while (peek() === '||') {
      next();
      const right = and();
      value = value || right;
    }
    return value;
  };
  const result = or();
  if (at !== tokens.length) throw new Error(`evaluateBool: trailing tokens in ${text}`);
  return result;
}
