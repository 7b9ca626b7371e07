/**
 * Renders deploy/helm/gatehouse the way `helm template` does, for tests on a machine without Helm.
 *
 * Why hand-written: no maintained npm package renders Helm charts. The npm ports of Go's
 * text/template are either a small subset without pipelines or functions (@ctrl/golang-template)
 * or Go's engine compiled to WebAssembly without Sprig and Helm's functions
 * (@evertdespiegeleer/go-template), so neither can run `include`, `toYaml` or `nindent`.
 *
 * So the chart's templates keep to this subset of Go templates, and anything outside it is an
 * error here (never silently different output):
 * - actions: `{{ pipeline }}`, `{{/* comment *\/}}`, trim markers `{{-` / `-}}`, `if` / `else if` /
 *   `else`, `with` (and `else`), `range` over lists and maps (`$i, $v :=` forms, `else`), `define`,
 *   variables (`$x := …`, `$x = …`, `$`), parenthesised pipelines, `|` chains (the piped value is
 *   the last argument, as in Go);
 * - data: `.Values`, `.Release` (Name, Namespace, Service, IsInstall, IsUpgrade, Revision),
 *   `.Chart` (Name, Version, AppVersion, …from Chart.yaml), `.Capabilities.KubeVersion`,
 *   `.Template` (Name, BasePath);
 * - functions: Go's `and or not eq ne lt le gt ge len index print printf`; Sprig's `default empty
 *   coalesce ternary quote squote trunc trimSuffix trimPrefix trim replace contains hasPrefix
 *   hasSuffix lower upper b64enc sha256sum toString toJson join list dict hasKey int`; Helm's
 *   `include required fail toYaml nindent indent`.
 * Go semantics kept on purpose: a field of a missing value is an error ("nil pointer evaluating"),
 * a missing map key prints `<no value>` (which Helm then removes), numbers print as Go prints a
 * float64 (Helm's values are float64: 1000000 prints as 1e+06), `and`/`or` short-circuit, maps
 * range in key order. Not modelled: Helm's int64 (from --set) versus float64 (from values.yaml),
 * which Go refuses to compare, so templates compare numbers through `int`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml, parseAllDocuments, stringify as stringifyYaml } from 'yaml';

type Value = unknown;
type Dict = Record<string, Value>;

// ---------------------------------------------------------------------------------------------
// Lexing: text and actions, with trim markers applied.

interface RawAction {
  text: string; // the action's inside, trimmed of markers
  line: number;
}
type Piece = { kind: 'text'; text: string } | { kind: 'action'; action: RawAction };

function splitTemplate(source: string, name: string): Piece[] {
  const pieces: Piece[] = [];
  let pos = 0;
  let trimNextText = false;
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    let text = open === -1 ? source.slice(pos) : source.slice(pos, open);
    if (trimNextText) text = text.replace(/^\s+/, '');
    trimNextText = false;
    if (open === -1) {
      pieces.push({ kind: 'text', text });
      break;
    }
    const line = source.slice(0, open).split('\n').length;
    let inner = open + 2;
    if (/^-[ \t\r\n]/.test(source.slice(inner, inner + 2))) {
      text = text.replace(/\s+$/, '');
      inner += 2;
    }
    pieces.push({ kind: 'text', text });
    // Comments may contain "}}"; otherwise find the closing delimiter outside string literals.
    const afterSpace = source.slice(inner).match(/^\s*/)?.[0].length ?? 0;
    let close: number;
    if (source.startsWith('/*', inner + afterSpace)) {
      const end = source.indexOf('*/', inner + afterSpace + 2);
      if (end === -1) throw new Error(`${name}:${line}: unclosed comment`);
      close = source.indexOf('}}', end + 2);
      if (close === -1 || !/^\s*-?\s*$/.test(source.slice(end + 2, close))) throw new Error(`${name}:${line}: comment must end the action`);
      const tail = source.slice(end + 2, close);
      if (/\s-\s*$/.test(tail) || tail.trim() === '-') trimNextText = true;
      pos = close + 2;
      continue;
    }
    close = findClose(source, inner, name, line);
    let body = source.slice(inner, close);
    if (/[ \t\r\n]-$/.test(body)) {
      body = body.slice(0, -1);
      trimNextText = true;
    }
    pieces.push({ kind: 'action', action: { text: body.trim(), line } });
    pos = close + 2;
  }
  return pieces;
}

