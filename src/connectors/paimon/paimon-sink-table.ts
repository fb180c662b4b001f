/** Opens the Paimon table a sink writes, from the sink's connector options (`path` + dynamic options). */
import type { PaimonTable } from '../../lake/index.js';
import { OptionReader } from '../option-values.js';
import { openTableAt } from './paimon-location.js';
import { PAIMON_OPTIONS, PATH_OPTION } from './paimon-options.js';

export function openSinkTable(tableName: string, options: Readonly<Record<string, string>>, config: (key: string) => string | undefined): Promise<PaimonTable> {
  const path = new OptionReader(tableName, options, PAIMON_OPTIONS).requiredString(PATH_OPTION);
  const dynamic: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) if (k !== 'connector' && k !== PATH_OPTION) dynamic[k] = v;
  return openTableAt(path, config, { dynamicOptions: dynamic });
}
