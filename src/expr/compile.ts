/**
 * Compiles expression IR into JS functions over record batches (DESIGN.md principle 2).
 *
 * Generated code shape: one `for` loop over the rows; every IR node becomes two locals, a null flag `nK` and a
 * value `vK` (a type-appropriate placeholder — 0, false or null — when the flag is set), so numeric values stay
 * unboxed doubles/ints and nothing is allocated per row for numeric and boolean expressions. Columns are read
 * from their storage (typed arrays, null byte arrays, plain arrays); results are written into freshly
 * allocated output columns, whose null array is only created when a NULL actually occurs.
 *
 * Semantics are those of `interpreter.ts` (the reference): strict functions are NULL on any NULL argument,
 * AND/OR/IF/COALESCE/CASE evaluate lazily, constant sub-expressions are folded once at compile time.
 *
 * Safety: the code is assembled only from generated local names, numeric/string literals (JSON-escaped),
 * the constants array `K` (kernels, bigints, sets), the helper object `H` (functions/helpers.ts) and `Math`.
 */
import { internalError } from '../common/index.js';
import {
  columnStorageOf,
  formatType,
  type Column,
  type ColumnStorage,
  type LogicalType,
  type RecordBatch,
  type RowType,
} from '../types/index.js';
import { castKernel } from './cast.js';
import { DEFAULT_EVAL_CONTEXT, type EvalContext, type Implementation } from './functions/function-def.js';
import { HELPERS } from './functions/helpers.js';
import { lookupScalar } from './functions/registry.js';
import type { CallIR, ExprIR } from './ir.js';
import { decodeLiteral } from './literal.js';
import { createInterpreter } from './interpreter.js';
import { getLoadedUdf } from './udf.js';

export interface CompileOptions {
  readonly context?: EvalContext;
}

interface Ref {
  /** JS expression: true when the value is NULL ('false'/'true' when known at compile time). */
  readonly n: string;
  /** JS expression of the value (a placeholder when NULL). */
  readonly v: string;
}

interface InputAccess {
  readonly data: string;
  readonly nulls: string;
  readonly row: string;
  readonly storage: ColumnStorage;
}

function placeholder(type: LogicalType): string {
  const s = columnStorageOf(type);
  return s === 'object' ? 'null' : s === 'bool' ? 'false' : '0';
}

function numberLiteral(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '(-Infinity)';
  if (Object.is(x, -0)) return '(-0)';
  return x < 0 ? `(${x})` : String(x);
}

/** Whether an expression depends only on literals and deterministic built-ins (so it can be folded). */
function isConstant(e: ExprIR): boolean {
  switch (e.kind) {
    case 'literal':
      return true;
    case 'input':
    case 'udf':
      return false;
    case 'cast':
    case 'field':
      return isConstant(e.arg);
    case 'case':
      return e.branches.every((b) => isConstant(b.when) && isConstant(b.then)) && (e.else === null || isConstant(e.else));
    case 'call':
      return (lookupScalar(e.fn)?.deterministic ?? false) && e.args.every(isConstant);
  }
}

const LAZY = new Set(['AND', 'OR', 'IF', 'COALESCE', 'IFNULL']);

class CodeGen {
  readonly constants: unknown[] = [];
  readonly prelude: string[] = [];
  private lines: string[] = [];
  private counter = 0;
  private scopes: Map<number, Ref>[] = [new Map()];
  private readonly constIndex = new Map<unknown, string>();
  private readonly interpreter;

  constructor(
    private readonly access: (index: number) => InputAccess,
    private readonly ctx: EvalContext,
  ) {
    this.interpreter = createInterpreter(ctx);
  }

  fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  emit(line: string): void {
    this.lines.push(line);
  }

  /** Runs `body` with its own block of lines and input-read scope; returns the lines. */
  block(body: () => void): string[] {
    const saved = this.lines;
    this.lines = [];
    this.scopes.push(new Map());
    try {
      body();
      return this.lines;
    } finally {
      this.scopes.pop();
      this.lines = saved;
    }
  }

