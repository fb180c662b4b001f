export { registerOperators, OPERATOR_SPEC_VERSIONS } from './register-operators.js';
export { CalcOperator } from './calc/calc-operator.js';
export { UnionOperator } from './union/union-operator.js';
export { GroupAggregateOperator } from './aggregate/group-aggregate.js';
export { WindowAggregateOperator } from './aggregate/window-aggregate.js';
export { AggregateSet } from './aggregate/aggregate-set.js';
export type { AggState } from './aggregate/aggregate-set.js';
export { createAggregateFunction, SUPPORTED_AGGREGATES } from './aggregate/create-aggregate-function.js';
export type { AggregateFunction, AggregateSignature } from './aggregate/aggregate-function.js';
export { WindowTableFunctionOperator } from './window/window-table-function.js';
export { WindowAssigner, windowStart } from './window/window-assigner.js';
export { JoinOperator } from './join/join-operator.js';
export type { JoinRecord } from './join/join-operator.js';
export { RankOperator } from './rank/rank-operator.js';
export { DeduplicateOperator } from './rank/deduplicate-operator.js';
// Test support: changelog literals and a one-operator harness, for operator and connector tests.
export { changelogBatch, changelogLines, parseCell, formatCell } from './test-support/changelog.js';
export { OperatorHarness } from './test-support/harness.js';
export type { HarnessOptions } from './test-support/harness.js';
