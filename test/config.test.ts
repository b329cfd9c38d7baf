import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { runScript } from './support/node-script.js';

/** A wrong setting stops the service at start-up, naming the setting. */
const SECRET = 'a-person-id-secret-of-at-least-32-chars';

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('takes defaults and coerces numbers', () => {
    const config = loadConfig({ PORT: '9090', DB_POOL_MAX: '8' });
    expect(config).toMatchObject({
      PORT: 9090,
      DB_POOL_MAX: 8,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      BODY_LIMIT_BYTES: 1024 * 1024,
      MAX_LINES_PER_CLAIM: 1000,
      STREAM_CONCURRENCY: 48,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000,
      DB_BATCH_MAX: 32,
      DB_BATCHES_IN_FLIGHT: 2,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    // an empty value is an unset one
    expect(loadConfig({ PORT: '' }).PORT).toBe(8080);
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x', PERSON_ID_SECRET: SECRET }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['PERSON_ID_SECRET', { PERSON_ID_SECRET: 'short' }],
    ['PERSON_ID_SECRET', { DATABASE_URL: 'postgres://db/claims' }],
    ['BODY_LIMIT_BYTES', { BODY_LIMIT_BYTES: '-1' }],
    ['STREAM_CONCURRENCY', { STREAM_CONCURRENCY: '0' }],
    ['DB_BATCH_MAX', { DB_BATCH_MAX: '0' }],
    ['DB_BATCHES_IN_FLIGHT', { DB_BATCHES_IN_FLIGHT: '0' }],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', { HTTP_KEEP_ALIVE_TIMEOUT_MS: '500' }],
  ])('refuses a wrong %s', (setting, env) => {
    const message = refusal(env);
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toContain(`  ${setting}: `);
  });

  it('names every wrong setting at once', () => {
    const message = refusal({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', PERSON_ID_SECRET: SECRET });
    expect(
      message
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(':')[0]),
    ).toEqual(['PORT', 'DATABASE_URL', 'LOG_LEVEL']);
  });
});

// the service's entry point as `npm start` runs it, compiled from the current source once per run
describe('src/main.ts in a process of its own', () => {
  it('exits non-zero printing the wrong setting', async () => {
    const { code, stdout, stderr } = await runScript('src/main.ts', [], { DATABASE_URL: undefined, PORT: 'abc', DATA_DIR: 'memory://' });
    expect(code).toBe(2); // a configuration error, not a crash (1)
    expect(stderr).toContain('Invalid configuration:');
    expect(stderr).toMatch(/^\s+PORT: /m);
    expect(stdout).not.toContain('listening');
  }, 60_000);
});
