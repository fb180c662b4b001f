export { JOB_SPEC_VERSION } from './job-spec.js';
export type { LookupJoinSpec, IntervalJoinSpec, TemporalJoinSpec, WindowJoinSpec } from './time-join-specs.js';
export type { LakeBucketAssignSpec, LakeWriterSpec, LakeCommitterSpec } from './lake-sink-specs.js';
export type { MatchRecognizeSpec, MatchPatternElement, MatchAfterSkip, MatchExpr, MatchNavigation } from './match-recognize-spec.js';
export type {
  JobSpec,
  ChangelogMode,
  NodeSpec,
  EdgeSpec,
  Partitioning,
  OperatorSpec,
  OperatorType,
  SourceSpec,
  SinkSpec,
  CalcSpec,
  UnionSpec,
  AggregateCall,
  GroupAggregateSpec,
  WindowSpec,
  WindowAggregateSpec,
  SessionWindowAggregateSpec,
  OverAggregateSpec,
  OverFrame,
  WindowRankSpec,
  WindowTableFunctionSpec,
  JoinSpec,
  SortField,
  RankSpec,
  DeduplicateSpec,
} from './job-spec.js';
