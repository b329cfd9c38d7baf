/**
 * What the end-to-end benchmarks share: fresh databases on the server of DATABASE_URL, the service
 * (or another script) as a child process started with `node --import tsx`, and the server's WAL
 * counters. Every child and database a harness made is stopped or dropped by its `close`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

export { freePort } from '../scripts/chaos/proc.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_SERVER = 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

/**
 * WAL written and checkpoints, server-wide (pg_stat_wal, pg_stat_bgwriter). After a checkpoint
 * the first change to each page writes the whole page (a full-page image), so a run that meets
 * checkpoints pays far more per claim; this says when that happened.
 */
export interface WalUse {
  bytes: number;
  fpi: number;
  checkpoints: number;
}

export const walBetween = (a: WalUse | undefined, b: WalUse | undefined): WalUse | undefined =>
  a && b ? { bytes: b.bytes - a.bytes, fpi: b.fpi - a.fpi, checkpoints: b.checkpoints - a.checkpoints } : undefined;

export interface HarnessOptions {
  /** a server to create the databases on */
  serverUrl: string;
  /** LOG_LEVEL of children: below warn their stdout goes to /dev/null (reading it would load this core) */
  logLevel: string;
}

export function createHarness({ serverUrl, logLevel }: HarnessOptions) {
  const children: ChildProcess[] = [];
  const databases: string[] = [];
  let statsDb: postgres.Sql | undefined;
  const stats = () => (statsDb ??= postgres(serverUrl, { max: 1, onnotice: () => {} }));

  /** `node --import tsx <script>`: what the `tsx` command runs, without its extra wrapper process. */
  const tsx = (script: string, args: string[], env: Record<string, string>, name: string, stdout: 'pipe' | 'ignore' = 'pipe', nodeFlags: string[] = []) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', stdout, 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d}`));
    return child;
  };

  const harness = {
    databases,

    /** A fresh database on the server; its URL. */
    async createDatabase(suffix: string): Promise<string> {
      const name = `cs_bench_${randomBytes(4).toString('hex')}_${suffix}`;
      await stats().unsafe(`create database ${name}`);
      databases.push(name);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },

    /** Runs a script to its end; its stdout. */
    async run(script: string, args: string[], env: Record<string, string>): Promise<string> {
      const child = tsx(script, args, env, path.basename(script));
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${code}`);
      return out;
    },

    /** Starts a server script and waits until `readyUrl` answers below 500 (60 s at most). */
    async startChild(script: string, env: Record<string, string>, name: string, readyUrl: string, nodeFlags: string[] = []): Promise<ChildProcess> {
      const quiet = ['fatal', 'error', 'warn', 'silent'].includes(logLevel);
      const child = tsx(script, [], env, name, quiet ? 'pipe' : 'ignore', nodeFlags);
      children.push(child);
      child.stdout?.on('data', (d: Buffer) => process.stdout.write(`[${name}] ${d}`));
      let exited: number | null | undefined;
      child.on('exit', (code) => (exited = code));
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (exited !== undefined) throw new Error(`${name} exited with ${exited} before it was ready`);
        try {
          const res = await fetch(readyUrl, { method: 'GET' });
          await res.arrayBuffer();
          if (res.status < 500) return child;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`${name} not ready after 60 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },

    /** The server's WAL counters now, or undefined when the statistics cannot be read. */
    async walCounters(): Promise<WalUse | undefined> {
      try {
        const [row] = await stats()<{ bytes: string; fpi: string; checkpoints: string }[]>`
          select w.wal_bytes::text as bytes, w.wal_fpi::text as fpi, (b.checkpoints_timed + b.checkpoints_req)::text as checkpoints
          from pg_stat_wal w, pg_stat_bgwriter b`;
        return row ? { bytes: Number(row.bytes), fpi: Number(row.fpi), checkpoints: Number(row.checkpoints) } : undefined;
      } catch {
        return undefined;
      }
    },

    /** A connection to the server (for settings and statistics), closed by `close`. */
    server: stats,

    /** Stops the children (SIGTERM, SIGKILL after 15 s) and, unless `keep`, drops the databases. */
    async close({ keep = false }: { keep?: boolean } = {}) {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
            }),
        ),
      );
      try {
        if (keep) console.log(`kept databases: ${databases.join(', ')}`);
        else for (const name of databases) await stats().unsafe(`drop database if exists ${name} with (force)`);
      } catch (err) {
        console.error('could not drop the benchmark databases', err);
      } finally {
        await statsDb?.end();
      }
    },
  };
  return harness;
}

export type Harness = ReturnType<typeof createHarness>;
