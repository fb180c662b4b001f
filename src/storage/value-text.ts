/**
 * The one place storage (and, through storage's index, connectors) gets value <-> text conversion from:
 * Flink's CAST-to/from-STRING text, defined in `src/types/value-text.ts`.
 */
export { parseValueText, formatValueText } from '../types/index.js';
