/**
 * Paimon's stored procedures, run by `CALL [catalog.]sys.<name>(…)` on a Paimon catalog, with the
 * parameter names, order and results of Paimon's Flink procedures:
 *
 *   compact(table, partitions?)                                        → Success
 *   expire_snapshots(table, retain_max?, retain_min?, older_than?, max_deletes?) → number of expired snapshots
 *   create_tag(table, tag, snapshot_id?, time_retained?)               → Success
 *   delete_tag(table, tag)               (tag may list several: 'a,b') → Success
 *   rollback_to(table, tag?, snapshot_id?)                             → Success
 *   remove_orphan_files(table, older_than?, dry_run?, parallelism?, mode?) → orphan count, then their bytes
 *   reset_consumer(table, consumer_id, next_snapshot_id?)  (none: remove it) → Success
 *   clear_consumers(table, including_consumers?, excluding_consumers?) (regexes) → Success
 *
 * `table` is `'database.table'` (`remove_orphan_files` also takes `'database.*'`). Timestamps
 * (`older_than`) are read in the session time zone (Paimon reads them in the JVM's). Arguments are
 * literals, positional or named (`` `table` => 'db.t' ``); NULL is the same as leaving an optional
 * argument out (Flink passes NULL for missing optional arguments). Parameters Paimon has that change
 * what Floe would do (`order_strategy`, `where`, …) are refused by name rather than ignored.
 *
 * The result is one STRING column `result`, one row per value, as Flink prints procedure results.
 */
import { closestMatch, parseDurationMs, unsupported, userError, type SourceSpan } from '../common/index.js';
import { checkConsumerId, clearConsumers, deleteConsumer, writeConsumer, type PaimonTable } from '../lake/index.js';
import type { CallArgument, Expr } from '../sql/index.js';
import { Types, localToUtc, parseValueText, type LogicalType } from '../types/index.js';

/** The database Paimon's procedures live in (`CALL sys.compact(…)`). */
export const PROCEDURE_DATABASE = 'sys';

type ParamType = 'STRING' | 'INT' | 'BIGINT' | 'BOOLEAN';
type ArgValue = string | number | boolean;

interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly optional: boolean;
}

/** What a procedure needs from the catalog and the session. */
export interface ProcedureContext {
  /** The catalog's name, for messages. */
  readonly catalogName: string;
  /** Opens table `name` of `database`; fails with a catalog error when it does not exist. */
  openTable(database: string, name: string, span: SourceSpan): Promise<PaimonTable>;
  /** Tables of a database (for `remove_orphan_files('db.*')`). */
  listTables(database: string): string[];
  /** The session time zone, for timestamp arguments. */
  readonly timeZone: string;
  /** The clock (default `Date.now()`). */
  readonly now?: number;
}

export interface ProcedureResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

type Args = ReadonlyMap<string, ArgValue>;

interface ProcedureDef {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  /** Paimon parameters Floe does not implement: naming one is an error, not silently ignored. */
  readonly unsupported?: readonly string[];
  run(ctx: ProcedureContext, args: Args, span: SourceSpan): Promise<string[]>;
}

const p = (name: string, type: ParamType, optional = true): ParamSpec => ({ name, type, optional });

function argError(message: string, span: SourceSpan, help?: string) {
  return userError('PROCEDURE.ARGUMENT', message, { span, help });
}

/** `'db.t'` → [db, t]. */
function tableIdentifier(text: string, span: SourceSpan): [string, string] {
  const dot = text.indexOf('.');
  if (dot <= 0 || dot === text.length - 1 || text.indexOf('.', dot + 1) >= 0) {
    throw argError(`table '${text}' must be written 'database.table'`, span, "e.g. CALL sys.compact(`table` => 'default.orders')");
  }
  return [text.slice(0, dot), text.slice(dot + 1)];
}

function openArgTable(ctx: ProcedureContext, args: Args, span: SourceSpan): Promise<PaimonTable> {
  const [db, t] = tableIdentifier(args.get('table') as string, span);
  return ctx.openTable(db, t, span);
}

/** A `'yyyy-MM-dd HH:mm:ss[.SSS]'` argument in the session zone, as epoch milliseconds. */
function timestampArg(ctx: ProcedureContext, name: string, text: string, span: SourceSpan): number {
  let wallClock: unknown = null;
  try {
    wallClock = parseValueText(text.trim(), Types.timestamp(3), ctx.timeZone);
  } catch {
    wallClock = null;
  }
  if (typeof wallClock !== 'number') throw argError(`argument '${name}' must be a time such as '2026-11-27 12:00:00', got '${text}'`, span);
  return Math.floor(localToUtc(wallClock, ctx.timeZone));
}

