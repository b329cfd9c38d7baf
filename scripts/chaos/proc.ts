/** Child processes of the chaos scripts: the service, started as production starts it, and its memory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from '../../src/node-flags.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Every child this process started, so an interrupted run ends them (and only them). */
const children = new Set<ChildProcess>();
export function killChildren() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/**
 * `node <argv>` from the repository's root with `env` added to this process's (an undefined value
 * leaves the variable out), its output appended to `logFile` when given; ended by killChildren.
 */
export function nodeChild(argv: string[], env: Record<string, string | undefined>, logFile?: string): ChildProcess {
  const child = spawn(process.execPath, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  if (logFile) {
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
  }
  return child;
}

/** `node --import tsx <script> args`: what `tsx` runs, without its wrapper process. */
export const tsx = (script: string, args: string[], env: Record<string, string>, logFile?: string): ChildProcess => nodeChild(['--import', 'tsx', script, ...args], env, logFile);

export async function runScript(script: string, args: string[], env: Record<string, string>): Promise<string> {
  const child = tsx(script, args, env);
  let out = '',
    err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${code}: ${err.slice(-2000)}`);
  return out;
}

export interface ServiceProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** resident set size of the service process, bytes (from /proc) */
  rss(): number;
  kill9(): Promise<void>;
  /** SIGTERM: the graceful shutdown */
  stop(): Promise<number | null>;
}

/**
 * Starts `src/main.ts` as a child process with the service's Node flags (through tsx, or as `start`
 * runs it: the tests run a bundle of it) and waits until /readyz answers 200.
 */
export async function startService(
  env: Record<string, string>,
  logFile: string,
  start: (env: Record<string, string>, logFile: string) => ChildProcess = (e, log) => nodeChild([...SERVICE_NODE_FLAGS, '--import', 'tsx', 'src/main.ts'], e, log),
): Promise<ServiceProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = start({ HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env }, logFile);
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
  const pid = child.pid!;
  return {
    url,
    pid,
    child,
    rss: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : Number.NaN;
    },
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
