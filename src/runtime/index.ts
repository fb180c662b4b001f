export { OperatorRegistry, isSourceOperator, isTimerOperator } from './operator.js';
export type {
  Operator,
  CheckpointedOperator,
  SourceOperator,
  TimerOperator,
  TimeDomain,
  OperatorContext,
  SourceContext,
  TimerService,
  OperatorMetrics,
  OperatorFactory,
} from './operator.js';
export { executeJob, CANCEL_GRACE_MS } from './execute-job.js';
export type { ExecuteJobOptions, JobHandle, JobResult, NodeResult, StopWithSavepointOptions } from './execute-job.js';
export type { JobMetrics, NodeMetrics } from './metrics.js';
export type { BootstrapModule } from './bootstrap.js';
export { buildJobGraph } from './job-graph.js';
export type { JobGraph, Chain, ChainEdge } from './job-graph.js';
export { readRuntimeConfig } from './runtime-config.js';
export { readCheckpointSettings } from './checkpoint-config.js';
export type { CheckpointSettings } from './checkpoint-config.js';
export type { CheckpointStats } from './checkpoint-storage.js';
export type { RuntimeConfig } from './runtime-config.js';
