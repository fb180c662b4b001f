/** Small string utilities shared by error messages: one "did you mean …?" for every layer. */

/**
 * Edit distance (Levenshtein, with an adjacent transposition counting as one edit, so `pirce` is one edit
 * from `price`), case-sensitive. Stops early and returns `limit + 1` once the distance must exceed `limit`.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2]! + 1);
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > limit) return limit + 1;
    prevPrev = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The candidate a misspelt `name` most plausibly meant, or undefined. A candidate that differs only in case
 * wins outright (identifiers are case-sensitive, so `Price` for `price` is the commonest slip); otherwise
 * the closest candidate within one edit per three characters (at least 1, at most 3), compared
 * case-insensitively.
 */
export function closestMatch(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let budget = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const other = candidate.toLowerCase();
    if (other === lower) return candidate;
    const d = editDistance(lower, other, budget);
    if (d <= budget && (best === undefined || d < budget)) {
      best = candidate;
      budget = d;
    }
  }
  return best;
}

/** `; did you mean 'x'?` or the empty string, for appending to an error message. */
export function didYouMeanSuffix(name: string, candidates: Iterable<string>): string {
  const s = closestMatch(name, candidates);
  return s === undefined ? '' : `; did you mean '${s}'?`;
}
