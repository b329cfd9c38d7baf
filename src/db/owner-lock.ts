import { spawn } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * The embedded database has one owner. PGlite is PostgreSQL compiled to WebAssembly in this
 * process: it has no postmaster and no shared memory, so a second process opening the same
 * directory writes the same files with its own idea of them: a key one process stores is unknown
 * to the other, and PGlite can abort at its next start, leaving every claim unreachable.
 *
 * The lock is the kernel's: flock(2) on `DATA_DIR/pglite.lock`, exclusive and non-blocking. A
 * flock belongs to the open file description, and the kernel drops it when the last descriptor of
 * it closes, whatever ends the process (exit, crash, kill -9, OOM): a dead owner never leaves it
 * stuck, and no pid is judged (no pid reuse, no pid namespaces: two containers on one volume see
 * the same lock). Node has no flock call, so util-linux's `flock` command takes it on a descriptor
 * this process opened and passes down (`flock -n 3`); the lock stays with the descriptor, held by
 * this process, after the command exits. The file is never deleted: a deleted lock file lets a
 * newcomer lock a new file while the owner holds the old one.
 *
 * The owner writes who it is into the file (pid, command, since; the service adds its URL once
 * listening), so a refused process can say who holds the directory and where to reach it.
 */
export interface Holder {
  pid: number;
  command: string;
  since: string;
  /** the service's own URL, once it listens */
  url?: string;
}

export class DataDirBusyError extends Error {
  readonly code = 'DATA_DIR_BUSY';
  constructor(
    readonly dataDir: string,
    readonly holder: Holder | undefined,
  ) {
    const who = holder ? `pid ${holder.pid} (${holder.command}${holder.url ? ` at ${holder.url}` : ''}, since ${holder.since})` : 'another process';
    super(
      `The embedded database in ${dataDir} is in use by ${who}. It has one owner: a second process on it would corrupt it. ` +
        (holder?.url
          ? `Go through the running service instead: its API and the admin page ${holder.url}/ui/keys, or the command again with CLAIMSCREEN_KEY=<admin key> (it then calls ${holder.url}); or stop the service (SIGTERM) first.`
          : 'Stop that process first, or go through the running service with --url and CLAIMSCREEN_KEY=<admin key>.'),
    );
  }
}

export interface OwnerLock {
  readonly file: string;
  /** adds to what the lock file says about the owner (the service: its URL) */
  announce(extra: Partial<Holder>): void;
  /** closes the descriptor: the kernel releases the lock */
  release(): void;
}

const LOCK_BUSY = 75;

/** The lock file of a PGlite directory: beside it, `<dir>.lock`. */
export const lockFileOf = (pgliteDir: string) => `${path.resolve(pgliteDir)}.lock`;

/**
 * Takes the directory's lock or throws DataDirBusyError at once (never waits). Without the flock
 * command (util-linux; every Debian image has it) the database is opened unlocked, with a warning.
 */
export async function acquireOwnerLock(pgliteDir: string, command = path.basename(process.argv[1] ?? 'node')): Promise<OwnerLock> {
  const file = lockFileOf(pgliteDir);
  const fd = openSync(file, 'a+', 0o600);
  let outcome: number | 'missing';
  try {
    outcome = await new Promise<number | 'missing'>((resolve, reject) => {
      const child = spawn('flock', ['--nonblock', '--conflict-exit-code', String(LOCK_BUSY), '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d));
      child.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? resolve('missing') : reject(e)));
      child.on('exit', (code) => (code === 0 || code === LOCK_BUSY ? resolve(code) : reject(new Error(`flock ${file} failed (exit ${code}): ${err.trim()}`))));
    });
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  if (outcome === LOCK_BUSY) {
    closeSync(fd);
    throw new DataDirBusyError(path.dirname(file), readHolder(file));
  }
  if (outcome === 'missing') process.stderr.write(`warning: the flock command (util-linux) was not found: ${pgliteDir} is opened without its lock; run one process on it at a time\n`);
  const holder: Holder = { pid: process.pid, command, since: new Date().toISOString() };
  const write = () => {
    ftruncateSync(fd, 0);
    writeSync(fd, `${JSON.stringify(holder)}\n`); // the file is opened for appending: at 0 after the truncate
  };
  write();
  let open = true;
  return {
    file,
    announce(extra) {
      if (!open) return;
      Object.assign(holder, extra);
      write();
    },
    release() {
      if (!open) return;
      open = false;
      try {
        ftruncateSync(fd, 0);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** What the lock file says about its owner; undefined while it is being written or unreadable. */
export function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return typeof h.pid === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}
