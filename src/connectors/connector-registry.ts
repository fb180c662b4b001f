/**
 * The built-in connectors by `'connector'` name, and plan-time validation of a table's WITH options against
 * the connector's declared options (unknown keys with did-you-mean, missing required keys, bad values).
 */
import { closestMatch, userError, type FloeError } from '../common/index.js';
import type { RowType } from '../types/index.js';
import { blackholeSink } from './blackhole-sink.js';
import { collectSink, COLLECT_CONNECTOR } from './collect-sink.js';
import type { ConnectorOption, SinkConnector, SourceConnector } from './connector.js';
import { datagenSource } from './datagen/datagen-source.js';
import { filesystemSink } from './filesystem/filesystem-sink.js';
import { filesystemSource } from './filesystem/filesystem-source.js';
import { memorySource } from './memory-source.js';
import { nexmarkSource } from './nexmark/nexmark-source.js';
import { paimonSink } from './paimon/paimon-sink.js';
import { paimonSource } from './paimon/paimon-source.js';
import { checkOptionValue, optionError } from './option-values.js';
import { printSink } from './print-sink.js';
import { valuesSource } from './values-source.js';

const SOURCES = new Map<string, SourceConnector>([datagenSource, filesystemSource, memorySource, nexmarkSource, paimonSource, valuesSource].map((c) => [c.name, c]));
const SINKS = new Map<string, SinkConnector>([blackholeSink, filesystemSink, paimonSink, printSink, collectSink].map((c) => [c.name, c]));

/** Names starting with `__` are engine-internal (the collect sink, the values source) and not usable in DDL. */
const isInternal = (name: string): boolean => name.startsWith('__');

export interface ConnectorInfo {
  readonly name: string;
  readonly source: boolean;
  readonly sink: boolean;
}

/** User-visible connectors, sorted by name. */
export function listConnectors(): ConnectorInfo[] {
  const names = new Set([...SOURCES.keys(), ...SINKS.keys()].filter((n) => !isInternal(n)));
  return [...names].sort().map((name) => ({ name, source: SOURCES.has(name), sink: SINKS.has(name) }));
}

function unknownConnector(kind: 'source' | 'sink', name: string, tableName?: string): FloeError {
  const usable = listConnectors().filter((c) => (kind === 'source' ? c.source : c.sink)).map((c) => c.name);
  const other = kind === 'source' ? SINKS.has(name) : SOURCES.has(name);
  const where = tableName === undefined ? '' : `table '${tableName}': `;
  const what = other && !isInternal(name) ? `connector '${name}' cannot be used as a ${kind}` : `unknown connector '${name}'`;
  const hint = closestMatch(name, usable);
  return userError('PLAN.UNKNOWN_CONNECTOR', `${where}${what}; available ${kind} connectors: ${usable.join(', ')}`, {
    help: hint === undefined ? undefined : `did you mean '${hint}'?`,
  });
}

/** The source connector called `name` (FloeError PLAN.UNKNOWN_CONNECTOR if there is none). */
export function getSourceConnector(name: string): SourceConnector {
  const c = SOURCES.get(name);
  if (c === undefined) throw unknownConnector('source', name);
  return c;
}

/** The sink connector called `name`, including the internal `__collect` (FloeError if there is none). */
export function getSinkConnector(name: string): SinkConnector {
  const c = SINKS.get(name);
  if (c === undefined) throw unknownConnector('sink', name);
  return c;
}

function declaredFor(declared: readonly ConnectorOption[], key: string): ConnectorOption | undefined {
  return declared.find((o) => (o.prefix === true ? key.startsWith(o.key) : o.key === key));
}

/**
 * Validates a table's options for use as a source or sink: the connector exists (and is not internal),
 * every key is declared (FloeError PLAN.CONNECTOR_OPTION with did-you-mean otherwise), required keys are
 * present, values have the declared type; with `physicalType`, also the connector's own schema-aware checks.
 */
export function validateConnectorOptions(
  kind: 'source' | 'sink',
  tableName: string,
  options: Readonly<Record<string, string>>,
  physicalType?: RowType,
  partitionKeys?: readonly number[],
): void {
  const name = options['connector'];
  if (name === undefined) {
    throw optionError(tableName, "the 'connector' option is missing", `available connectors: ${listConnectors().map((c) => c.name).join(', ')}`);
  }
  if (isInternal(name)) throw unknownConnector(kind, name, tableName);
  const connector = kind === 'source' ? SOURCES.get(name) : SINKS.get(name);
  if (connector === undefined) throw unknownConnector(kind, name, tableName);
  const declared = connector.options;
  for (const key of Object.keys(options)) {
    if (key === 'connector') continue;
    const opt = declaredFor(declared, key);
    if (opt === undefined) {
      const hint = closestMatch(key, declared.filter((o) => o.prefix !== true).map((o) => o.key));
      throw userError('PLAN.CONNECTOR_OPTION', `table '${tableName}': unknown option '${key}' for connector '${name}'`, {
        help: hint === undefined ? undefined : `did you mean '${hint}'?`,
        notes: [`supported options: ${declared.map((o) => (o.prefix === true ? `${o.key}*` : o.key)).join(', ')}`],
      });
    }
    if (opt.prefix === true) continue;
    const problem = checkOptionValue(opt, options[key]!);
    if (problem !== null) throw optionError(tableName, `option '${key}' ${problem}, got '${options[key]}'`, opt.description);
  }
  for (const opt of declared) {
    if (opt.required === true && options[opt.key] === undefined) {
      throw optionError(tableName, `required option '${opt.key}' is missing for connector '${name}'`, opt.description);
    }
  }
  if (physicalType !== undefined && connector.validate !== undefined) {
    connector.validate({
      tableName,
      options,
      physicalType,
      partitionKeys,
      config: () => undefined,
    });
  }
}

export { COLLECT_CONNECTOR };
