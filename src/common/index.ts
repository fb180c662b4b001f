export {
  FloeError,
  FloeErrors,
  userError,
  unsupported,
  runtimeError,
  ioError,
  internalError,
  assertNever,
} from './errors.js';
export type { ErrorKind, SourcePos, SourceSpan, FloeErrorOptions } from './errors.js';
export { editDistance, closestMatch, didYouMeanSuffix } from './strings.js';
export {
  listConfigOptions,
  findConfigOption,
  validateConfig,
  describeConfigOption,
  parseDurationMs,
  parseMemoryBytes,
  readOption,
} from './config.js';
export type { ConfigOption, OptionType } from './config.js';
export { sharedDataDir, nexmarkDir } from './shared-data.js';
