import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { root } from '../../scripts/chaos/proc.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** the folder of this run's compiled entry points (test/support/node-script.ts) */
    entryPoints: string;
  }
}

/** the service and the commands that tests start as child processes, as `npm start` / `npm run <command>` start them */
export const ENTRY_POINTS = ['src/main.ts', 'scripts/keys.ts', 'scripts/train.ts', 'scripts/report.ts', 'scripts/import-reference.ts'] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

/**
 * Global setup: the entry points compiled from the current source once per run, so that a child
 * process is plain `node file.mjs` and does not load tsx and transpile the source again (~1.5
 * CPU-seconds a process; data-dir-owner.test.ts alone starts a dozen). One esbuild bundle with the
 * packages left external, written inside the repository: the packages resolve from its
 * node_modules, and `migrations/` is found beside the nearest package.json as from source
 * (src/db/client.ts). Removed when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const outdir = path.join(root, 'test-output', `entry-points-${process.pid}-${randomBytes(4).toString('hex')}`);
  await build({
    absWorkingDir: root,
    entryPoints: [...ENTRY_POINTS],
    outbase: '.',
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // tsconfig.json (hono's JSX) is read as tsx reads it; linked maps cost nothing unless node is asked for them
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  project.provide('entryPoints', outdir);
  return () => rmSync(outdir, { recursive: true, force: true });
}
