import { afterAll, beforeAll } from 'vitest';
import { flushStatements, labelStatementsByFile } from '../../src/db/statement-log.js';

/**
 * SQL_LOG=<file>: the statements each test file ran, one JSON line per file and engine
 * (src/db/statement-log.ts), for `npm run sql-coverage`. A file's afterAll runs before this one's.
 */
let file = '';
labelStatementsByFile();
// eslint-disable-next-line no-empty-pattern -- vitest reads the hook's first argument as fixtures; the suite is the second
beforeAll(({}, suite) => {
  // what a background job of an earlier file ran after that file ended
  flushStatements('between files');
  file = (suite as { file?: { filepath?: string } }).file?.filepath ?? String(suite.name);
});
afterAll(() => flushStatements(file));