function findClose(source: string, from: number, name: string, line: number): number {
  let i = from;
  while (i < source.length) {
    const c = source[i];
    if (c === '"') {
      i++;
      while (i < source.length && source[i] !== '"') i += source[i] === '\\' ? 2 : 1;
    } else if (c === '`') {
      i = source.indexOf('`', i + 1);
      if (i === -1) break;
    } else if (source.startsWith('}}', i)) return i;
    else if (c === '\n') throw new Error(`${name}:${line}: an action may not span lines`);
    i++;
  }
  throw new Error(`${name}:${line}: unclosed action`);
}

// ---------------------------------------------------------------------------------------------
// Tokens inside an action, and the parse tree.

type Token =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'field'; path: string[] } // "." is path []
  | { t: 'var'; name: string; path: string[] }
  | { t: 'ident'; v: string }
  | { t: 'op'; v: '(' | ')' | '|' | ',' | ':=' | '=' }
  | { t: 'chain'; path: string[] }; // ".a.b" right after ")"

function tokenize(text: string, where: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const ident = /[A-Za-z_][A-Za-z0-9_]*/y;
  const fieldPath = (): string[] => {
    const path: string[] = [];
    while (text[i] === '.') {
      ident.lastIndex = i + 1;
      const m = ident.exec(text);
      if (!m) break;
      path.push(m[0]);
      i = ident.lastIndex;
    }
    return path;
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      tokens.push({ t: 'str', v: JSON.parse(text.slice(i, j + 1)) as string });
      i = j + 1;
    } else if (c === '`') {
      const j = text.indexOf('`', i + 1);
      tokens.push({ t: 'str', v: text.slice(i + 1, j) });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /-?[0-9]+(\.[0-9]+)?/y;
      m.lastIndex = i;
      const n = m.exec(text)!;
      tokens.push({ t: 'num', v: Number(n[0]) });
      i = m.lastIndex;
    } else if (c === '.') {
      const prev = tokens[tokens.length - 1];
      const chained = prev?.t === 'op' && prev.v === ')' && text[i - 1] === ')';
      const start = i;
      const path = fieldPath();
      if (path.length === 0) {
        if (chained) throw new Error(`${where}: unexpected "." after ")"`);
        i = start + 1;
      }
      tokens.push(chained ? { t: 'chain', path } : { t: 'field', path });
    } else if (c === '$') {
      ident.lastIndex = i + 1;
      const m = ident.exec(text);
      const name = m && m.index === i + 1 ? m[0] : '';
      i += 1 + name.length;
      tokens.push({ t: 'var', name: `$${name}`, path: fieldPath() });
    } else if (text.startsWith(':=', i)) {
      tokens.push({ t: 'op', v: ':=' });
      i += 2;
    } else if ('()|,='.includes(c)) {
      tokens.push({ t: 'op', v: c as '(' | ')' | '|' | ',' | '=' });
      i++;
    } else {
      ident.lastIndex = i;
      const m = ident.exec(text);
      if (!m || m.index !== i) throw new Error(`${where}: unexpected "${text.slice(i, i + 10)}" (outside the supported subset)`);
      tokens.push({ t: 'ident', v: m[0] });
      i = ident.lastIndex;
    }
  }
  return tokens;
}

type Arg =
  | { k: 'lit'; v: Value }
  | { k: 'field'; path: string[] }
  | { k: 'var'; name: string; path: string[] }
  | { k: 'fn'; name: string }
  | { k: 'sub'; pipe: Pipeline; path: string[] };