  takeLines(): string[] {
    const l = this.lines;
    this.lines = [];
    return l;
  }

  constant(value: unknown): string {
    const hit = this.constIndex.get(value);
    if (hit !== undefined) return hit;
    const name = `c${this.constants.length}`;
    this.prelude.push(`const ${name} = K[${this.constants.length}];`);
    this.constants.push(value);
    this.constIndex.set(value, name);
    return name;
  }

  private readInput(index: number, type: LogicalType): Ref {
    for (let s = this.scopes.length - 1; s >= 0; s--) {
      const hit = this.scopes[s]!.get(index);
      if (hit) return hit;
    }
    const a = this.access(index);
    const v = this.fresh('v');
    const n = this.fresh('n');
    if (a.storage !== columnStorageOf(type) && !(a.storage === 'object' || columnStorageOf(type) === 'object')) {
      throw internalError(`input $${index} is stored as ${a.storage} but typed ${formatType(type)}`);
    }
    switch (a.storage) {
      case 'bool':
        this.emit(`const ${n} = ${a.nulls} !== null && ${a.nulls}[${a.row}] === 1; const ${v} = ${a.data}[${a.row}] === 1;`);
        break;
      case 'object':
        this.emit(`const ${v} = ${a.data}[${a.row}] ?? null; const ${n} = ${v} === null;`);
        break;
      default:
        this.emit(`const ${n} = ${a.nulls} !== null && ${a.nulls}[${a.row}] === 1; const ${v} = ${a.data}[${a.row}];`);
    }
    const ref = { n, v };
    this.scopes[this.scopes.length - 1]!.set(index, ref);
    return ref;
  }

  /** A value known at compile time as a Ref. */
  private constantRef(value: unknown, type: LogicalType): Ref {
    if (value === null || value === undefined) return { n: 'true', v: placeholder(type) };
    if (typeof value === 'number') return { n: 'false', v: numberLiteral(value) };
    if (typeof value === 'boolean') return { n: 'false', v: String(value) };
    if (typeof value === 'string') return { n: 'false', v: JSON.stringify(value) };
    if (typeof value === 'bigint') return { n: 'false', v: `${value}n` };
    return { n: 'false', v: this.constant(value) };
  }

  node(e: ExprIR): Ref {
    if (e.kind !== 'literal' && e.kind !== 'input' && isConstant(e)) {
      let value: unknown;
      let folded = true;
      try {
        value = this.interpreter.evaluate(e, []);
      } catch {
        // Leave it to run time: the error must only surface if the expression is actually reached.
        folded = false;
      }
      if (folded) return this.constantRef(value, e.type);
    }
    switch (e.kind) {
      case 'input':
        return this.readInput(e.index, e.type);
      case 'literal':
        return this.constantRef(decodeLiteral(e.value, e.type), e.type);
      case 'call':
        return this.call(e);
      case 'cast':
        return this.cast(e.arg, e.type, e.safe);
      case 'case':
        return this.caseExpr(e);
      case 'field': {
        const a = this.node(e.arg);
        const raw = this.fresh('r');
        const n = this.fresh('n');
        const v = this.fresh('v');
        this.emit(`const ${raw} = ${a.n} ? null : (${a.v}[${e.index}] ?? null); const ${n} = ${raw} === null; const ${v} = ${n} ? ${placeholder(e.type)} : ${raw};`);
        return { n, v };
      }
      case 'udf': {
        const udf = getLoadedUdf(e.name, e.ref);
        const storage = columnStorageOf(e.type);
        const f = this.constant(udf.fn);
        const args = e.args.map((a) => this.node(a)).map((r) => (r.n === 'false' ? r.v : `(${r.n} ? null : ${r.v})`));
        const raw = this.fresh('r');
        const n = this.fresh('n');
        const v = this.fresh('v');
        const conv = storage === 'bool' ? `${raw} === true` : storage === 'object' ? raw : `Number(${raw})`;
        this.emit(`const ${raw} = ${f}(${args.join(', ')}) ?? null; const ${n} = ${raw} === null; const ${v} = ${n} ? ${placeholder(e.type)} : ${conv};`);
        return { n, v };
      }
    }
  }

