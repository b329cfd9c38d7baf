/**
 * A private, throwaway PostgreSQL 15 cluster for the chaos scripts (the technique of `.ci/run`):
 * initdb in a temp directory, a free loopback port, its own unix socket directory. The scripts stop
 * and start it; no other cluster on the machine is ever touched. As root, initdb and pg_ctl run as
 * the postgres user (they refuse root).
 */
import { execFile } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './proc.js';

const run = promisify(execFile);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PASSWORD = 'postgres';
const isRoot = process.getuid?.() === 0;

async function asPg(cmd: string, args: string[]): Promise<string> {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', path.join(PG_BIN, cmd), ...args]] : [path.join(PG_BIN, cmd), args];
  const { stdout } = await run(file, argv as string[], { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export interface Cluster {
  dir: string;
  port: number;
  /** postgres://… of the cluster's `postgres` database, over loopback TCP with a password */
  url: string;
  start(): Promise<void>;
  /** pg_ctl stop: `fast` (backends told to end, as a planned restart) or `immediate` (as a crash) */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  running(): boolean;
  /** stops the cluster and removes its directory; the server log is first copied to `keepLogAs` when given */
  destroy(keepLogAs?: string): Promise<void>;
  /** the server log, for a failure report */
  logTail(lines?: number): Promise<string>;
}

export async function createCluster(settings: Record<string, string> = {}): Promise<Cluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'claimscreen-chaos-pg.'));
  const port = await freePort();
  writeFileSync(path.join(dir, 'pwfile'), `${PASSWORD}\n`);
  if (isRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    chownSync(path.join(dir, 'pwfile'), Number(stdout.trim()), Number(gid.trim()));
  }
  const data = path.join(dir, 'data');
  await asPg('initdb', ['-D', data, '-U', 'postgres', `--pwfile=${path.join(dir, 'pwfile')}`, '--auth-host=scram-sha-256', '--auth-local=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
  // Durability as in production (fsync and synchronous_commit on): a 2xx must mean committed.
  const options = {
    port: String(port),
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    max_connections: '100',
    // Sized as a server holding a growing claims database would be, not with initdb's toy defaults:
    // 128 MB of shared buffers and 1 GB of WAL between checkpoints made the soak checkpoint every
    // minute (540 MB of WAL a minute, full-page images after each) once its ~2.5 GB outgrew the
    // buffers. Checkpoints still come every 5 minutes (checkpoint_timeout's default).
    shared_buffers: '1GB',
    max_wal_size: '4GB',
    // What the server did besides serving: every autovacuum and analyze, and the checkpoints.
    log_autovacuum_min_duration: '0',
    log_checkpoints: 'on',
    ...settings,
  };
  const o = Object.entries(options)
    .map(([k, v]) => (k === 'port' ? `-p ${v}` : `-c ${k}=${v}`))
    .join(' ');
  const cluster: Cluster = {
    dir,
    port,
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    async start() {
      await asPg('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start', '-o', o]);
    },
    async stop(mode = 'fast') {
      await asPg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
    },
    running: () => existsSync(path.join(data, 'postmaster.pid')),
    async destroy(keepLogAs?: string) {
      if (cluster.running()) await cluster.stop('immediate').catch(() => {});
      if (keepLogAs) {
        try {
          copyFileSync(path.join(dir, 'server.log'), keepLogAs);
        } catch {}
      }
      rmSync(dir, { recursive: true, force: true });
    },
    async logTail(lines = 30) {
      const { stdout } = await run('tail', ['-n', String(lines), path.join(dir, 'server.log')]).catch(() => ({ stdout: '' }));
      return stdout;
    },
  };
  await cluster.start();
  return cluster;
}