interface Command {
  args: Arg[];
}
interface Pipeline {
  decl?: { names: string[]; op: ':=' | '=' };
  cmds: Command[];
  where: string;
}
type Node =
  | { n: 'text'; text: string }
  | { n: 'action'; pipe: Pipeline }
  | { n: 'if'; branches: Array<{ pipe: Pipeline; body: Node[] }>; otherwise: Node[] }
  | { n: 'with'; branches: Array<{ pipe: Pipeline; body: Node[] }>; otherwise: Node[] }
  | { n: 'range'; pipe: Pipeline; body: Node[]; otherwise: Node[] };

function parsePipeline(tokens: Token[], where: string): Pipeline {
  let pos = 0;
  let decl: Pipeline['decl'];
  // "$a :=", "$a, $b :=", "$a ="
  const names: string[] = [];
  let look = 0;
  while (tokens[look]?.t === 'var' && (tokens[look] as { path: string[] }).path.length === 0) {
    names.push((tokens[look] as { name: string }).name);
    const next = tokens[look + 1];
    if (next?.t === 'op' && next.v === ',') look += 2;
    else break;
  }
  const op = tokens[look + 1];
  if (names.length && op?.t === 'op' && (op.v === ':=' || op.v === '=')) {
    decl = { names, op: op.v };
    pos = look + 2;
  }
  const parseCmds = (stopAtParen: boolean): Command[] => {
    const cmds: Command[] = [];
    let args: Arg[] = [];
    while (pos < tokens.length) {
      const tok = tokens[pos];
      if (tok.t === 'op' && tok.v === ')') {
        if (!stopAtParen) throw new Error(`${where}: unbalanced ")"`);
        break;
      }
      pos++;
      if (tok.t === 'op' && tok.v === '|') {
        if (!args.length) throw new Error(`${where}: empty command before "|"`);
        cmds.push({ args });
        args = [];
      } else if (tok.t === 'op' && tok.v === '(') {
        const inner = parseCmds(true);
        if (tokens[pos]?.t !== 'op' || (tokens[pos] as { v: string }).v !== ')') throw new Error(`${where}: unclosed "("`);
        pos++;
        let path: string[] = [];
        if (tokens[pos]?.t === 'chain') path = (tokens[pos++] as { path: string[] }).path;
        args.push({ k: 'sub', pipe: { cmds: inner, where }, path });
      } else if (tok.t === 'str' || tok.t === 'num') args.push({ k: 'lit', v: tok.v });
      else if (tok.t === 'field') args.push({ k: 'field', path: tok.path });
      else if (tok.t === 'var') args.push({ k: 'var', name: tok.name, path: tok.path });
      else if (tok.t === 'ident') {
        if (tok.v === 'true' || tok.v === 'false') args.push({ k: 'lit', v: tok.v === 'true' });
        else if (tok.v === 'nil') args.push({ k: 'lit', v: null });
        else args.push({ k: 'fn', name: tok.v });
      } else throw new Error(`${where}: unexpected token ${JSON.stringify(tok)}`);
    }
    if (args.length) cmds.push({ args });
    if (!cmds.length) throw new Error(`${where}: missing value`);
    return cmds;
  };
  const cmds = parseCmds(false);
  return { decl, cmds, where };
}

interface Parsed {
  root: Node[];
  defines: Map<string, Node[]>;
}

