import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobSpec, NodeSpec } from '../spec/index.js';
import { buildJobGraph, channelId, sourcesOf, targetsOf } from './job-graph.js';
import { testNode } from './test-support/test-operators.js';

const job = (nodes: NodeSpec[]): JobSpec => ({ version: 1, name: 't', config: {}, nodes });
const fwd = (from: number) => ({ from, partitioning: { kind: 'forward' as const } });
const hash = (from: number) => ({ from, partitioning: { kind: 'hash' as const, keys: [0] } });

test('forward edges with one consumer and equal parallelism chain', () => {
  const g = buildJobGraph(
    job([testNode(0, 'test-numbers', 2, []), testNode(1, 'test-pass', 2, [fwd(0)]), testNode(2, 'test-pass', 2, [fwd(1)]), testNode(3, 'test-collect', 2, [hash(2)])]),
  );
  assert.deepEqual(g.chains.map((c) => c.nodes.map((n) => n.id)), [[0, 1, 2], [3]]);
  assert.deepEqual(g.chainOfNode, [0, 0, 0, 1]);
  assert.equal(g.chains[1]!.inputs[0]!.fromNode, 2);
  assert.equal(g.chains[0]!.outputs.length, 1);
  assert.equal(g.channelCount, 4);
});

test('a node with two consumers ends its chain; each consumer starts one', () => {
  const g = buildJobGraph(
    job([testNode(0, 'test-numbers', 1, []), testNode(1, 'test-pass', 1, [fwd(0)]), testNode(2, 'test-pass', 1, [fwd(0)])]),
  );
  assert.deepEqual(g.chains.map((c) => c.nodes.map((n) => n.id)), [[0], [1], [2]]);
  assert.equal(g.chains[0]!.outputs.length, 2);
});

test('two-input nodes, hash edges and self-joins never chain', () => {
  const g = buildJobGraph(
    job([testNode(0, 'test-numbers', 2, []), testNode(1, 'test-probe', 2, [fwd(0), fwd(0)]), testNode(2, 'test-pass', 2, [hash(1)])]),
  );
  assert.deepEqual(g.chains.map((c) => c.nodes.map((n) => n.id)), [[0], [1], [2]]);
  assert.deepEqual(g.chains[1]!.inputs.map((e) => e.inputIndex), [0, 1]);
});

test('channel ids are unique and routing is symmetric', () => {
  const g = buildJobGraph(
    job([
      testNode(0, 'test-numbers', 3, []),
      testNode(1, 'test-pass', 2, [hash(0)]),
      testNode(2, 'test-pass', 2, [{ from: 0, partitioning: { kind: 'global' } }]),
      testNode(3, 'test-probe', 2, [fwd(1), { from: 2, partitioning: { kind: 'broadcast' } }]),
    ]),
  );
  const seen = new Set<number>();
  for (const chain of g.chains) {
    for (const edge of chain.outputs) {
      for (let u = 0; u < edge.upstreamParallelism; u++) {
        for (const d of targetsOf(edge, u)) {
          const id = channelId(edge, u, d);
          assert.ok(!seen.has(id), `duplicate channel ${id}`);
          seen.add(id);
          assert.ok(sourcesOf(edge, d).includes(u), 'receiver expects what the sender sends');
        }
      }
    }
  }
  // global: every upstream subtask feeds subtask 0 only.
  const global = g.chains[2]!.inputs[0]!;
  assert.deepEqual(sourcesOf(global, 0), [0, 1, 2]);
  assert.deepEqual(sourcesOf(global, 1), []);
});

test('malformed specs fail with errors naming the node', () => {
  assert.throws(() => buildJobGraph(job([testNode(0, 'test-numbers', 2, []), testNode(1, 'test-pass', 3, [fwd(0)])])), /forward edge from node 0 .* to node 1/);
  assert.throws(() => buildJobGraph(job([testNode(0, 'test-numbers', 0, [])])), { code: 'RUNTIME.BAD_PARALLELISM' });
  assert.throws(() => buildJobGraph(job([testNode(0, 'test-pass', 1, [fwd(1)]), testNode(1, 'test-numbers', 1, [])])), /topologically ordered/);
});
