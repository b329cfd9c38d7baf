import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { freePort, root } from '../../scripts/chaos/proc.js';
import type { EntryPoint } from './entry-points.js';

/** Every child a test file started here, so its afterAll can end the ones still running (and only them). */
const children = new Set<ChildProcess>();
export function killChildren() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/**
 * `node <entry point> args` from the repository's root: the service or a command as `npm start` /
 * `npm run <command>` runs it, compiled from the current source by the run's global setup
 * (test/support/entry-points.ts) instead of through tsx. `env` is added to this process's.
 */
export function nodeScript(script: EntryPoint, args: string[], env: Record<string, string | undefined>, logFile?: string): ChildProcess {
  const compiled = path.join(inject('entryPoints'), script.replace(/\.ts$/, '.mjs'));
  const child = spawn(process.execPath, [compiled, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  if (logFile) {
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
  }
  return child;
}

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

export interface ServiceProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  kill9(): Promise<void>;
  /** SIGTERM: the graceful shutdown */
  stop(): Promise<number | null>;
}

/** The service (src/main.ts) in a child process on a free port, once /readyz answers 200. */
export async function startServiceProcess(env: Record<string, string>, logFile: string): Promise<ServiceProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = nodeScript('src/main.ts', [], { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env }, logFile);
  let exited: string | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = `code ${code} signal ${signal}`;
      resolve(code);
    }),
  );
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`the service exited (${exited}) before it was ready; see ${logFile}`);
    try {
      const res = await fetch(`${url}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the service was not ready within 90 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    pid: child.pid!,
    child,
    async kill9() {
      if (exited) return;
      child.kill('SIGKILL');
      await exit;
    },
    async stop() {
      if (exited) return exit;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exit;
      clearTimeout(force);
      return code;
    },
  };
}
