/**
 * Loads the NHSA national rule lists into relations and restrictions:
 * `npm run import:national -- [--dir ../shared/data/nhsa-two-libraries] [--valid-from 2020-01-01]`.
 * Reloading replaces each list's earlier rows; running services pick the change up within their
 * reference refresh interval.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { parseDate } from '../src/lib/time.js';
import { NATIONAL_FILES } from '../src/national-lists/parse.js';
import { loadNationalLists } from '../src/national-lists/load.js';
import { cliConfig, fail, openDatabaseOrExplain } from './cli.js';

const { values } = parseArgs({ options: { dir: { type: 'string' }, 'valid-from': { type: 'string' } } });
const dir = path.resolve(values.dir ?? '../shared/data/nhsa-two-libraries');
const validFrom = values['valid-from'] ?? '2020-01-01';
if (parseDate(validFrom) === undefined) fail('--valid-from must be a date yyyy-MM-dd');

const config = cliConfig();
const database = await openDatabaseOrExplain(config);
const bar = process.stderr.isTTY ? new SingleBar({ format: 'national lists [{bar}] {value}/{total} {file}', stream: process.stderr }) : undefined;
bar?.start(NATIONAL_FILES.length, 0, { file: '' });
try {
  const summaries = await loadNationalLists(database, dir, validFrom, (s) => bar?.increment({ file: s.file }));
  bar?.stop();
  for (const s of summaries) process.stdout.write(`${s.file}: ${s.relations} relations, ${s.items} item limits, ${s.drugs} drug limits\n`);
} catch (err) {
  bar?.stop();
  fail(`import failed: ${(err as Error).message}`);
} finally {
  await database.close();
}
