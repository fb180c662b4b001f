/**
 * EXPLAIN text, in the shape of Flink's output:
 *
 *   == Abstract Syntax Tree ==        the bound logical plan before rules
 *   == Optimized Physical Plan ==     the physical operator tree, sink first, each node with its
 *                                     changelog mode and every non-forward edge as an Exchange
 *   == Optimized Execution Plan ==    the job graph: nodes with parallelism and inputs, then chains
 *
 * Trees print root first with Calcite's `+- ` indentation; a node shared by several consumers is printed
 * under each of them (marked `(reused)` after the first time).
 */
import type { JobSpec, Partitioning } from '../spec/index.js';
import { formatKinds, KIND_I, type RowKinds } from './changelog-mode.js';
import { inputsOf, type LogicalNode } from './logical-plan.js';
import { logicalNodeName } from './node-names.js';

function withDetail(name: string, detail: string): string {
  return name.endsWith(')') ? `${name.slice(0, -1)}, ${detail})` : `${name}(${detail})`;
}

/** Flink's `changelogMode=[…]` for a node (`kinds[id]` from the physical planner); sinks print NONE. */
function kindsText(job: JobSpec, kinds: readonly RowKinds[], id: number): string {
  return job.nodes[id]!.operator.type === 'sink' ? '[NONE]' : formatKinds(kinds[id] ?? KIND_I);
}

function distribution(p: Partitioning, keyNames: readonly string[]): string | null {
  switch (p.kind) {
    case 'forward':
      return null;
    case 'hash':
      return `hash[${p.keys.map((k) => keyNames[k] ?? `$${k}`).join(', ')}]`;
    case 'global':
      return 'single';
    case 'rebalance':
      return 'rebalance';
    case 'broadcast':
      return 'broadcast';
  }
}

export function formatPhysicalPlan(job: JobSpec, roots: readonly number[], kinds: readonly RowKinds[]): string {
  const lines: string[] = [];
  const printed = new Set<number>();
  const walk = (id: number, prefix: string, childPrefix: string): void => {
    const node = job.nodes[id]!;
    const reused = printed.has(id) && node.inputs.length > 0;
    lines.push(`${prefix}${withDetail(node.name, `changelogMode=${kindsText(job, kinds, id)}`)}${reused ? ' (reused)' : ''}`);
    if (reused) return;
    printed.add(id);
    node.inputs.forEach((edge, i) => {
      const last = i === node.inputs.length - 1;
      let p = childPrefix + '+- ';
      let cp = childPrefix + (last ? '   ' : ':  ');
      const from = job.nodes[edge.from]!;
      const dist = distribution(edge.partitioning, from.outputType.fields.map((f) => f.name));
      if (dist !== null) {
        lines.push(`${p}Exchange(distribution=[${dist}], changelogMode=${kindsText(job, kinds, edge.from)})`);
        p = cp + '+- ';
        cp = cp + '   ';
      }
      walk(edge.from, p, cp);
    });
  };
  for (const r of roots) walk(r, '', '');
  return lines.join('\n');
}

export function formatLogicalPlan(roots: readonly { node: LogicalNode; sinkName: string }[]): string {
  const lines: string[] = [];
  const walk = (n: LogicalNode, prefix: string, childPrefix: string): void => {
    lines.push(prefix + logicalNodeName(n));
    const ins = inputsOf(n);
    ins.forEach((c, i) => walk(c, childPrefix + '+- ', childPrefix + (i === ins.length - 1 ? '   ' : ':  ')));
  };
  for (const r of roots) {
    lines.push(r.sinkName);
    walk(r.node, '+- ', '   ');
  }
  return lines.join('\n');
}

/** Nodes chain with their single input over a forward edge at equal parallelism (what the runtime does). */
export function chainsOf(job: JobSpec): number[][] {
  const consumers = new Map<number, number>();
  for (const n of job.nodes) for (const e of n.inputs) consumers.set(e.from, (consumers.get(e.from) ?? 0) + 1);
  const chainOf = new Map<number, number[]>();
  const chains: number[][] = [];
  for (const n of job.nodes) {
    const e = n.inputs.length === 1 ? n.inputs[0]! : undefined;
    const up = e ? job.nodes[e.from]! : undefined;
    if (e && up && e.partitioning.kind === 'forward' && up.parallelism === n.parallelism && consumers.get(e.from) === 1) {
      const chain = chainOf.get(e.from)!;
      chain.push(n.id);
      chainOf.set(n.id, chain);
    } else {
      const chain = [n.id];
      chains.push(chain);
      chainOf.set(n.id, chain);
    }
  }
  return chains;
}

export function formatExecutionPlan(job: JobSpec): string {
  const lines: string[] = [];
  for (const n of job.nodes) {
    const ins = n.inputs.map((e) => `${e.partitioning.kind === 'hash' ? `hash[${e.partitioning.keys.join(', ')}]` : e.partitioning.kind} from #${e.from}`);
    lines.push(`#${n.id} ${n.name} [parallelism=${n.parallelism}]${ins.length > 0 ? ` <- ${ins.join('; ')}` : ''}`);
  }
  lines.push('');
  lines.push('Chains:');
  for (const chain of chainsOf(job)) {
    const p = job.nodes[chain[0]!]!.parallelism;
    lines.push(`  [${chain.map((id) => `#${id} ${shortName(job.nodes[id]!.name)}`).join(' -> ')}] parallelism=${p}`);
  }
  return lines.join('\n');
}

function shortName(name: string): string {
  const i = name.indexOf('(');
  return i < 0 ? name : name.slice(0, i);
}

export function formatExplain(ast: string, job: JobSpec, roots: readonly number[], kinds: readonly RowKinds[]): string {
  return [
    '== Abstract Syntax Tree ==',
    ast,
    '',
    '== Optimized Physical Plan ==',
    formatPhysicalPlan(job, roots, kinds),
    '',
    '== Optimized Execution Plan ==',
    formatExecutionPlan(job),
    '',
  ].join('\n');
}
