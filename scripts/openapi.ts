/**
 * The service's OpenAPI document as a file, built on an embedded database in memory without
 * starting a server, so what is written or linted is what /openapi.json serves.
 *
 *   tsx scripts/openapi.ts out.json   write it
 *   tsx scripts/openapi.ts --lint     write it to a temporary file and lint it with redocly.yaml
 *                                     (npm run lint:openapi, part of npm test's check)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app.js';
import { buildDeps, openConfiguredDatabase } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { openApiDocument } from '../src/http/openapi.js';
import { createLogger } from '../src/logger.js';

async function buildDocument() {
  const config = loadConfig({ DATA_DIR: 'memory://openapi', PERSON_ID_SECRET: 'openapi-document-only-'.padEnd(32, '0'), LOG_LEVEL: 'silent' });
  const database = await openConfiguredDatabase(config);
  try {
    return openApiDocument(createApp(buildDeps(config, database, createLogger('silent'), config.PERSON_ID_SECRET as string)));
  } finally {
    await database.close();
  }
}

const arg = process.argv[2];
if (arg !== '--lint' && (arg === undefined || arg.startsWith('-'))) {
  process.stderr.write('usage: tsx scripts/openapi.ts <out.json> | --lint\n');
  process.exit(2);
}
const document = `${JSON.stringify(await buildDocument(), null, 2)}\n`;
if (arg === '--lint') {
  const dir = mkdtempSync(path.join(tmpdir(), 'claimscreen-openapi-'));
  try {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, document);
    const root = path.resolve(import.meta.dirname, '..');
    const lint = spawnSync(path.join(root, 'node_modules/.bin/redocly'), ['lint', file, '--config', path.join(root, 'redocly.yaml'), '--format', 'stylish'], {
      stdio: 'inherit',
      // no usage report and no update check: the lint runs offline, in CI too
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    process.exitCode = lint.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  writeFileSync(arg, document);
}
