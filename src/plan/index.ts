export { executeDdl } from './ddl.js';
export type { DdlResult } from './ddl.js';
export { planQuery, planInserts, explain } from './planner.js';
export type { PlannedQuery } from './planner.js';
export type { PlannerContext, RuntimeMode } from './planner-context.js';
export { runtimeMode, defaultParallelism } from './planner-context.js';
export { CatalogManager } from '../catalog/index.js';
export { chainsOf } from './explain.js';
export { logicalTypeFromAst } from './type-from-ast.js';