  private call(e: CallIR): Ref {
    const def = lookupScalar(e.fn);
    if (def === undefined) throw internalError(`expression uses unknown function '${e.fn}'`);
    const fn = def.names[0]!;
    if (LAZY.has(fn)) return this.lazy(fn, e);
    if (fn === 'IN') {
      const set = this.inSet(e);
      if (set !== null) return set;
    }
    const argTypes = e.args.map((a) => a.type);
    const impl: Implementation = def.implement(argTypes, e.type, this.ctx);
    const args = e.args.map((a) => this.node(a));
    const ph = placeholder(e.type);
    const n = this.fresh('n');
    const v = this.fresh('v');
    if (def.nulls !== 'strict') {
      const f = this.constant(impl.kernel);
      const raw = this.fresh('r');
      const vals = args.map((r) => (r.n === 'false' ? r.v : r.n === 'true' ? 'null' : `(${r.n} ? null : ${r.v})`));
      this.emit(`const ${raw} = ${f}(${vals.join(', ')}); const ${n} = ${raw} === null; const ${v} = ${n} ? ${ph} : ${raw};`);
      return { n, v };
    }
    const nullParts = args.map((r) => r.n).filter((x) => x !== 'false');
    if (nullParts.includes('true')) return { n: 'true', v: ph };
    const anyNull = nullParts.length === 0 ? 'false' : nullParts.join(' || ');
    const vals = args.map((r) => r.v);
    if (impl.inline !== undefined && impl.mayReturnNull !== true) {
      const body = impl.inline(vals);
      if (anyNull === 'false') {
        this.emit(`const ${v} = ${body};`);
        return { n: 'false', v };
      }
      this.emit(`const ${n} = ${anyNull}; const ${v} = ${n} ? ${ph} : ${body};`);
      return { n, v };
    }
    const f = this.constant(impl.kernel);
    const call = `${f}(${vals.join(', ')})`;
    if (impl.mayReturnNull === true) {
      this.emit(`let ${n} = ${anyNull}; let ${v} = ${ph};`);
      this.emit(`if (!${n}) { ${v} = ${call}; if (${v} === null) { ${n} = true; ${v} = ${ph}; } }`);
      return { n, v };
    }
    if (anyNull === 'false') {
      this.emit(`const ${v} = ${call};`);
      return { n: 'false', v };
    }
    this.emit(`const ${n} = ${anyNull}; const ${v} = ${n} ? ${ph} : ${call};`);
    return { n, v };
  }

  /** `x IN (constants…)` as a Set probe. */
  private inSet(e: CallIR): Ref | null {
    const [x, ...items] = e.args;
    if (x === undefined || items.length < 4 || !items.every(isConstant)) return null;
    const t = x.type;
    const storage = columnStorageOf(t);
    if (!(storage === 'float64' || storage === 'int32' || t.kind === 'VARCHAR' || t.kind === 'CHAR' || t.kind === 'DECIMAL')) return null;
    if (!items.every((i) => i.type.kind === t.kind && (t.kind !== 'DECIMAL' || (i.type as { scale: number }).scale === t.scale))) return null;
    const values = items.map((i) => this.interpreter.evaluate(i, []));
    const hasNull = values.some((v) => v === null);
    const set = this.constant(new Set(values.filter((v) => v !== null)));
    const a = this.node(x);
    const h = this.fresh('h');
    const n = this.fresh('n');
    const v = this.fresh('v');
    this.emit(`const ${h} = ${set}.has(${a.v}); const ${n} = ${a.n} || (!${h} && ${hasNull}); const ${v} = !${n} && ${h};`);
    return { n, v };
  }

