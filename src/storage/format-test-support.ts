/**
 * Test support for the format tests (not used by production code): a row type covering the common column
 * types, fast-check arbitraries for rows of it (with NULLs, delimiters, quotes, newlines and unicode in
 * strings), and a decode helper that feeds text in arbitrary chunks.
 */
import fc from 'fast-check';
import { BatchBuilder, Types, getRow, type RecordBatch, type RowType } from '../types/index.js';
import type { RecordDecoder } from './file-format.js';

export const ROUND_TRIP_TYPE: RowType = {
  fields: [
    { name: 'i', type: Types.int() },
    { name: 'l', type: Types.bigint() },
    { name: 'd', type: Types.double() },
    { name: 's', type: Types.string() },
    { name: 'b', type: Types.boolean() },
    { name: 'm', type: Types.decimal(10, 2) },
    { name: 'ts', type: Types.timestamp(3) },
    { name: 'dt', type: Types.date() },
    { name: 'arr', type: Types.array(Types.int()) },
  ],
};

const tricky = fc.constantFrom(',', '"', '""', '\n', '\r\n', '', ' ', '#', ';', '|', '\t', 'NULL', '\\', 'ünï', '日本', '🙂', "'");

/** Strings mixing special characters with arbitrary (well-formed) unicode. */
export const textArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.array(fc.oneof(tricky, fc.string({ unit: 'grapheme-ascii', maxLength: 4 })), { maxLength: 5 }).map((parts) => parts.join('')),
);

const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 5 });

export const rowArb: fc.Arbitrary<unknown[]> = fc.tuple(
  nullable(fc.integer()),
  nullable(fc.maxSafeInteger()),
  nullable(fc.double()),
  nullable(textArb),
  nullable(fc.boolean()),
  nullable(fc.bigInt({ min: -(10n ** 10n) + 1n, max: 10n ** 10n - 1n })),
  nullable(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) })),
  nullable(fc.integer({ min: -300_000, max: 2_900_000 })),
  // [NULL] is written like [] in CSV without a null literal (an element cannot be quoted), so one-element
  // arrays here hold a value; longer arrays may hold NULLs.
  nullable(fc.array(nullable(fc.integer()), { maxLength: 4 }).filter((a) => a.length !== 1 || a[0] !== null)),
);

export function toBatch(rowType: RowType, rows: readonly (readonly unknown[])[]): RecordBatch {
  const b = new BatchBuilder(rowType, Math.max(1, rows.length));
  for (const r of rows) b.appendRow(r);
  return b.finish();
}

export function rowsOf(batch: RecordBatch, rowType: RowType): unknown[][] {
  return Array.from({ length: batch.numRows }, (_, r) => getRow(batch, r, rowType));
}

/** Decodes `text` fed in chunks cut at `cuts` (fractions of the length), with small output batches. */
export function decodeInChunks(decoder: RecordDecoder, rowType: RowType, text: string, cuts: readonly number[]): unknown[][] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * text.length)))].sort((a, b) => a - b);
  const out: unknown[][] = [];
  const drain = (): void => {
    for (;;) {
      const b = new BatchBuilder(rowType);
      const n = decoder.decodeInto(b, 3);
      out.push(...rowsOf(b.finish(), rowType));
      if (n === 0) return;
    }
  };
  let prev = 0;
  for (const p of [...points, text.length]) {
    decoder.feed(text.slice(prev, p));
    prev = p;
    drain();
  }
  decoder.end();
  drain();
  return out;
}
