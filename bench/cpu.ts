/**
 * Where the machine's CPU went during a run, from /proc (Linux; elsewhere the figures are absent):
 * the service process, the baseline process, this load generator, the PostgreSQL backends serving
 * the benchmark's own databases, PostgreSQL's shared processes (WAL writer, checkpointer, ...), and
 * everything else, other databases' backends included. On a shared 2-core machine "other" says how far a run can be trusted, and CPU
 * per claim is steadier than throughput when the machine is noisy.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // CLK_TCK is 100 on Linux
export interface CpuSnapshot {
  totalBusyMs: number;
  /** comm, and for PostgreSQL the process title ("postgres: 15/main: user db host(port) state") */
  perPid: Map<number, { comm: string; title: string; ms: number; ppid: number }>;
}

function procStat(pid: string): { comm: string; title: string; ms: number; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    const title = comm === 'postgres' ? readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ') : '';
    // fields[0] is the state (field 3): utime and stime are fields 14 and 15
    return { comm, title, ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS, ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

export function cpuSnapshot(): CpuSnapshot | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    const perPid = new Map<number, { comm: string; title: string; ms: number; ppid: number }>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const s = procStat(name);
      if (s) perPid.set(Number(name), s);
    }
    return { totalBusyMs: (user + nice + system + irq + softirq + steal) * TICK_MS, perPid };
  } catch {
    return undefined;
  }
}

export interface CpuUse {
  wallMs: number;
  /** CPU milliseconds by role; the service's with its worker processes */
  service: number;
  baseline: number;
  generator: number;
  /** backends of the service's database, of the baseline's, and PostgreSQL's shared processes */
  postgresService: number;
  postgresBaseline: number;
  postgresShared: number;
  other: number;
}

export interface Roles {
  service: number;
  baseline: number;
  serviceDb: string;
  baselineDb: string;
}

export function cpuBetween(a: CpuSnapshot | undefined, b: CpuSnapshot | undefined, wallMs: number, roles: Roles): CpuUse | undefined {
  if (!a || !b) return undefined;
  const use = { wallMs, service: 0, baseline: 0, generator: 0, postgresService: 0, postgresBaseline: 0, postgresShared: 0, other: 0 };
  const db = (title: string, name: string) => name !== '' && title.includes(` ${name} `);
  // the service is its process and its descendants (WORKERS > 1: the supervisor and its workers)
  const inService = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 8; hops++) {
      if (p === roles.service) return true;
      p = b.perPid.get(p)?.ppid ?? 0;
    }
    return false;
  };
  for (const [pid, end] of b.perPid) {
    const delta = end.ms - (a.perPid.get(pid)?.ms ?? 0);
    if (inService(pid)) use.service += delta;
    else if (pid === roles.baseline) use.baseline += delta;
    else if (pid === process.pid) use.generator += delta;
    else if (end.comm === 'postgres') {
      if (db(end.title, roles.serviceDb)) use.postgresService += delta;
      else if (db(end.title, roles.baselineDb)) use.postgresBaseline += delta;
      // a backend's title names its user and database; the shared processes' do not
      else if (!/ \d+\.\d+\.\d+\.\d+\(| \[local\]|autovacuum worker/.test(end.title)) use.postgresShared += delta;
    }
  }
  // Everything else, other databases' backends and processes that came and went included.
  const ours = use.service + use.baseline + use.generator + use.postgresService + use.postgresBaseline + use.postgresShared;
  use.other = Math.max(0, b.totalBusyMs - a.totalBusyMs - ours);
  return use;
}