  private lazy(fn: string, e: CallIR): Ref {
    const ph = placeholder(e.type);
    const n = this.fresh('n');
    const v = this.fresh('v');
    this.emit(`let ${n} = true; let ${v} = ${ph};`);
    switch (fn) {
      case 'AND':
      case 'OR': {
        // 3VL with short-circuit: the deciding value (FALSE for AND, TRUE for OR) stops evaluation.
        const decide = fn === 'AND' ? 'false' : 'true';
        const sawNull = this.fresh('s');
        this.emit(`let ${sawNull} = false;`);
        const done = this.fresh('d');
        this.emit(`let ${done} = false;`);
        const emitArg = (i: number): void => {
          const lines = this.block(() => {
            const r = this.node(e.args[i]!);
            this.emit(`if (${r.n}) ${sawNull} = true; else if (${r.v} === ${decide}) { ${done} = true; }`);
            if (i + 1 < e.args.length) {
              const inner = this.block(() => emitArg(i + 1));
              this.emit(`if (!${done}) {`);
              for (const l of inner) this.emit(l);
              this.emit('}');
            }
          });
          for (const l of lines) this.emit(l);
        };
        emitArg(0);
        this.emit(`if (${done}) { ${n} = false; ${v} = ${decide}; } else if (${sawNull}) { ${n} = true; ${v} = false; } else { ${n} = false; ${v} = ${fn === 'AND' ? 'true' : 'false'}; }`);
        return { n, v };
      }
      case 'IF': {
        const c = this.node(e.args[0]!);
        const thenLines = this.block(() => {
          const r = this.node(e.args[1]!);
          this.emit(`${n} = ${r.n}; ${v} = ${r.v};`);
        });
        const elseLines = this.block(() => {
          const r = this.node(e.args[2]!);
          this.emit(`${n} = ${r.n}; ${v} = ${r.v};`);
        });
        this.emit(`if (!${c.n} && ${c.v}) {`);
        for (const l of thenLines) this.emit(l);
        this.emit('} else {');
        for (const l of elseLines) this.emit(l);
        this.emit('}');
        return { n, v };
      }
      default: {
        // COALESCE / IFNULL: evaluate arguments in order until one is not NULL.
        const emitArg = (i: number): void => {
          const r = this.node(e.args[i]!);
          this.emit(`if (!${r.n}) { ${n} = false; ${v} = ${r.v}; }`);
          if (i + 1 < e.args.length) {
            const inner = this.block(() => emitArg(i + 1));
            this.emit('else {');
            for (const l of inner) this.emit(l);
            this.emit('}');
          }
        };
        const lines = this.block(() => emitArg(0));
        for (const l of lines) this.emit(l);
        return { n, v };
      }
    }
  }

  private caseExpr(e: Extract<ExprIR, { kind: 'case' }>): Ref {
    const ph = placeholder(e.type);
    const n = this.fresh('n');
    const v = this.fresh('v');
    this.emit(`let ${n} = true; let ${v} = ${ph};`);
    const emitBranch = (i: number): void => {
      if (i === e.branches.length) {
        if (e.else !== null) {
          const r = this.node(e.else);
          this.emit(`${n} = ${r.n}; ${v} = ${r.v};`);
        }
        return;
      }
      const b = e.branches[i]!;
      const w = this.node(b.when);
      const thenLines = this.block(() => {
        const r = this.node(b.then);
        this.emit(`${n} = ${r.n}; ${v} = ${r.v};`);
      });
      const elseLines = this.block(() => emitBranch(i + 1));
      this.emit(`if (!${w.n} && ${w.v}) {`);
      for (const l of thenLines) this.emit(l);
      this.emit('}');
      if (elseLines.length > 0) {
        this.emit('else {');
        for (const l of elseLines) this.emit(l);
        this.emit('}');
      }
    };
    const lines = this.block(() => emitBranch(0));
    for (const l of lines) this.emit(l);
    return { n, v };
  }

