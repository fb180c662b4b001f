/**
 * Where the workload data shared by the team lives (the Nexmark queries and DDL, Paimon table fixtures):
 * `$FLOE_SHARED_DIR` if set, else the `shared/` folder beside the project checkout (`../shared`), else
 * `/work/shared`, the location on the team's machines. Tests and `floe bench nexmark` read the Nexmark
 * files from there unmodified.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
  return dir;
}

export function sharedDataDir(): string {
  const candidates = [process.env['FLOE_SHARED_DIR'], resolve(projectRoot(), '..', 'shared'), '/work/shared'];
  for (const c of candidates) if (c && existsSync(join(c, 'nexmark'))) return resolve(c);
  throw new Error(`the shared workload data was not found (looked in: ${candidates.filter(Boolean).join(', ')}); set FLOE_SHARED_DIR`);
}

export function nexmarkDir(): string {
  return join(sharedDataDir(), 'nexmark');
}
