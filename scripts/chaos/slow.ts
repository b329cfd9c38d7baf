/**
 * Slow and oversized clients for the chaos script: sockets that send their request a byte a
 * second (the headers, or the body after headers sent at once), reconnecting a second after each
 * answer as an attacker would; a paced load of claims beside them; and bodies of 1 GB sent as fast
 * as the socket takes them.
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { send, type Outcome } from './load.js';

export interface SlowKind {
  name: string;
  count: number;
  /** the request's head (ending with the blank line) and body */
  request(): { head: string; body: string };
  /** the head is sent a byte a second too (otherwise at once, then the body a byte a second) */
  slowHead?: boolean;
}

export interface SlowResult {
  kind: string;
  /** connections opened in all */
  connections: number;
  /** answers by status; 'closed' = the connection closed without an answer */
  statuses: Map<string, number>;
  /** ms from the connection to the answer (or close), by status */
  heldMs: Map<string, number[]>;
}

/** Opens every kind's sockets (spread over `rampMs`); `stop()` ends them and returns what each got. */
export function slowSockets(url: string, kinds: SlowKind[], o: { rampMs?: number; reconnectMs?: number } = {}) {
  const { hostname, port } = new URL(url);
  let stopped = false;
  interface Live {
    socket: net.Socket;
    out: Buffer;
    sent: number;
  }
  const live = new Set<Live>();
  const results = kinds.map((k): SlowResult => ({ kind: k.name, connections: 0, statuses: new Map(), heldMs: new Map() }));
  const record = (r: SlowResult, status: string, ms: number) => {
    r.statuses.set(status, (r.statuses.get(status) ?? 0) + 1);
    r.heldMs.set(status, [...(r.heldMs.get(status) ?? []), ms]);
  };
  const open = (kind: SlowKind, r: SlowResult) => {
    if (stopped) return;
    const { head, body } = kind.request();
    const socket = net.connect(Number(port), hostname);
    const at = performance.now();
    r.connections++;
    const entry: Live = { socket, out: Buffer.from(head + body), sent: 0 };
    let answered = false;
    let buf = '';
    socket.setNoDelay(true);
    socket.on('connect', () => {
      if (!kind.slowHead) {
        entry.sent = Buffer.byteLength(head);
        socket.write(entry.out.subarray(0, entry.sent));
      }
      live.add(entry);
    });
    socket.on('data', (d: Buffer) => {
      if (answered) return;
      buf += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
      if (m) {
        answered = true;
        record(r, m[1]!, performance.now() - at);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      live.delete(entry);
      if (!answered) record(r, stopped ? 'open at the end' : 'closed', performance.now() - at);
      if (!stopped) setTimeout(() => open(kind, r), o.reconnectMs ?? 1000).unref();
    });
  };
  // a byte a second on every socket
  const ticker = setInterval(() => {
    for (const e of live) {
      if (e.sent >= e.out.length || e.socket.destroyed) continue;
      e.socket.write(e.out.subarray(e.sent, e.sent + 1));
      e.sent++;
    }
  }, 1000);
  const all = kinds.flatMap((k, i) => Array.from({ length: k.count }, () => [k, results[i]!] as const));
  const rampMs = o.rampMs ?? 1000;
  const started = Promise.all(all.map(([k, r], i) => new Promise<void>((resolve) => setTimeout(() => (open(k, r), resolve()), Math.floor((i / all.length) * rampMs)))));
  return {
    started,
    async stop(): Promise<SlowResult[]> {
      stopped = true;
      clearInterval(ticker);
      for (const e of live) e.socket.destroy();
      await new Promise((r) => setTimeout(r, 100));
      return results;
    },
  };
}

/**
 * Claims at `rate` a second for `seconds`, open-loop: each one's time counts from when it was due,
 * so a stall shows as latency rather than as fewer claims sent.
 */
export async function pacedClaims(url: string, headers: Record<string, string>, rate: number, seconds: number, next: () => { id: string; body: string }): Promise<Outcome[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(url);
  const total = Math.round(rate * seconds);
  const start = performance.now() + 20;
  const pending: Promise<Outcome>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const { id, body } = next();
    pending.push(send(agent, target, '/v1/claims', headers, id, body, 30_000).then((out) => ({ ...out, ms: out.at + out.ms - due })));
  }
  const outs = await Promise.all(pending);
  agent.destroy();
  return outs;
}

export interface BigBodyResult {
  what: string;
  /** the answer's status, or for the stream the status of its first line; 0 = none */
  status: number;
  /** ms from the first byte to the refusal */
  ms: number;
  /** bytes this client had written when it was refused */
  sentBytes: number;
}

/**
 * Sends `head` then zeros (or, chunked, 64 KB chunks of one endless NDJSON line) as fast as the
 * socket takes them, up to 1 GB, until the service answers or 5 s pass. For the stream
 * (`firstLine`), the refusal is its first answer line.
 */
export async function bigBody(url: string, what: string, head: string, o: { chunked: boolean; firstLine?: boolean }): Promise<BigBodyResult> {
  const { hostname, port } = new URL(url);
  const GB = 1024 * 1024 * 1024;
  const socket = net.connect(Number(port), hostname);
  await once(socket, 'connect');
  const started = performance.now();
  let status = 0;
  let refusedAt = Number.NaN;
  let buf = '';
  const answered = new Promise<void>((resolve) => {
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (!o.firstLine) {
        const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
        if (m) {
          status = Number(m[1]);
          refusedAt = performance.now();
          resolve();
        }
      } else {
        const m = /"line":1,"status":(\d{3})/.exec(buf);
        if (m) {
          status = Number(m[1]);
          refusedAt = performance.now();
          resolve();
        }
      }
    });
    socket.on('close', () => resolve());
    socket.on('error', () => {});
  });
  const deadline = setTimeout(() => socket.destroy(), 5000);
  let done = false;
  void answered.then(() => (done = true));
  socket.write(head);
  const zeros = Buffer.alloc(64 * 1024, o.firstLine ? 'x' : '0');
  const piece = o.chunked ? Buffer.concat([Buffer.from(`${zeros.length.toString(16)}\r\n`), zeros, Buffer.from('\r\n')]) : zeros;
  let sent = 0;
  while (!done && sent < GB && !socket.destroyed) {
    const ok = socket.write(piece);
    sent += zeros.length;
    if (!ok) await Promise.race([once(socket, 'drain').catch(() => {}), answered]);
  }
  await answered;
  clearTimeout(deadline);
  socket.destroy();
  return { what, status, ms: refusedAt - started, sentBytes: sent };
}

/** `slowSockets` in a child process (scripts/chaos/attacker.ts); `stop()` returns what each kind got. */
export async function slowSocketsApart(url: string, kinds: { name: string; count: number; head: string; body: string; slowHead?: boolean }[]) {
  const { tsx } = await import('./proc.js');
  const child = tsx('scripts/chaos/attacker.ts', [url], { ATTACK: JSON.stringify(kinds) });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  for (let i = 0; !out.includes('started\n'); i++) {
    if (child.exitCode !== null || i > 600) throw new Error(`the attacker process did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    async stop(): Promise<SlowResult[]> {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      const line = out.split('\n').filter((l) => l.startsWith('['))[0] ?? '[]';
      return (JSON.parse(line) as { kind: string; connections: number; statuses: [string, number][]; heldMs: [string, number[]][] }[]).map((r) => ({
        ...r,
        statuses: new Map(r.statuses),
        heldMs: new Map(r.heldMs),
      }));
    },
  };
}