  private cast(arg: ExprIR, to: LogicalType, safe: boolean): Ref {
    const a = this.node(arg);
    const kernel = castKernel(arg.type, to, this.ctx);
    const ph = placeholder(to);
    if (kernel === null) {
      // Same JS representation; only a NULL literal's placeholder may differ.
      if (a.n === 'true') return { n: 'true', v: ph };
      return a;
    }
    if (a.n === 'true') return { n: 'true', v: ph };
    const f = this.constant(kernel);
    const n = this.fresh('n');
    const v = this.fresh('v');
    this.emit(`let ${n} = ${a.n}; let ${v} = ${ph};`);
    const call = `${v} = ${f}(${a.v});`;
    this.emit(`if (!${n}) { ${safe ? `try { ${call} } catch (e) { ${v} = null; }` : call} if (${v} === null) { ${n} = true; ${v} = ${ph}; } }`);
    return { n, v };
  }
}

function collectInputs(e: ExprIR, out: Set<number>): void {
  switch (e.kind) {
    case 'input':
      out.add(e.index);
      break;
    case 'call':
    case 'udf':
      for (const a of e.args) collectInputs(a, out);
      break;
    case 'cast':
    case 'field':
      collectInputs(e.arg, out);
      break;
    case 'case':
      for (const b of e.branches) {
        collectInputs(b.when, out);
        collectInputs(b.then, out);
      }
      if (e.else) collectInputs(e.else, out);
      break;
    default:
      break;
  }
}

function checkInput(index: number, inputType: RowType): LogicalType {
  const f = inputType.fields[index];
  if (f === undefined) throw internalError(`expression refers to input $${index}, but the input has ${inputType.fields.length} columns`);
  return f.type;
}

function batchAccess(inputType: RowType, used: Set<number>, prelude: string[]): (index: number) => InputAccess {
  for (const c of [...used].sort((a, b) => a - b)) {
    checkInput(c, inputType);
    prelude.push(`const cd${c} = cols[${c}].data; const cz${c} = cols[${c}].nulls;`);
  }
  return (index) => ({ data: `cd${index}`, nulls: `cz${index}`, row: 'i', storage: columnStorageOf(checkInput(index, inputType)) });
}

function build<T>(gen: CodeGen, body: string): T {
  const code = `"use strict";\n${gen.prelude.join('\n')}\nreturn ${body};`;
  try {
    return new Function('K', 'H', code)(gen.constants, HELPERS) as T;
  } catch (cause) {
    throw internalError(`generated expression code does not compile: ${(cause as Error).message}\n${code}`, { cause });
  }
}

interface OutputPlan {
  readonly alloc: string;
  readonly write: (n: string, v: string, at: string) => string;
  readonly result: (count: string | null) => string;
}

function outputPlan(j: number, type: LogicalType, size: string): OutputPlan {
  const storage = columnStorageOf(type);
  const o = `o${j}`;
  const q = `q${j}`;
  const ctor = storage === 'bool' ? 'Uint8Array' : storage === 'int32' ? 'Int32Array' : storage === 'float64' ? 'Float64Array' : null;
  if (ctor === null) {
    return {
      alloc: `const ${o} = new Array(${size});`,
      write: (n, v, at) => `${o}[${at}] = ${n === 'false' ? v : `${n} ? null : ${v}`};`,
      result: (count) => (count === null ? `{ data: ${o}, nulls: null }` : `{ data: (${o}.length = ${count}, ${o}), nulls: null }`),
    };
  }
  const val = (v: string): string => (storage === 'bool' ? `(${v} ? 1 : 0)` : v);
  return {
    alloc: `const ${o} = new ${ctor}(${size}); let ${q} = null;`,
    write: (n, v, at) =>
      n === 'false' ? `${o}[${at}] = ${val(v)};` : `if (${n}) { if (${q} === null) ${q} = new Uint8Array(${size}); ${q}[${at}] = 1; } else ${o}[${at}] = ${val(v)};`,
    result: (count) => (count === null ? `{ data: ${o}, nulls: ${q} }` : `{ data: ${o}.subarray(0, ${count}), nulls: ${q} === null ? null : ${q}.subarray(0, ${count}) }`),
  };
}