/**
 * Paimon's `partitions` argument: specs separated by ';' (any of them), each `k=v` pairs separated by
 * ',' (all of them). Values are read as the partition column's type.
 */
function partitionSpecs(table: PaimonTable, text: string, span: SourceSpan): Record<string, unknown>[] {
  const schema = table.schema();
  return text
    .split(';')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '')
    .map((spec) => {
      const out: Record<string, unknown> = {};
      for (const pair of spec.split(',')) {
        const eq = pair.indexOf('=');
        const key = pair.slice(0, eq).trim();
        if (eq <= 0) throw argError(`partition spec '${spec}' must be written 'key=value[,key=value…]'`, span);
        const field = schema.fields.find((f) => f.name === key);
        if (field === undefined || !schema.partitionKeys.includes(key)) {
          throw argError(`'${key}' is not a partition key of table '${table.tablePath}' (partition keys: ${schema.partitionKeys.join(', ') || 'none'})`, span);
        }
        out[key] = partitionValue(field.type, pair.slice(eq + 1).trim(), key, span);
      }
      return out;
    });
}

function partitionValue(type: LogicalType, text: string, key: string, span: SourceSpan): unknown {
  try {
    return parseValueText(text, type, 'UTC');
  } catch {
    throw argError(`partition value '${text}' of '${key}' is not a valid ${type.kind}`, span);
  }
}

