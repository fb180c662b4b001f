/**
 * Window Top-N recognition (Flink's StreamPhysicalWindowRank / WindowDeduplicate rules): a bounded
 * `Rank` whose input is an event-time window TVF or window aggregate (directly or through Calcs that keep
 * the window columns) and whose PARTITION BY includes window_start and window_end ranks within one
 * window, so it can wait for the window to end and emit final insert-only rows, instead of a regular
 * retracting Top-N that keeps every window's state forever.
 *
 * Window deduplication: such a Rank keeping only row number 1, not selected, ordered by the window's time
 * attribute (the TVF's time column or window_time): keep the first row (ASC) or the last (DESC).
 */
import type { LogicalNode, RankNode } from './logical-plan.js';
import { rankName } from './node-names.js';

/** Where a window source's columns are in a node's row. */
export interface WindowColumns {
  readonly ws: number;
  readonly we: number;
  /** Columns holding the window's time attribute (deduplication order keys). */
  readonly timeCols: readonly number[];
  /** Event-time window (window ranking fires on watermarks; processing-time windows stay regular Top-N). */
  readonly rowtime: boolean;
}

export function windowColumnsOf(node: LogicalNode): WindowColumns | null {
  switch (node.kind) {
    case 'WindowAggregate': {
      const n = node.rowType.fields.length;
      const wt = node.rowType.fields[n - 1]!.type as { timeAttribute?: string };
      return { ws: n - 3, we: n - 2, timeCols: [n - 1], rowtime: wt.timeAttribute === 'rowtime' };
    }
    case 'WindowTvf': {
      if (node.window.kind === 'SESSION') return null;
      const n = node.input.rowType.fields.length;
      const wt = node.rowType.fields[n + 2]!.type as { timeAttribute?: string };
      return { ws: n, we: n + 1, timeCols: [node.timeIndex, n + 2], rowtime: wt.timeAttribute === 'rowtime' };
    }
    case 'Calc': {
      const inner = windowColumnsOf(node.input);
      if (inner === null) return null;
      const pos = (col: number): number => node.projection.findIndex((p) => p.kind === 'input' && p.index === col);
      const ws = pos(inner.ws);
      const we = pos(inner.we);
      if (ws < 0 || we < 0) return null;
      return { ws, we, timeCols: inner.timeCols.map(pos).filter((i) => i >= 0), rowtime: inner.rowtime };
    }
    default:
      return null;
  }
}

export interface WindowRankPlan {
  readonly windowEnd: number;
  /** Window deduplication (`rn = 1` by the window's time, number not selected). */
  readonly dedup: boolean;
}

/** The window ranking a bounded Rank can run as, or null when it is a regular Top-N. */
export function windowRankOf(node: RankNode): WindowRankPlan | null {
  const win = windowColumnsOf(node.input);
  if (win === null || !win.rowtime) return null;
  if (!node.partitionKeys.includes(win.ws) || !node.partitionKeys.includes(win.we)) return null;
  const dedup =
    node.rankStart === 1 && node.rankEnd === 1 && !node.outputRankNumber && node.orderBy.length === 1 && win.timeCols.includes(node.orderBy[0]!.index);
  return { windowEnd: win.we, dedup };
}

/** `WindowRank(rankType=[ROW_NUMBER], rankRange=[…], partitionBy=[window_start, window_end, …], orderBy=[…], select=[…])`. */
export function windowRankName(node: RankNode): string {
  return 'Window' + rankName(node, null);
}

/** `WindowDeduplicate(keep=[FirstRow], partitionBy=[window_start, window_end, …], orderKey=[bidtime], order=[ROWTIME])`. */
export function windowDeduplicateName(node: RankNode): string {
  const inNames = node.input.rowType.fields.map((f) => f.name);
  const order = node.orderBy[0]!;
  return `WindowDeduplicate(keep=[${order.descending ? 'LastRow' : 'FirstRow'}], partitionBy=[${node.partitionKeys.map((k) => inNames[k]).join(', ')}], orderKey=[${inNames[order.index]}], order=[ROWTIME])`;
}