function parseTemplate(source: string, name: string): Parsed {
  const pieces = splitTemplate(source, name);
  const defines = new Map<string, Node[]>();
  let i = 0;
  type Stop = { word: 'end' | 'else'; rest: Token[]; where: string };
  const parseList = (): { nodes: Node[]; stop?: Stop } => {
    const nodes: Node[] = [];
    while (i < pieces.length) {
      const piece = pieces[i++];
      if (piece.kind === 'text') {
        if (piece.text) nodes.push({ n: 'text', text: piece.text });
        continue;
      }
      const where = `${name}:${piece.action.line}`;
      const tokens = tokenize(piece.action.text, where);
      const head = tokens[0];
      const word = head?.t === 'ident' ? head.v : '';
      if (word === 'end' || word === 'else') return { nodes, stop: { word, rest: tokens.slice(1), where } };
      if (word === 'if' || word === 'with') {
        const branches = [{ pipe: parsePipeline(tokens.slice(1), where), body: [] as Node[] }];
        let otherwise: Node[] = [];
        for (;;) {
          const { nodes: body, stop } = parseList();
          branches[branches.length - 1].body = body;
          if (!stop) throw new Error(`${where}: "${word}" without {{ end }}`);
          if (stop.word === 'end') break;
          const chained = stop.rest[0];
          if (chained?.t === 'ident' && chained.v === word) {
            branches.push({ pipe: parsePipeline(stop.rest.slice(1), stop.where), body: [] });
            continue;
          }
          if (stop.rest.length) throw new Error(`${stop.where}: unsupported else form`);
          const tail = parseList();
          if (tail.stop?.word !== 'end') throw new Error(`${where}: "${word}" … else without {{ end }}`);
          otherwise = tail.nodes;
          break;
        }
        nodes.push({ n: word, branches, otherwise });
      } else if (word === 'range') {
        const pipe = parsePipeline(tokens.slice(1), where);
        const { nodes: body, stop } = parseList();
        let otherwise: Node[] = [];
        if (stop?.word === 'else') {
          const tail = parseList();
          if (tail.stop?.word !== 'end') throw new Error(`${where}: range … else without {{ end }}`);
          otherwise = tail.nodes;
        } else if (stop?.word !== 'end') throw new Error(`${where}: range without {{ end }}`);
        nodes.push({ n: 'range', pipe, body, otherwise });
      } else if (word === 'define') {
        const label = tokens[1];
        if (label?.t !== 'str' || tokens.length !== 2) throw new Error(`${where}: define needs one quoted name`);
        const { nodes: body, stop } = parseList();
        if (stop?.word !== 'end') throw new Error(`${where}: define without {{ end }}`);
        defines.set(label.v, body);
      } else if (['template', 'block', 'break', 'continue', 'tpl'].includes(word)) {
        throw new Error(`${where}: "${word}" is outside the supported subset (use include)`);
      } else {
        nodes.push({ n: 'action', pipe: parsePipeline(tokens, where) });
      }
    }
    return { nodes };
  };
  const { nodes, stop } = parseList();
  if (stop) throw new Error(`${stop.where}: unexpected {{ ${stop.word} }}`);
  return { root: nodes, defines };
}

// ---------------------------------------------------------------------------------------------
// Values as Go and Sprig see them.

const isMap = (v: Value): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's truth: false, 0, nil, and empty strings, lists and maps are false. */
function truthy(v: Value): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** A float64 as Go's %v prints it: shortest digits, exponent form below 1e-4 and from 1e6 up (strconv 'g', -1). */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return '0';
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/** fmt's %v. */
function show(v: Value): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (isMap(v))
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${show(v[k])}`)
      .join(' ')}]`;
  return String(v);
}

/** Sprig's strval: strings as they are, nil as "", everything else as %v. */
const strval = (v: Value): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : show(v));

