import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nationalFilePath, readNationalFile } from '../src/national-lists/load.js';
import { NATIONAL_FILES } from '../src/national-lists/parse.js';

/** The real national lists, read where the project keeps them: never copied into the repository. */
const SHARED = fileURLToPath(new URL('../../shared/data/nhsa-two-libraries/', import.meta.url));
const FILE = NATIONAL_FILES[0]!;

describe('national list files cannot lead the loader out of their directory', () => {
  it('reads a list that is a regular file inside the directory, the same as from the shared data', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-national-'));
    copyFileSync(path.join(SHARED, FILE), path.join(dir, FILE));
    const here = readNationalFile(dir, FILE);
    const there = readNationalFile(SHARED, FILE);
    expect(here).toEqual(there);
    expect((here.relations?.length ?? 0) + (here.items?.length ?? 0) + (here.drugs?.length ?? 0)).toBeGreaterThan(0);
  });

  it('refuses a list that is a link to a file outside the directory, naming the file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-national-'));
    const outside = path.join(mkdtempSync(path.join(os.tmpdir(), 'cs-outside-')), 'secret.csv');
    writeFileSync(outside, 'a,b\n1,2\n');
    symlinkSync(outside, path.join(dir, FILE));
    expect(() => readNationalFile(dir, FILE)).toThrow(new RegExp(`^${FILE.replace('.', '\\.')}: resolves to .*secret\\.csv, outside the import directory`));
    expect(() => nationalFilePath(dir, '../' + path.basename(path.dirname(outside)) + '/secret.csv')).toThrow(/outside the import directory/);
  });

  it('refuses a list that is a directory', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-national-'));
    mkdirSync(path.join(dir, FILE));
    expect(() => readNationalFile(dir, FILE)).toThrow(`${FILE}: not a regular file; refused`);
  });

  it('follows a link whose target stays inside the directory', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-national-'));
    copyFileSync(path.join(SHARED, FILE), path.join(dir, 'published.csv'));
    symlinkSync('published.csv', path.join(dir, FILE));
    expect(readNationalFile(dir, FILE)).toEqual(readNationalFile(SHARED, FILE));
  });
});
