/**
 * Helpers for the planner's tests (not used by production code): a session over a fresh catalog that runs
 * DDL and plans statements from SQL text, and the nexmark scripts with the harness's variables.
 */
import { readFileSync } from 'node:fs';
import { CatalogManager } from '../catalog/index.js';
import { nexmarkDir } from '../common/index.js';
import { parseScript, substituteVariables } from '../sql/index.js';
import type { ExplainStatement, InsertStatement, QueryStatement, Statement } from '../sql/index.js';
import type { JobSpec } from '../spec/index.js';
import { executeDdl, type DdlResult } from './ddl.js';
import { explain, planInserts, planQuery, type PlannedQuery } from './planner.js';
import type { PlannerContext } from './planner-context.js';

export const NEXMARK_DIR = nexmarkDir() + '/';

export const NEXMARK_VARS: Readonly<Record<string, string>> = {
  TPS: '10000',
  EVENTS_NUM: '1000',
  PERSON_PROPORTION: '1',
  AUCTION_PROPORTION: '3',
  BID_PROPORTION: '46',
  NEXMARK_TABLE: 'datagen',
  // q13's side input file, as the harness substitutes it.
  FLINK_HOME: nexmarkDir(),
  // q10's filesystem sink path; fixed so that its EXPLAIN golden is stable.
  NEXMARK_DIR: '/tmp/nexmark',
  SUBMIT_TIME: 'golden',
};

/** Every Nexmark query Floe plans (q6 is rejected, as in Flink: see physical-planner.ts). */
export const ACCEPTANCE_QUERIES = [
  'q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8', 'q9', 'q10', 'q11', 'q12',
  'q13', 'q14', 'q15', 'q16', 'q17', 'q18', 'q19', 'q20', 'q21', 'q22', 'q23',
] as const;

export class TestSession {
  readonly ctx: PlannerContext;
  readonly warnings: string[] = [];

  constructor(config: Record<string, string> = {}, catalogs = new CatalogManager()) {
    this.ctx = { catalogs, config, baseDir: process.cwd(), warn: (m) => this.warnings.push(m) };
  }

  withConfig(config: Record<string, string>): TestSession {
    const s = new TestSession({ ...this.ctx.config, ...config }, this.ctx.catalogs);
    return s;
  }

  /** Runs every DDL statement of a script; returns the non-DDL statements in order. */
  async run(sql: string): Promise<{ rest: Statement[]; results: DdlResult[] }> {
    const rest: Statement[] = [];
    const results: DdlResult[] = [];
    for (const stmt of parseScript(sql)) {
      if (stmt.kind === 'Insert' || stmt.kind === 'QueryStatement' || stmt.kind === 'Explain' || stmt.kind === 'StatementSet') rest.push(stmt);
      else results.push(await executeDdl(stmt, this.ctx));
    }
    return { rest, results };
  }

  async ddl(sql: string): Promise<DdlResult> {
    const { results } = await this.run(sql);
    return results[results.length - 1]!;
  }

  async query(sql: string): Promise<PlannedQuery> {
    const { rest } = await this.run(sql);
    const q = rest[rest.length - 1];
    if (q?.kind !== 'QueryStatement') throw new Error(`expected a query in: ${sql}`);
    return planQuery(q as QueryStatement, this.ctx);
  }

  async insert(sql: string): Promise<JobSpec> {
    const { rest } = await this.run(sql);
    const inserts = rest.flatMap((s) => (s.kind === 'Insert' ? [s] : s.kind === 'StatementSet' ? s.inserts : [])) as InsertStatement[];
    return planInserts(inserts, this.ctx);
  }

  async explain(sql: string): Promise<string> {
    const { rest } = await this.run(sql);
    const s = rest[rest.length - 1]!;
    const stmt: ExplainStatement =
      s.kind === 'Explain' ? s : { kind: 'Explain', details: [], statement: s as ExplainStatement['statement'], span: s.span };
    return explain(stmt, this.ctx);
  }
}

/** ddl_gen.sql + ddl_views.sql + qN.sql with the harness's variables substituted. */
export function nexmarkScript(query: string, vars: Readonly<Record<string, string>> = NEXMARK_VARS): string {
  const read = (p: string) => readFileSync(NEXMARK_DIR + p, 'utf8');
  const text = [read('ddl/ddl_gen.sql'), read('ddl/ddl_views.sql'), read(`queries/${query}.sql`)].join(';\n');
  return substituteVariables(text, vars);
}

/** The CEP variant: ddl/cep/ddl_gen.sql + ddl/cep/ddl_views.sql + queries/cep/qN.sql. */
export function nexmarkCepScript(query: string, vars: Readonly<Record<string, string>> = NEXMARK_VARS): string {
  const read = (p: string) => readFileSync(NEXMARK_DIR + p, 'utf8');
  const text = [read('ddl/cep/ddl_gen.sql'), read('ddl/cep/ddl_views.sql'), read(`queries/cep/${query}.sql`)].join(';\n');
  return substituteVariables(text, vars);
}

export const CEP_QUERIES = ['q0', 'q1', 'q2', 'q3'] as const;

/** A session with the nexmark source table and views created. */
export async function nexmarkSession(config: Record<string, string> = {}): Promise<TestSession> {
  const s = new TestSession(config);
  const read = (p: string) => readFileSync(NEXMARK_DIR + p, 'utf8');
  await s.run(substituteVariables(read('ddl/ddl_gen.sql') + ';\n' + read('ddl/ddl_views.sql'), NEXMARK_VARS));
  return s;
}
