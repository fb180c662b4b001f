/**
 * Flink's legacy (pre-1.11) connector option style — `'connector.type' = 'filesystem'`,
 * `'connector.path' = …`, `'format.type' = 'csv'` — still appears in real SQL (Nexmark q13). The planner
 * maps it to the current keys with this function before validation, and shows the warnings.
 */

export interface NormalizedOptions {
  readonly options: Record<string, string>;
  readonly warnings: string[];
}

/** Legacy keys dropped because the current options have no equivalent (the schema comes from the DDL). */
const DROPPED = new Set(['connector.property-version', 'format.property-version', 'format.derive-schema', 'update-mode', 'format.line-delimiter']);

/** `format.<k>` keys that become `<format>.<k>` (csv or json). */
const FORMAT_KEYS = new Set([
  'field-delimiter',
  'quote-character',
  'allow-comments',
  'ignore-parse-errors',
  'array-element-delimiter',
  'escape-character',
  'null-literal',
  'fail-on-missing-field',
  'disable-quote-character',
]);

export function normalizeLegacyOptions(options: Readonly<Record<string, string>>): NormalizedOptions {
  const keys = Object.keys(options);
  if (!keys.some((k) => k.startsWith('connector.') || k.startsWith('format.') || k === 'update-mode')) {
    return { options: { ...options }, warnings: [] };
  }
  const out: Record<string, string> = {};
  const warnings: string[] = [];
  // Current-style keys win over legacy ones; copy them first.
  for (const k of keys) if (!k.startsWith('connector.') && !k.startsWith('format.') && k !== 'update-mode') out[k] = options[k]!;
  const put = (legacy: string, key: string): void => {
    if (out[key] !== undefined && out[key] !== options[legacy]) {
      warnings.push(`option '${legacy}' is ignored because '${key}' is also set`);
      return;
    }
    out[key] = options[legacy]!;
    warnings.push(`option '${legacy}' is deprecated; use '${key}'`);
  };
  const format = options['format'] ?? options['format.type'];
  for (const k of keys) {
    if (DROPPED.has(k) || k.startsWith('format.fields.')) {
      warnings.push(`option '${k}' is deprecated and ignored${k.startsWith('format.fields.') || k === 'format.derive-schema' ? ' (the format uses the table schema)' : ''}`);
      continue;
    }
    if (k === 'connector.type') put(k, 'connector');
    else if (k === 'format.type') put(k, 'format');
    else if (k.startsWith('connector.')) put(k, k.slice('connector.'.length));
    else if (k.startsWith('format.')) {
      const rest = k.slice('format.'.length);
      if (FORMAT_KEYS.has(rest) && format !== undefined) put(k, `${format}.${rest}`);
      else put(k, rest);
    }
  }
  return { options: out, warnings };
}
