/**
 * Registers the operators of this folder with the runtime's registry, by spec type. Each factory checks
 * the spec version it was written for: a spec (or a checkpoint's stored plan) from another version is
 * rejected with a clear error instead of being misread.
 */
import { unsupported } from '../common/index.js';
import type { Operator, OperatorRegistry } from '../runtime/index.js';
import type { NodeSpec, OperatorSpec } from '../spec/index.js';
import { GroupAggregateOperator } from './aggregate/group-aggregate.js';
import { WindowAggregateOperator } from './aggregate/window-aggregate.js';
import { SessionWindowAggregateOperator } from './aggregate/session-window-aggregate.js';
import { OverAggregateOperator } from './over/over-aggregate.js';
import { CalcOperator } from './calc/calc-operator.js';
import { IntervalJoinOperator } from './join/interval-join-operator.js';
import { JoinOperator } from './join/join-operator.js';
import { TemporalJoinOperator } from './join/temporal-join-operator.js';
import { WindowJoinOperator } from './join/window-join-operator.js';
import { DeduplicateOperator } from './rank/deduplicate-operator.js';
import { RankOperator } from './rank/rank-operator.js';
import { WindowRankOperator } from './rank/window-rank-operator.js';
import { UnionOperator } from './union/union-operator.js';
import { WindowTableFunctionOperator } from './window/window-table-function.js';
import { MatchRecognizeOperator } from './cep/match-recognize-operator.js';

type SpecOf<T extends OperatorSpec['type']> = Extract<OperatorSpec, { type: T }>;

/** Spec versions each operator understands. */
export const OPERATOR_SPEC_VERSIONS = {
  calc: 1,
  union: 1,
  'group-aggregate': 1,
  'window-aggregate': 1,
  'session-window-aggregate': 1,
  'over-aggregate': 1,
  'window-rank': 1,
  'window-table-function': 1,
  join: 1,
  'interval-join': 1,
  'temporal-join': 1,
  'window-join': 1,
  rank: 1,
  deduplicate: 1,
  'match-recognize': 1,
} as const;

type OperatorType = keyof typeof OPERATOR_SPEC_VERSIONS;

function checked<T extends OperatorType>(type: T, build: (spec: SpecOf<T>) => Operator): (spec: OperatorSpec, node: NodeSpec) => Operator {
  return (spec, node) => {
    if (spec.type !== type) throw unsupported('OPERATOR.SPEC_TYPE_MISMATCH', `operator '${type}' was given a '${spec.type}' spec (node ${node.id} ${node.name})`);
    const expected = OPERATOR_SPEC_VERSIONS[type];
    if (spec.version !== expected) {
      throw unsupported(
        'OPERATOR.UNSUPPORTED_SPEC_VERSION',
        `operator '${type}' spec version ${String(spec.version)} is not supported by this Floe (node ${node.id} ${node.name}); it reads version ${expected}`,
        { help: 'run the job with the Floe version that planned it, or re-plan it from SQL' },
      );
    }
    return build(spec as SpecOf<T>);
  };
}

export function registerOperators(registry: OperatorRegistry): void {
  registry.register('calc', checked('calc', (s) => new CalcOperator(s)));
  registry.register('union', checked('union', (s) => new UnionOperator(s)));
  registry.register('group-aggregate', checked('group-aggregate', (s) => new GroupAggregateOperator(s)));
  registry.register('window-aggregate', checked('window-aggregate', (s) => new WindowAggregateOperator(s)));
  registry.register('session-window-aggregate', checked('session-window-aggregate', (s) => new SessionWindowAggregateOperator(s)));
  registry.register('over-aggregate', checked('over-aggregate', (s) => new OverAggregateOperator(s)));
  registry.register('window-rank', checked('window-rank', (s) => new WindowRankOperator(s)));
  registry.register('window-table-function', checked('window-table-function', (s) => new WindowTableFunctionOperator(s)));
  registry.register('join', checked('join', (s) => new JoinOperator(s)));
  registry.register('interval-join', checked('interval-join', (s) => new IntervalJoinOperator(s)));
  registry.register('temporal-join', checked('temporal-join', (s) => new TemporalJoinOperator(s)));
  registry.register('window-join', checked('window-join', (s) => new WindowJoinOperator(s)));
  registry.register('rank', checked('rank', (s) => new RankOperator(s)));
  registry.register('deduplicate', checked('deduplicate', (s) => new DeduplicateOperator(s)));
  registry.register('match-recognize', checked('match-recognize', (s) => new MatchRecognizeOperator(s)));
}