/**
 * Compiles projections: the function returns one output column per expression, sized `batch.numRows`.
 * A bare input reference passes the input column through (batches are immutable, so sharing is safe).
 */
export function compileProjection(exprs: readonly ExprIR[], inputType: RowType, options: CompileOptions = {}): (batch: RecordBatch) => Column[] {
  const ctx = options.context ?? DEFAULT_EVAL_CONTEXT;
  const used = new Set<number>();
  exprs.forEach((e) => e.kind !== 'input' && collectInputs(e, used));
  const prelude: string[] = [];
  const gen2 = new CodeGen(batchAccess(inputType, used, prelude), ctx);
  const outputs = exprs.map((e, j) => (e.kind === 'input' ? null : outputPlan(j, e.type, 'N')));
  const writes: string[] = [];
  exprs.forEach((e, j) => {
    if (e.kind === 'input') {
      checkInput(e.index, inputType);
      return;
    }
    const r = gen2.node(e);
    for (const l of gen2.takeLines()) writes.push(l);
    writes.push(outputs[j]!.write(r.n, r.v, 'i'));
  });
  const results = exprs.map((e, j) => (e.kind === 'input' ? `cols[${e.index}]` : outputs[j]!.result(null)));
  const body = `function project(batch) {
  const cols = batch.columns; const N = batch.numRows;
  ${prelude.join('\n  ')}
  ${outputs.filter((o) => o !== null).map((o) => o!.alloc).join('\n  ')}
  for (let i = 0; i < N; i++) {
    ${writes.join('\n    ')}
  }
  return [${results.join(', ')}];
}`;
  return build(gen2, body);
}

/** Compiles a filter: the function returns the indices of rows where the predicate is TRUE. */
export function compilePredicate(expr: ExprIR, inputType: RowType, options: CompileOptions = {}): (batch: RecordBatch) => { selection: Int32Array; count: number } {
  const ctx = options.context ?? DEFAULT_EVAL_CONTEXT;
  const used = new Set<number>();
  collectInputs(expr, used);
  const prelude: string[] = [];
  const gen = new CodeGen(batchAccess(inputType, used, prelude), ctx);
  const r = gen.node(expr);
  const lines = gen.takeLines();
  const body = `function predicate(batch) {
  const cols = batch.columns; const N = batch.numRows;
  ${prelude.join('\n  ')}
  const sel = new Int32Array(N); let count = 0;
  for (let i = 0; i < N; i++) {
    ${lines.join('\n    ')}
    if (!${r.n} && ${r.v}) sel[count++] = i;
  }
  return { selection: sel, count };
}`;
  return build(gen, body);
}

/**
 * Fuses a filter and a projection into one loop. Rows that pass keep their row kind. `projection === null`
 * passes all input columns through; `condition === null` keeps every row.
 */
