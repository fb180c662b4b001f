/**
 * Seeded event data for the join differential tests: the same CSV text on every run.
 */

/** Mulberry32: a small seeded generator of numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Epoch ms as Flink's TIMESTAMP(3) text (`2024-01-01 00:00:01.250`), UTC. */
export function timestampText(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

export const BASE_TIME = Date.UTC(2024, 0, 1);

/**
 * `rows` CSV lines `id,k,t`: ids `idBase`, `idBase + 1`, …; keys 0..`keys - 1` (empty = NULL about 3% of
 * the time); times every `step` ms from BASE_TIME with a uniform jitter of ±`jitter` ms (so the file is
 * out of order by up to 2·jitter).
 */
export function keyedEvents(seed: number, idBase: number, rows: number, keys: number, step: number, jitter: number): string {
  const rnd = prng(seed);
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const k = rnd() < 0.03 ? '' : String(Math.floor(rnd() * keys));
    const t = BASE_TIME + i * step + Math.floor(rnd() * 2 * jitter) - jitter;
    lines.push(`${idBase + i},${k},${timestampText(t)}`);
  }
  return lines.join('\n') + '\n';
}
