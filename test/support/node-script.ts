import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';
import { killChildren, nodeChild, startService, type ServiceProcess } from '../../scripts/chaos/proc.js';
import type { EntryPoint } from './entry-points.js';

export { killChildren, type ServiceProcess };

/**
 * `node <entry point> args`: the service or a command as `npm start` / `npm run <command>` runs it,
 * compiled from the current source by the run's global setup (test/support/entry-points.ts)
 * instead of through tsx.
 */
export const nodeScript = (script: EntryPoint, args: string[], env: Record<string, string | undefined>, logFile?: string): ChildProcess =>
  nodeChild([path.join(inject('entryPoints'), script.replace(/\.ts$/, '.mjs')), ...args], env, logFile);

/** A command run to its end: its exit code, output and duration. */
export async function runScript(script: EntryPoint, args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const child = nodeScript(script, args, env);
  let stdout = '',
    stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { code, stdout, stderr, ms: performance.now() - started };
}

/** The service (src/main.ts) from the run's bundle in a child process on a free port, once /readyz answers 200. */
export const startServiceProcess = (env: Record<string, string>, logFile: string): Promise<ServiceProcess> => startService(env, logFile, (e, log) => nodeScript('src/main.ts', [], e, log));
