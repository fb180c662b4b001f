/**
 * The folder layers of DESIGN.md: dependencies point down the list and never up; other folders are
 * reached only through their `index.ts`; index files name their exports (no `export *`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const LAYERS = ['cli', 'server', 'api', 'mt', 'plan', 'catalog', 'connectors', 'operators', 'ai', 'runtime', 'spec', 'lake', 'state', 'expr', 'storage', 'sql', 'types', 'common'];
const SRC = join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

test('layers: imports point down and go through index.ts', () => {
  const problems: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const rel = relative(SRC, file);
    const layer = rel.split(sep)[0]!;
    const rank = LAYERS.indexOf(layer);
    if (rank < 0) {
      problems.push(`${rel}: folder '${layer}' is not a layer of DESIGN.md`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, join(file, '..', spec));
      const targetLayer = target.split(sep)[0]!;
      if (targetLayer === layer) continue;
      const targetRank = LAYERS.indexOf(targetLayer);
      if (targetRank < rank) problems.push(`${rel}: imports '${spec}' from higher layer '${targetLayer}'`);
      if (target !== join(targetLayer, 'index.js')) problems.push(`${rel}: imports '${spec}' — go through ${targetLayer}/index.ts`);
    }
  }
  assert.deepEqual(problems, []);
});

test('layers: index files name their exports', () => {
  const problems: string[] = [];
  for (const layer of LAYERS) {
    let text: string;
    try {
      text = readFileSync(join(SRC, layer, 'index.ts'), 'utf8');
    } catch {
      continue;
    }
    if (/export\s+\*/.test(text)) problems.push(`${layer}/index.ts uses 'export *'`);
  }
  assert.deepEqual(problems, []);
});
