/**
 * Reference data from CSV: `npm run import -- <kind> <file.csv> [--batch 1000]`, kind one of
 * institutions, catalogue-items, item-relations, stock-records, person-register, item-indications, exam-recognition, service-scopes, doctors (persons by their
 * raw id, stored only as its keyed hash: the service's PERSON_ID_SECRET must be configured). The header row names the fields
 * (nested ones with dots: priceCeiling.primary; lists "|"-separated). Every row is checked with the
 * API's schema; good rows are written in batches (one transaction each), bad rows are reported by
 * row, line and field, and any bad row makes the exit status 1 after the good ones are loaded.
 */
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import type { Database } from '../src/db/client.js';
import { formatPath } from '../src/errors.js';
import { csvColumns, headerProblems, rowReader } from '../src/reference/csv-record.js';
import { createReferenceRepository, type ReferenceRepository } from '../src/reference/reference.repository.js';
import { REFERENCE_KINDS, type ReferenceKind } from '../src/reference/reference.schema.js';
import { resolvePersonIdSecret } from '../src/compose.js';
import { cliConfig, fail, openDatabaseOrExplain } from './cli.js';
import { createImportProgress } from './import-progress.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { batch: { type: 'string', default: '1000' } } });
const [kindArg, fileArg] = positionals;
const kinds = Object.keys(REFERENCE_KINDS);
if (!kindArg || !kinds.includes(kindArg) || !fileArg || positionals.length > 2) fail(`usage: import <${kinds.join('|')}> <file.csv> [--batch 1000]`);
const kind = kindArg as ReferenceKind;
const batchSize = Number(values.batch);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000) fail('--batch must be a whole number from 1 to 5000');
const file = path.resolve(fileArg);
const size = fileSize(file);

const config = cliConfig();
// Opened at the first batch: a file refused for its header never needs the database.
let database: Database | undefined;
let repository: ReferenceRepository | undefined;
const schema = REFERENCE_KINDS[kind];
const progress = createImportProgress(size);
const MAX_REPORTED = 1000;
const reports: { line: number; text: string }[] = [];
let loaded = 0,
  refused = 0,
  rows = 0,
  malformed = 0,
  pending: unknown[] = [];
let header: string[] | undefined;
let readRow: ((cells: readonly string[]) => Record<string, unknown>) | undefined;
let fatal: string | undefined;
const started = performance.now();

const refuse = (line: number, text: string) => {
  refused++;
  if (reports.length < MAX_REPORTED) reports.push({ line, text });
};
async function flush() {
  if (pending.length === 0) return;
  const batch = pending;
  pending = [];
  database ??= await openDatabaseOrExplain(config);
  repository ??= createReferenceRepository({ database, personIdSecret: config.DATABASE_URL ? (config.PERSON_ID_SECRET as string) : resolvePersonIdSecret(config) });
  await repository.upsert(kind, batch as never);
  loaded += batch.length;
}

try {
  const input = createReadStream(file);
  input.on('data', (chunk) => progress.read(chunk.length));
  // A malformed record (a stray quote) is skipped and reported; parsing goes on with the next.
  const parser = parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true });
  // pipeline, not pipe: a read error then ends the loop below instead of leaving it waiting.
  pipeline(input, parser, () => {});
  parser.on('skip', (err: Error & { lines?: number }) => {
    if (fatal) return;
    malformed++;
    refuse(err.lines ?? 0, `line ${err.lines ?? '?'}: ${err.message}`);
  });
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!header) {
      header = record.map((h) => h.trim());
      const problems = headerProblems(kind, header);
      if (problems.length > 0) {
        fatal = `the header does not fit ${kind}: ${problems.join('; ')} (columns: ${csvColumns(kind)
          .map((c) => c.name)
          .join(',')})`;
        // The parser reads ahead; what it found wrong past the header is moot when no row is read.
        reports.length = refused = malformed = 0;
        break;
      }
      readRow = rowReader(kind, header);
      continue;
    }
    rows++;
    progress.rows(rows);
    const where = `row ${rows} (line ${info.lines})`;
    if (record.length !== header.length) {
      refuse(info.lines, `${where}: has ${record.length} fields, the header has ${header.length}`);
      continue;
    }
    const parsed = schema.safeParse(readRow!(record));
    if (!parsed.success) {
      refuse(info.lines, parsed.error.issues.map((i) => `${where} ${formatPath(i.path) || '(row)'}: ${i.message}`).join('\n'));
      continue;
    }
    pending.push(parsed.data);
    if (pending.length >= batchSize) await flush();
  }
  if (!fatal) await flush();
} catch (err) {
  fatal = (err as Error).message;
} finally {
  progress.stop();
  await database?.close();
}

if (!header && !fatal) fatal = 'the file is empty (no header row)';
for (const r of reports.sort((a, b) => a.line - b.line)) process.stderr.write(`${r.text}\n`);
if (refused > reports.length) process.stderr.write(`… ${refused - reports.length} more refused rows not listed\n`);
if (fatal) process.stderr.write(`import stopped: ${fatal}\n`);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(`${kind}: ${loaded} loaded, ${refused} refused of ${rows + malformed} rows read from ${file} in ${seconds} s${fatal ? ' (stopped early)' : ''}\n`);
process.exitCode = fatal ? 2 : refused > 0 ? 1 : 0;

function fileSize(p: string): number {
  let stat;
  try {
    stat = statSync(p);
  } catch (err) {
    fail(`cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!stat.isFile()) fail(`${p} is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}; give a CSV file`);
  return stat.size;
}