function sprigEmpty(v: Value): boolean {
  return !truthy(v);
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

function printf(format: string, args: Value[], where: string): string {
  let i = 0;
  return format.replace(/%([%sdvq])/g, (_m, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[i++];
    // Helm's values are float64, which Go's %d prints as "%!d(float64=…)": use %v.
    if (verb === 'd') throw new Error(`${where}: printf %d is outside the supported subset (values are float64 in Helm; use %v)`);
    if (verb === 'q') return goQuote(strval(arg));
    return show(arg);
  });
}

function toYaml(v: Value): string {
  if (v === undefined || v === null) return 'null';
  return stringifyYaml(v, { sortMapEntries: true, lineWidth: 0, indent: 2 }).replace(/\n$/, '');
}

function compare(a: Value, b: Value, where: string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new Error(`${where}: incompatible types for comparison`);
}

function basicEq(a: Value, b: Value, where: string): boolean {
  if ((a === undefined || a === null) && (b === undefined || b === null)) return true;
  if (typeof a !== typeof b) {
    if (a === undefined || a === null || b === undefined || b === null) return false;
    throw new Error(`${where}: incompatible types for comparison (${typeof a} and ${typeof b})`);
  }
  if (typeof a === 'object') throw new Error(`${where}: eq of non-basic values`);
  return a === b;
}

// ---------------------------------------------------------------------------------------------
// Execution.

interface Scope {
  vars: Map<string, Value>;
  parent?: Scope;
}

class Renderer {
  constructor(private readonly defines: Map<string, Node[]>) {}

  execute(nodes: Node[], dot: Value, root: Value): string {
    return this.run(nodes, dot, { vars: new Map([['$', root]]) });
  }

  private lookup(scope: Scope, name: string, where: string): Value {
    for (let s: Scope | undefined = scope; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
    throw new Error(`${where}: undefined variable "${name}"`);
  }

  private assign(scope: Scope, name: string, value: Value, where: string): void {
    for (let s: Scope | undefined = scope; s; s = s.parent)
      if (s.vars.has(name)) {
        s.vars.set(name, value);
        return;
      }
    throw new Error(`${where}: undefined variable "${name}"`);
  }

  private run(nodes: Node[], dot: Value, scope: Scope): string {
    let out = '';
    for (const node of nodes) {
      switch (node.n) {
        case 'text':
          out += node.text;
          break;
        case 'action': {
          const value = this.pipeline(node.pipe, dot, scope);
          if (!node.pipe.decl) out += show(value);
          break;
        }
        case 'if':
        case 'with': {
          let done = false;
          for (const branch of node.branches) {
            const inner: Scope = { vars: new Map(), parent: scope };
            const value = this.pipeline(branch.pipe, dot, inner);
            if (truthy(value)) {
              out += this.run(branch.body, node.n === 'with' ? value : dot, inner);
              done = true;
              break;
            }
          }
          if (!done) out += this.run(node.otherwise, dot, { vars: new Map(), parent: scope });
          break;
        }
        case 'range': {
          const inner: Scope = { vars: new Map(), parent: scope };
          const decl = node.pipe.decl;
          const value = this.pipeline({ ...node.pipe, decl: undefined }, dot, inner);
          const entries: Array<[Value, Value]> = Array.isArray(value)
            ? value.map((v, i) => [i, v])
            : isMap(value)
              ? Object.keys(value)
                  .sort()
                  .map((k) => [k, value[k]])
              : value === undefined || value === null
                ? []
                : (() => {
                    throw new Error(`${node.pipe.where}: range can't iterate over ${show(value)}`);
                  })();
          if (!entries.length) out += this.run(node.otherwise, dot, inner);
          for (const [k, v] of entries) {
            const iter: Scope = { vars: new Map(), parent: scope };
            if (decl?.names.length === 1) iter.vars.set(decl.names[0], v);
            if (decl?.names.length === 2) {
              iter.vars.set(decl.names[0], k);
              iter.vars.set(decl.names[1], v);
            }
            out += this.run(node.body, v, iter);
          }
          break;
        }
      }
    }
    return out;
  }

  private pipeline(pipe: Pipeline, dot: Value, scope: Scope): Value {
    let value: Value;
    let piped = false;
    for (const cmd of pipe.cmds) {
      value = this.command(cmd, dot, scope, piped ? { value } : undefined, pipe.where);
      piped = true;
    }
    if (pipe.decl) {
      if (pipe.decl.names.length !== 1) throw new Error(`${pipe.where}: only "$x :=" declares outside range`);
      if (pipe.decl.op === ':=') scope.vars.set(pipe.decl.names[0], value);
      else this.assign(scope, pipe.decl.names[0], value, pipe.where);
    }
    return value;
  }

  private field(base: Value, path: string[], label: string, where: string): Value {
    let v = base;
    for (const [i, key] of path.entries()) {
      if (v === undefined || v === null)
        throw new Error(`${where}: nil pointer evaluating interface {}.${key} (${label}.${path.slice(0, i + 1).join('.')})`);
      if (!isMap(v)) throw new Error(`${where}: can't evaluate field ${key} in type ${Array.isArray(v) ? 'list' : typeof v}`);
      v = Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
    }
    return v;
  }

  private arg(arg: Arg, dot: Value, scope: Scope, where: string): Value {
    switch (arg.k) {
      case 'lit':
        return arg.v;
      case 'field':
        return this.field(dot, arg.path, '', where);
      case 'var':
        return this.field(this.lookup(scope, arg.name, where), arg.path, arg.name, where);
      case 'sub':
        return this.field(this.pipeline(arg.pipe, dot, scope), arg.path, '(…)', where);
      case 'fn':
        return this.call(arg.name, [], dot, scope, where);
    }
  }

  private command(cmd: Command, dot: Value, scope: Scope, piped: { value: Value } | undefined, where: string): Value {
    const [head, ...rest] = cmd.args;
    if (head.k !== 'fn') {
      if (rest.length || piped) throw new Error(`${where}: can't give argument to non-function`);
      return this.arg(head, dot, scope, where);
    }
    // and/or evaluate lazily, like Go since 1.18.
    if (head.name === 'and' || head.name === 'or') {
      const thunks = rest.map((a) => () => this.arg(a, dot, scope, where));
      if (piped) thunks.push(() => piped.value);
      let last: Value;
      for (const thunk of thunks) {
        last = thunk();
        if (head.name === 'and' ? !truthy(last) : truthy(last)) return last;
      }
      return last;
    }
    const args = rest.map((a) => this.arg(a, dot, scope, where));
    if (piped) args.push(piped.value);
    return this.call(head.name, args, dot, scope, where);
  }

  private call(name: string, args: Value[], _dot: Value, _scope: Scope, where: string): Value {
    const want = (n: number) => {
      if (args.length !== n) throw new Error(`${where}: ${name} wants ${n} arguments, got ${args.length}`);
    };
    const str = (v: Value) => strval(v);
    switch (name) {
      case 'not':
        want(1);
        return !truthy(args[0]);
      case 'eq':
        if (args.length < 2) throw new Error(`${where}: eq wants at least 2 arguments`);
        return args.slice(1).some((b) => basicEq(args[0], b, where));
      case 'ne':
        want(2);
        return !basicEq(args[0], args[1], where);
      case 'lt':
        want(2);
        return compare(args[0], args[1], where) < 0;
      case 'le':
        want(2);
        return compare(args[0], args[1], where) <= 0;
      case 'gt':
        want(2);
        return compare(args[0], args[1], where) > 0;
      case 'ge':
        want(2);
        return compare(args[0], args[1], where) >= 0;
      case 'len': {
        want(1);
        const v = args[0];
        if (typeof v === 'string' || Array.isArray(v)) return v.length;
        if (isMap(v)) return Object.keys(v).length;
        throw new Error(`${where}: len of ${show(v)}`);
      }
      case 'index': {
        let v = args[0];
        for (const key of args.slice(1)) {
          if (Array.isArray(v) && typeof key === 'number') v = v[key];
          else if (isMap(v) && typeof key === 'string') v = v[key];
          else throw new Error(`${where}: can't index ${show(v)} with ${show(key)}`);
        }
        return v;
      }
      case 'print':
        return args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + show(a)).join('');
      case 'printf':
        return printf(str(args[0]), args.slice(1), where);
      case 'default':
        if (args.length === 1) return args[0];
        want(2);
        return sprigEmpty(args[1]) ? args[0] : args[1];
      case 'empty':
        want(1);
        return sprigEmpty(args[0]);
      case 'coalesce':
        return args.find((a) => !sprigEmpty(a)) ?? null;
      case 'ternary':
        want(3);
        return truthy(args[2]) ? args[0] : args[1];
      case 'quote':
        return args
          .filter((a) => a !== undefined && a !== null)
          .map((a) => goQuote(str(a)))
          .join(' ');
      case 'squote':
        return args
          .filter((a) => a !== undefined && a !== null)
          .map((a) => `'${str(a)}'`)
          .join(' ');
      case 'trunc': {
        want(2);
        const [n, s] = [args[0] as number, str(args[1])];
        if (n < 0) return s.length + n > 0 ? s.slice(s.length + n) : s;
        return s.length > n ? s.slice(0, n) : s;
      }
      case 'trimSuffix':
        want(2);
        return str(args[1]).endsWith(str(args[0])) ? str(args[1]).slice(0, str(args[1]).length - str(args[0]).length) : str(args[1]);
      case 'trimPrefix':
        want(2);
        return str(args[1]).startsWith(str(args[0])) ? str(args[1]).slice(str(args[0]).length) : str(args[1]);
      case 'trim':
        want(1);
        return str(args[0]).trim();
      case 'replace':
        want(3);
        return str(args[2]).split(str(args[0])).join(str(args[1]));
      case 'contains':
        want(2);
        return str(args[1]).includes(str(args[0]));
      case 'hasPrefix':
        want(2);
        return str(args[1]).startsWith(str(args[0]));
      case 'hasSuffix':
        want(2);
        return str(args[1]).endsWith(str(args[0]));
      case 'lower':
        want(1);
        return str(args[0]).toLowerCase();
      case 'upper':
        want(1);
        return str(args[0]).toUpperCase();
      case 'b64enc':
        want(1);
        return Buffer.from(str(args[0]), 'utf8').toString('base64');
      case 'sha256sum':
        want(1);
        return createHash('sha256').update(str(args[0])).digest('hex');
      case 'toString':
        want(1);
        return str(args[0]);
      case 'int': {
        want(1);
        const n = typeof args[0] === 'number' ? args[0] : Number.parseInt(str(args[0]), 10);
        return Number.isNaN(n) ? 0 : Math.trunc(n);
      }
      case 'toJson':
        want(1);
        return JSON.stringify(args[0] ?? null);
      case 'join': {
        want(2);
        const list = args[1];
        if (!Array.isArray(list)) throw new Error(`${where}: join of a non-list`);
        return list.map(str).join(str(args[0]));
      }
      case 'list':
        return [...args];
      case 'dict': {
        if (args.length % 2) throw new Error(`${where}: dict wants key/value pairs`);
        const out: Dict = {};
        for (let i = 0; i < args.length; i += 2) out[str(args[i])] = args[i + 1];
        return out;
      }
      case 'hasKey':
        want(2);
        return isMap(args[0]) && Object.prototype.hasOwnProperty.call(args[0], str(args[1]));
      case 'include': {
        want(2);
        const body = this.defines.get(str(args[0]));
        if (!body) throw new Error(`${where}: no template "${str(args[0])}"`);
        return this.execute(body, args[1], args[1]);
      }
      case 'required': {
        want(2);
        if (args[1] === undefined || args[1] === null || args[1] === '') throw new Error(`execution error at (${where}): ${str(args[0])}`);
        return args[1];
      }
      case 'fail':
        want(1);
        throw new Error(`execution error at (${where}): ${str(args[0])}`);
      case 'toYaml':
        want(1);
        return toYaml(args[0]);
      case 'indent':
      case 'nindent': {
        want(2);
        const pad = ' '.repeat(args[0] as number);
        const text = pad + str(args[1]).split('\n').join(`\n${pad}`);
        return name === 'nindent' ? `\n${text}` : text;
      }
      default:
        throw new Error(`${where}: function "${name}" not defined (outside the supported subset)`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Charts.

/** Helm's coalescing of user values over chart defaults: maps merge, anything else replaces, null deletes. */
export function mergeValues(base: Value, override: Value): Value {
  if (!isMap(base) || !isMap(override)) return override === undefined ? base : override;
  const out: Dict = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete out[key];
    else out[key] = mergeValues(base[key], value);
  }
  return out;
}

export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
  /** Values over the chart's values.yaml, like `-f` / `--set`. */
  values?: Dict;
  isUpgrade?: boolean;
  kubeVersion?: string;
}

export interface RenderedChart {
  values: Dict;
  /** Rendered text by template path (`gatehouse/templates/…`), NOTES.txt included. */
  files: Map<string, string>;
  /** Every Kubernetes object, with the template it came from. */
  objects: Array<{ template: string; object: Dict }>;
  notes: string;
}

function capitalized(chart: Dict): Dict {
  const out: Dict = {};
  for (const [k, v] of Object.entries(chart)) out[k.charAt(0).toUpperCase() + k.slice(1)] = v;
  return out;
}

export function renderChart(chartDir: string, options: RenderOptions = {}): RenderedChart {
  const chart = parseYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Dict;
  const defaults = (parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) ?? {}) as Dict;
  const values = mergeValues(defaults, options.values ?? {}) as Dict;
  const chartName = String(chart.name);
  const templatesDir = join(chartDir, 'templates');
  const sources = readdirSync(templatesDir)
    .filter((f) => /\.(ya?ml|tpl|txt)$/.test(f))
    .sort()
    .map((file) => ({ file, name: `${chartName}/templates/${file}`, text: readFileSync(join(templatesDir, file), 'utf8') }));
  const defines = new Map<string, Node[]>();
  const parsed = sources.map((s) => {
    const p = parseTemplate(s.text, s.name);
    for (const [k, v] of p.defines) defines.set(k, v);
    defines.set(s.name, p.root); // Helm registers every file as a template named by its path
    return { ...s, root: p.root };
  });
  const kube = options.kubeVersion ?? 'v1.33.0';
  const [major, minor] = kube.replace(/^v/, '').split('.');
  const top = (templateName: string): Dict => ({
    Values: values,
    Release: {
      Name: options.releaseName ?? 'gatehouse',
      Namespace: options.namespace ?? 'default',
      Service: 'Helm',
      IsInstall: !options.isUpgrade,
      IsUpgrade: Boolean(options.isUpgrade),
      Revision: options.isUpgrade ? 2 : 1,
    },
    Chart: capitalized(chart),
    Capabilities: { KubeVersion: { Version: kube, Major: major, Minor: minor } },
    Template: { Name: templateName, BasePath: `${chartName}/templates` },
  });
  const renderer = new Renderer(defines);
  const files = new Map<string, string>();
  const objects: RenderedChart['objects'] = [];
  for (const t of parsed) {
    if (t.file.startsWith('_')) continue;
    const data = top(t.name);
    const text = renderer.execute(t.root, data, data).replaceAll('<no value>', '');
    files.set(t.name, text);
    if (t.file === 'NOTES.txt') continue;
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) throw new Error(`${t.name}: rendered YAML is invalid: ${doc.errors[0].message}\n${text}`);
      const object = doc.toJS() as Dict | null;
      if (object !== null && object !== undefined) objects.push({ template: t.name, object });
    }
  }
  return { values, files, objects, notes: files.get(`${chartName}/templates/NOTES.txt`) ?? '' };
}

/** Renders one template source on its own (for the renderer's tests). */
export function renderString(source: string, data: Dict, extraDefines = ''): string {
  const defs = parseTemplate(extraDefines, 'defines').defines;
  const parsed = parseTemplate(source, 'inline');
  for (const [k, v] of parsed.defines) defs.set(k, v);
  return new Renderer(defs).execute(parsed.root, data, data).replaceAll('<no value>', '');
}

export function chartFiles(chartDir: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [relative(chartDir, join(dir, e.name))],
    );
  return existsSync(chartDir) ? walk(chartDir) : [];
}
