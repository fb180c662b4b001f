/**
 * Job graph → chains and channels.
 *
 * Chaining rule: a node joins its upstream's chain when it has exactly one input, that input is
 * `forward`, the upstream has exactly one consuming edge, and both run at the same parallelism. Chains
 * are therefore linear: only a chain's head has inputs from other chains and only its tail has outgoing
 * edges (a node with several consumers always ends a chain).
 *
 * Channels: for every edge between chains, each (upstream subtask u, downstream subtask d) pair that the
 * partitioning connects is one channel with a job-wide numeric id, `base + u * downstreamParallelism + d`.
 * Ids are a pure function of the spec, so the coordinator and every worker agree without exchanging them.
 */
import { userError, internalError } from '../common/index.js';
import type { JobSpec, NodeSpec, Partitioning } from '../spec/index.js';

export interface ChainEdge {
  /** Chain that produces (its tail node is `fromNode`). */
  readonly fromChain: number;
  readonly fromNode: number;
  /** Chain that consumes, into input `inputIndex` of its head node. */
  readonly toChain: number;
  readonly inputIndex: number;
  readonly partitioning: Partitioning;
  readonly upstreamParallelism: number;
  readonly downstreamParallelism: number;
  /** First channel id of this edge. */
  readonly channelBase: number;
}

export interface Chain {
  readonly id: number;
  /** Nodes in chain order: `nodes[0]` is the head, the last is the tail. */
  readonly nodes: readonly NodeSpec[];
  readonly parallelism: number;
  /** Incoming edges, by head input index (`inputs[i].inputIndex === i`). */
  readonly inputs: readonly ChainEdge[];
  /** Outgoing edges of the tail, in consumer order. */
  readonly outputs: readonly ChainEdge[];
}

export interface JobGraph {
  readonly chains: readonly Chain[];
  /** Chain id of each node. */
  readonly chainOfNode: readonly number[];
  /** Largest parallelism of any chain. */
  readonly maxTaskParallelism: number;
  /** Total number of channel ids (exclusive upper bound). */
  readonly channelCount: number;
}

/** Builds chains and channel ids; throws a FloeError for a malformed spec (names the node). */
export function buildJobGraph(spec: JobSpec): JobGraph {
  const nodes = spec.nodes;
  const consumers = new Array<number>(nodes.length).fill(0);
  nodes.forEach((node, index) => {
    if (node.id !== index) throw internalError(`job spec node at position ${index} has id ${node.id}; ids must equal positions`);
    if (!Number.isInteger(node.parallelism) || node.parallelism < 1) {
      throw userError('RUNTIME.BAD_PARALLELISM', `node ${node.id} ${node.name} has parallelism ${node.parallelism}; expected an integer >= 1`);
    }
    for (const edge of node.inputs) {
      if (!(edge.from >= 0 && edge.from < index)) {
        throw internalError(`node ${node.id} ${node.name} reads from node ${edge.from}, which does not precede it (spec nodes must be topologically ordered)`);
      }
      consumers[edge.from]!++;
      if (edge.partitioning.kind === 'forward' && nodes[edge.from]!.parallelism !== node.parallelism) {
        throw internalError(
          `forward edge from node ${edge.from} (parallelism ${nodes[edge.from]!.parallelism}) to node ${node.id} ${node.name} (parallelism ${node.parallelism}) needs equal parallelism`,
        );
      }
    }
  });

  const chainOfNode = new Array<number>(nodes.length).fill(-1);
  const chainNodes: NodeSpec[][] = [];
  for (const node of nodes) {
    const only = node.inputs.length === 1 ? node.inputs[0]! : null;
    const chainable =
      only !== null &&
      only.partitioning.kind === 'forward' &&
      consumers[only.from] === 1 &&
      nodes[only.from]!.parallelism === node.parallelism;
    if (chainable) {
      const c = chainOfNode[only.from]!;
      chainNodes[c]!.push(node);
      chainOfNode[node.id] = c;
    } else {
      chainOfNode[node.id] = chainNodes.length;
      chainNodes.push([node]);
    }
  }

  let channelBase = 0;
  const inputsOf: ChainEdge[][] = chainNodes.map(() => []);
  const outputsOf: ChainEdge[][] = chainNodes.map(() => []);
  chainNodes.forEach((members, c) => {
    const head = members[0]!;
    head.inputs.forEach((edge, inputIndex) => {
      const fromChain = chainOfNode[edge.from]!;
      const up = nodes[edge.from]!.parallelism;
      const chainEdge: ChainEdge = {
        fromChain,
        fromNode: edge.from,
        toChain: c,
        inputIndex,
        partitioning: edge.partitioning,
        upstreamParallelism: up,
        downstreamParallelism: head.parallelism,
        channelBase,
      };
      channelBase += up * head.parallelism;
      inputsOf[c]!.push(chainEdge);
      outputsOf[fromChain]!.push(chainEdge);
    });
  });
  // Outputs in consumer (node id) order is what the loop above produced; every edge leaves a chain tail.
  for (const out of outputsOf.flat()) {
    const from = chainNodes[out.fromChain]!;
    if (from[from.length - 1]!.id !== out.fromNode) throw internalError(`edge from node ${out.fromNode} leaves the middle of a chain`);
  }

  const chains: Chain[] = chainNodes.map((members, id) => ({
    id,
    nodes: members,
    parallelism: members[0]!.parallelism,
    inputs: inputsOf[id]!,
    outputs: outputsOf[id]!,
  }));
  return {
    chains,
    chainOfNode,
    maxTaskParallelism: chains.reduce((m, c) => Math.max(m, c.parallelism), 1),
    channelCount: channelBase,
  };
}

/** The channel id of (edge, upstream subtask u, downstream subtask d). */
export function channelId(edge: ChainEdge, u: number, d: number): number {
  return edge.channelBase + u * edge.downstreamParallelism + d;
}

/** Downstream subtasks that upstream subtask `u` sends to over `edge`. */
export function targetsOf(edge: ChainEdge, u: number): number[] {
  switch (edge.partitioning.kind) {
    case 'forward':
      return [u];
    case 'global':
      return [0];
    default:
      return Array.from({ length: edge.downstreamParallelism }, (_, d) => d);
  }
}

/** Upstream subtasks that send to downstream subtask `d` over `edge` (its input channels, in order). */
export function sourcesOf(edge: ChainEdge, d: number): number[] {
  switch (edge.partitioning.kind) {
    case 'forward':
      return [d];
    case 'global':
      return d === 0 ? Array.from({ length: edge.upstreamParallelism }, (_, u) => u) : [];
    default:
      return Array.from({ length: edge.upstreamParallelism }, (_, u) => u);
  }
}

/** The worker thread that hosts subtask `subtask` of any chain (subtask i → worker i mod W). */
export function workerOf(subtask: number, workerCount: number): number {
  return subtask % workerCount;
}
