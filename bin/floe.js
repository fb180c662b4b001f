#!/usr/bin/env node
// The `floe` command. Runs the compiled CLI from dist/ (built by `npm install` through the `prepare`
// script). In a source checkout without a build it runs the TypeScript sources under tsx instead, in a
// child process so that worker threads inherit tsx's loader through execArgv.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const child = spawnSync(process.execPath, ['--import', 'tsx', source, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exitCode = child.status ?? 1;
}