const PROCEDURES: readonly ProcedureDef[] = [
  {
    name: 'compact',
    params: [p('table', 'STRING', false), p('partitions', 'STRING')],
    unsupported: ['order_strategy', 'order_by', 'options', 'where', 'partition_idle_time', 'compact_strategy'],
    async run(ctx, args, span) {
      const table = await openArgTable(ctx, args, span);
      const partitions = args.get('partitions') as string | undefined;
      if (partitions === undefined) {
        await table.compact();
        return ['Success'];
      }
      for (const filter of partitionSpecs(table, partitions, span)) await table.compact({ partitionFilter: filter });
      return ['Success'];
    },
  },
  {
    name: 'expire_snapshots',
    params: [p('table', 'STRING', false), p('retain_max', 'INT'), p('retain_min', 'INT'), p('older_than', 'STRING'), p('max_deletes', 'INT')],
    unsupported: ['options'],
    async run(ctx, args, span) {
      const table = await openArgTable(ctx, args, span);
      const now = ctx.now ?? Date.now();
      const olderThan = args.get('older_than') as string | undefined;
      const retainMax = args.get('retain_max') as number | undefined;
      const retainMin = args.get('retain_min') as number | undefined;
      const maxDeletes = args.get('max_deletes') as number | undefined;
      const result = await table.expireSnapshots({
        now,
        ...(retainMax === undefined ? {} : { retainMax }),
        ...(retainMin === undefined ? {} : { retainMin }),
        ...(maxDeletes === undefined ? {} : { maxDeletes }),
        ...(olderThan === undefined ? {} : { olderThanMs: now - timestampArg(ctx, 'older_than', olderThan, span) }),
      });
      return [String(result.expiredSnapshots.length)];
    },
  },
  {
    name: 'create_tag',
    params: [p('table', 'STRING', false), p('tag', 'STRING', false), p('snapshot_id', 'BIGINT'), p('time_retained', 'STRING')],
    async run(ctx, args, span) {
      const table = await openArgTable(ctx, args, span);
      const retained = args.get('time_retained') as string | undefined;
      let timeRetainedMs: number | undefined;
      if (retained !== undefined) {
        const ms = parseDurationMs(retained);
        if (ms === null || !(ms > 0)) throw argError(`argument 'time_retained' must be a positive duration such as '1 d' or '12 h', got '${retained}'`, span);
        timeRetainedMs = ms;
      }
      const snapshotId = args.get('snapshot_id') as number | undefined;
      await table.createTag(args.get('tag') as string, {
        ...(snapshotId === undefined ? {} : { snapshotId }),
        ...(timeRetainedMs === undefined ? {} : { timeRetainedMs }),
        ...(ctx.now === undefined ? {} : { now: ctx.now }),
      });
      return ['Success'];
    },
  },
  {
    name: 'delete_tag',
    params: [p('table', 'STRING', false), p('tag', 'STRING', false)],
    async run(ctx, args, span) {
      const table = await openArgTable(ctx, args, span);
      const names = (args.get('tag') as string).split(',').map((n) => n.trim()).filter((n) => n !== '');
      if (names.length === 0) throw argError("argument 'tag' names no tag", span);
      // Check every name first, so a typo in the list deletes nothing.
      for (const name of names) await table.tag(name);
      for (const name of names) await table.deleteTag(name);
      return ['Success'];
    },
  },
  {
    // Paimon: with next_snapshot_id the consumer is set to it, without it the consumer is removed.
    name: 'reset_consumer',
    params: [p('table', 'STRING', false), p('consumer_id', 'STRING', false), p('next_snapshot_id', 'BIGINT')],
    async run(ctx, args, span) {
      const table = await openArgTable(ctx, args, span);
      const id = args.get('consumer_id') as string;
      try {
        checkConsumerId(id);
      } catch (e) {
        throw argError(`argument 'consumer_id': ${(e as Error).message}`, span);
      }
      const next = args.get('next_snapshot_id') as number | undefined;
      if (next === undefined) {
        await deleteConsumer(table, id);
        return ['Success'];
      }
      const earliest = await table.earliestSnapshotId();
      const latest = await table.latestSnapshotId();
      // The next snapshot to read may be one not committed yet (latest + 1), never one that expired.
      if (earliest === undefined || latest === undefined || next < earliest || next > latest + 1) {
        const range = latest === undefined ? 'the table has no snapshots' : `its snapshots are ${earliest}..${latest}`;
        throw argError(`argument 'next_snapshot_id' = ${next} is not a snapshot of the table to read next: ${range}`, span);
      }
      await writeConsumer(table, id, next);
      return ['Success'];
    },
  },
  {
    name: 'clear_consumers',
    params: [p('table', 'STRING', false), p('including_consumers', 'STRING'), p('excluding_consumers', 'STRING')],
    async run(ctx, args, span) {
      const table = await openArgTable(ctx, args, span);
      const pattern = (name: string): RegExp | undefined => {
        const text = args.get(name) as string | undefined;
        if (text === undefined) return undefined;
        try {
          return new RegExp(text);
        } catch (e) {
          throw argError(`argument '${name}' is not a regular expression: ${(e as Error).message}`, span);
        }
      };
      await clearConsumers(table, pattern('including_consumers') ?? /.*/, pattern('excluding_consumers'));
      return ['Success'];
    },
  },
  {
    name: 'rollback_to',
    params: [p('table', 'STRING', false), p('tag', 'STRING'), p('snapshot_id', 'BIGINT')],
    async run(ctx, args, span) {
      const tag = args.get('tag') as string | undefined;
      const snapshotId = args.get('snapshot_id') as number | undefined;
      if ((tag === undefined) === (snapshotId === undefined)) {
        throw argError('rollback_to needs exactly one of tag and snapshot_id', span, "e.g. CALL sys.rollback_to(`table` => 'db.t', snapshot_id => 3)");
      }
      const table = await openArgTable(ctx, args, span);
      await table.rollbackTo(tag !== undefined ? { tag } : { snapshotId: snapshotId! });
      return ['Success'];
    },
  },
  {
    name: 'remove_orphan_files',
    params: [p('table', 'STRING', false), p('older_than', 'STRING'), p('dry_run', 'BOOLEAN'), p('parallelism', 'INT'), p('mode', 'STRING')],
    async run(ctx, args, span) {
      const mode = ((args.get('mode') as string | undefined) ?? 'DISTRIBUTED').toUpperCase();
      // Paimon's modes choose where the cleaning runs (a Flink job or the client); the result is the same.
      if (mode !== 'DISTRIBUTED' && mode !== 'LOCAL') throw argError(`unknown mode '${args.get('mode')}': only 'DISTRIBUTED' and 'LOCAL' are supported`, span);
      const olderThanText = args.get('older_than') as string | undefined;
      const olderThan = olderThanText === undefined ? undefined : timestampArg(ctx, 'older_than', olderThanText, span);
      const text = args.get('table') as string;
      const tables: PaimonTable[] = [];
      if (text.endsWith('.*') && text.indexOf('.') === text.length - 2) {
        const db = text.slice(0, -2);
        for (const name of ctx.listTables(db)) tables.push(await ctx.openTable(db, name, span));
      } else tables.push(await openArgTable(ctx, args, span));
      let count = 0, bytes = 0;
      for (const table of tables) {
        const result = await table.removeOrphanFiles({
          dryRun: args.get('dry_run') === true,
          ...(olderThan === undefined ? {} : { olderThan }),
          ...(ctx.now === undefined ? {} : { now: ctx.now }),
        });
        count += result.files.length;
        bytes += result.totalBytes;
      }
      return [String(count), String(bytes)];
    },
  },
];

