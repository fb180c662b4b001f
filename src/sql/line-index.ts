/**
 * Maps character offsets of a SQL text to 1-based line/column positions.
 *
 * Built once per text (O(n)); each lookup is a binary search, so the lexer, hint sub-lexer and variable
 * substitution can ask for positions in any order without rescanning the text.
 */
import type { SourcePos, SourceSpan } from '../common/index.js';

export class LineIndex {
  /** Offset of the first character of each line; `lineStarts[0]` is 0. */
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10 /* \n */) this.lineStarts.push(i + 1);
    }
  }

  pos(offset: number): SourcePos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - (this.lineStarts[lo] as number) + 1, offset };
  }

  span(start: number, end: number): SourceSpan {
    return { start: this.pos(start), end: this.pos(end) };
  }
}

/** `3:12`, the form error messages use to point back at an earlier token (e.g. an opening parenthesis). */
export function formatPos(pos: SourcePos): string {
  return `${pos.line}:${pos.col}`;
}

/** `3:12-3:20` (or `3:12` for an empty span). */
export function formatSpan(span: SourceSpan): string {
  if (span.start.offset === span.end.offset) return formatPos(span.start);
  return `${formatPos(span.start)}-${formatPos(span.end)}`;
}
