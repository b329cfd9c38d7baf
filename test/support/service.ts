import { Writable } from 'node:stream';
import { inject } from 'vitest';
import type { Role } from '../../src/auth/api-keys.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/server.js';
import { freshDatabaseUrl } from './database.js';

export const TEST_SECRET = 'test-person-id-secret-0123456789abcdef';

export interface TestService extends RunningService {
  keys: Record<Role, string>;
  logs: string[];
  databaseUrl: string | undefined;
  /** fetch against the service with a role's key */
  call(path: string, init?: RequestInit & { role?: Role | null; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/** A real service on a real port, over a fresh database, with one key per role. */
export async function startTestService(env: Record<string, string> = {}): Promise<TestService> {
  const db = await freshDatabaseUrl();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: 'memory://',
    PERSON_ID_SECRET: TEST_SECRET,
    LOG_LEVEL: 'info',
    AUTH_CACHE_TTL_MS: '0',
    // months are closed by the tests themselves (test/review/sample-closer.test.ts drives the closer)
    REVIEW_SAMPLE_AUTOCLOSE_MS: '0',
    PGLITE_TEMPLATE: inject('pgliteTemplate'),
    ...(db.url ? { DATABASE_URL: db.url } : {}),
    ...env,
  });
  const service = await startService(config, createLogger(config.LOG_LEVEL, sink));
  const keys = {} as Record<Role, string>;
  for (const role of ['settlement', 'auditor', 'supervisor', 'admin'] as const) {
    keys[role] = (await service.deps.keys.create({ clientName: `test-${role}`, role, createdBy: 'test' })).key;
  }
  return {
    ...service,
    keys,
    logs,
    databaseUrl: db.url,
    call(path, init = {}) {
      const { role = 'settlement', json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (role) headers.set('authorization', `Bearer ${keys[role]}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${service.url}${path}`, {
        ...rest,
        headers,
        ...(json !== undefined ? { method: rest.method ?? 'POST', body: JSON.stringify(json) } : {}),
      });
    },
    async close() {
      await service.stop();
      await db.drop();
    },
  };
}