const BY_NAME: ReadonlyMap<string, ProcedureDef> = new Map(PROCEDURES.map((d) => [d.name, d]));

/** Names of the procedures a Paimon catalog has, sorted. */
export function paimonProcedureNames(): string[] {
  return [...BY_NAME.keys()].sort();
}

/** A literal argument's value; NULL is undefined (an omitted optional argument). */
function literalValue(e: Expr): ArgValue | null {
  if (e.kind === 'Literal') {
    switch (e.literalType) {
      case 'string':
        return e.value;
      case 'number':
        return Number(e.value);
      case 'boolean':
        return e.value.toUpperCase() === 'TRUE';
      case 'null':
        return null;
      default:
        break;
    }
  }
  if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'Literal' && e.operand.literalType === 'number') return -Number(e.operand.value);
  throw unsupported('PROCEDURE.ARGUMENT', 'procedure arguments must be literals (a string, number, boolean or NULL)', { span: e.span });
}

function checkType(proc: string, param: ParamSpec, value: ArgValue, span: SourceSpan): ArgValue {
  const ok =
    param.type === 'STRING' ? typeof value === 'string'
    : param.type === 'BOOLEAN' ? typeof value === 'boolean'
    : typeof value === 'number' && Number.isSafeInteger(value) && (param.type === 'BIGINT' || Math.abs(value) <= 2147483647);
  if (!ok) {
    const got = typeof value === 'string' ? `the string '${value}'` : String(value);
    throw argError(`argument '${param.name}' of ${proc} must be ${param.type}, got ${got}`, span);
  }
  return value;
}

/**
 * Runs procedure `name` (the part after `sys.`) with the parsed arguments. Errors name the procedure
 * and the offending argument, with its span: unknown procedure (`PROCEDURE.UNKNOWN`), unknown, missing,
 * repeated or mistyped argument (`PROCEDURE.ARGUMENT`).
 */
export async function callPaimonProcedure(ctx: ProcedureContext, name: string, args: readonly CallArgument[], span: SourceSpan): Promise<ProcedureResult> {
  const def = BY_NAME.get(name);
  if (def === undefined) {
    const hint = closestMatch(name, [...BY_NAME.keys()]);
    throw userError('PROCEDURE.UNKNOWN', `Paimon catalog '${ctx.catalogName}' has no procedure '${PROCEDURE_DATABASE}.${name}'`, {
      span,
      help: hint === undefined ? undefined : `did you mean ${PROCEDURE_DATABASE}.${hint}?`,
      notes: [`procedures: ${paimonProcedureNames().join(', ')}`],
    });
  }
  const values = new Map<string, ArgValue>();
  const signature = `${def.name}(${def.params.map((q) => (q.optional ? `${q.name}?` : q.name)).join(', ')})`;
  args.forEach((arg, i) => {
    let param: ParamSpec | undefined;
    if (arg.name === undefined) {
      param = def.params[i];
      if (param === undefined) throw argError(`${def.name} takes at most ${def.params.length} arguments, got ${args.length}`, arg.span, `signature: ${signature}`);
    } else {
      const argName = arg.name.value;
      param = def.params.find((q) => q.name === argName);
      if (param === undefined) {
        if (def.unsupported?.includes(argName)) {
          throw unsupported('PROCEDURE.ARGUMENT', `argument '${argName}' of ${def.name} is not supported by Floe`, { span: arg.span, help: `signature: ${signature}` });
        }
        const hint = closestMatch(argName, def.params.map((q) => q.name));
        throw argError(`${def.name} has no argument '${argName}'`, arg.name.span, hint === undefined ? `signature: ${signature}` : `did you mean '${hint}'?`);
      }
    }
    const value = literalValue(arg.value);
    if (value !== null) values.set(param.name, checkType(def.name, param, value, arg.value.span));
  });
  for (const q of def.params) {
    if (!q.optional && !values.has(q.name)) throw argError(`${def.name} needs argument '${q.name}'`, span, `signature: ${signature}`);
  }
  const rows = await def.run(ctx, values, span);
  return { columns: ['result'], rows: rows.map((r) => [r]) };
}
