import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ApiKeyStore } from '../../src/auth/api-keys.js';
import type { SimulatedClaim } from '../../sim/simulation.js';

/** The demo's state beside the embedded database: its key, and what it already simulated. */

const KEY_FILE = 'demo-key';
const MARKER_FILE = 'demo-simulated.json';
const inMemory = (dataDir: string) => dataDir.startsWith('memory://');

/**
 * The key is stored only hashed, so the demo keeps its own copy (mode 0600, like the person-id
 * secret) to show it again on the next run; a key since revoked is replaced.
 */
export async function demoKey(keys: ApiKeyStore, dataDir: string): Promise<string> {
  const file = path.join(dataDir, KEY_FILE);
  if (!inMemory(dataDir) && existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if ((await keys.authenticate(key))?.role === 'admin') return key;
  }
  const { key } = await keys.create({ clientName: 'demo', role: 'admin', createdBy: 'npm run demo' });
  if (!inMemory(dataDir)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
  }
  return key;
}

export interface DemoMarker {
  settings: { seed: number; month: string; months?: number; scale: number };
  claims: number;
  example: SimulatedClaim;
}

export function readMarker(dataDir: string): DemoMarker | undefined {
  const file = path.join(dataDir, MARKER_FILE);
  if (inMemory(dataDir) || !existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DemoMarker;
  } catch {
    return undefined;
  }
}

export function writeMarker(dataDir: string, marker: DemoMarker) {
  if (!inMemory(dataDir)) writeFileSync(path.join(dataDir, MARKER_FILE), `${JSON.stringify(marker)}\n`);
}

/** the configured port if it is free, else one the system picks */
export async function freePort(host: string, port: number): Promise<number> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
  if (!free) process.stderr.write(`port ${port} is busy: using a free one\n`);
  return free ? port : 0;
}

/** the calendar month (CST) before the one `now` falls in */
export function lastMonth(now: number): string {
  const d = new Date(now + 8 * 3_600_000);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() - 1;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}