export function compileCalc(
  projection: readonly ExprIR[] | null,
  condition: ExprIR | null,
  inputType: RowType,
  outputType: RowType,
  options: CompileOptions = {},
): (batch: RecordBatch) => RecordBatch {
  if (condition === null) {
    if (projection === null) return (batch) => batch;
    const project = compileProjection(projection, inputType, options);
    return (batch) => ({ numRows: batch.numRows, kinds: batch.kinds, columns: project(batch) });
  }
  const ctx = options.context ?? DEFAULT_EVAL_CONTEXT;
  const exprs: readonly ExprIR[] = projection ?? inputType.fields.map((f, i): ExprIR => ({ kind: 'input', index: i, type: f.type }));
  if (exprs.length !== outputType.fields.length) {
    throw internalError(`calc projects ${exprs.length} expressions but its output type has ${outputType.fields.length} columns`);
  }
  const used = new Set<number>();
  collectInputs(condition, used);
  exprs.forEach((e) => collectInputs(e, used));
  const prelude: string[] = [];
  const gen = new CodeGen(batchAccess(inputType, used, prelude), ctx);
  const c = gen.node(condition);
  const condLines = gen.takeLines();
  const outputs = exprs.map((e, j) => outputPlan(j, outputType.fields[j]!.type, 'N'));
  const writes: string[] = [];
  exprs.forEach((e, j) => {
    const r = gen.node(e);
    for (const l of gen.takeLines()) writes.push(l);
    writes.push(outputs[j]!.write(r.n, r.v, 'c'));
  });
  const body = `function calc(batch) {
  const cols = batch.columns; const N = batch.numRows; const kin = batch.kinds;
  ${prelude.join('\n  ')}
  ${outputs.map((o) => o.alloc).join('\n  ')}
  const kout = kin === null ? null : new Uint8Array(N);
  let c = 0;
  for (let i = 0; i < N; i++) {
    ${condLines.join('\n    ')}
    if (${c.n} || !${c.v}) continue;
    ${writes.join('\n    ')}
    if (kout !== null) kout[c] = kin[i];
    c++;
  }
  return { numRows: c, kinds: kout === null ? null : kout.subarray(0, c), columns: [${outputs.map((o) => o.result('c')).join(', ')}] };
}`;
  return build(gen, body);
}

/** Compiles one expression evaluated at one row; returns the JS value (null for SQL NULL). */
export function compileRowEvaluator(expr: ExprIR, inputType: RowType, options: CompileOptions = {}): (batch: RecordBatch, row: number) => unknown {
  const ctx = options.context ?? DEFAULT_EVAL_CONTEXT;
  const used = new Set<number>();
  collectInputs(expr, used);
  for (const c of used) checkInput(c, inputType);
  const gen = new CodeGen((index) => ({ data: `cols[${index}].data`, nulls: `cols[${index}].nulls`, row: 'i', storage: columnStorageOf(checkInput(index, inputType)) }), ctx);
  const r = gen.node(expr);
  const lines = gen.takeLines();
  const body = `function evalRow(batch, i) {
  const cols = batch.columns;
  ${lines.join('\n  ')}
  return ${r.n === 'false' ? r.v : `${r.n} ? null : ${r.v}`};
}`;
  return build(gen, body);
}

/**
 * Compiles a join condition over the concatenated row (left columns, then right columns). NULL counts as
 * not matching.
 */
export function compileTwoInputPredicate(
  expr: ExprIR,
  leftType: RowType,
  rightType: RowType,
  options: CompileOptions = {},
): (left: RecordBatch, lrow: number, right: RecordBatch, rrow: number) => boolean {
  const ctx = options.context ?? DEFAULT_EVAL_CONTEXT;
  const L = leftType.fields.length;
  const combined: RowType = { fields: [...leftType.fields, ...rightType.fields] };
  const gen = new CodeGen((index) => {
    const storage = columnStorageOf(checkInput(index, combined));
    return index < L
      ? { data: `left.columns[${index}].data`, nulls: `left.columns[${index}].nulls`, row: 'lrow', storage }
      : { data: `right.columns[${index - L}].data`, nulls: `right.columns[${index - L}].nulls`, row: 'rrow', storage };
  }, ctx);
  const r = gen.node(expr);
  const lines = gen.takeLines();
  const body = `function joinCondition(left, lrow, right, rrow) {
  ${lines.join('\n  ')}
  return !${r.n} && ${r.v} === true;
}`;
  return build(gen, body);
}

/** For tests and EXPLAIN-style debugging: the JS source a projection compiles to. */
export function explainCompiledProjection(exprs: readonly ExprIR[], inputType: RowType): string {
  return compileProjection(exprs, inputType).toString();
}
