import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SERVICE_NODE_FLAGS } from '../src/node-flags.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('the service process starts with its Node flags', () => {
  it('npm start passes every flag to node before the service', () => {
    const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    expect(start.split(/\s+/)).toEqual(['node', ...SERVICE_NODE_FLAGS, '--import', 'tsx', 'src/main.ts']);
  });

  it("the Dockerfile's CMD passes every flag to node before the service", () => {
    const cmd = readFileSync(path.join(root, 'Dockerfile'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('CMD '));
    expect(cmd).toHaveLength(1);
    expect(JSON.parse(cmd[0]!.slice(4))).toEqual(['node', ...SERVICE_NODE_FLAGS, 'dist/src/main.js']);
  });

  it('node accepts them (a misspelt flag stops node before the service starts)', () => {
    const ok = spawnSync(process.execPath, [...SERVICE_NODE_FLAGS, '-e', 'process.stdout.write(String(process.execArgv.includes("--max-semi-space-size=32")))'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('true');
    const bad = spawnSync(process.execPath, ['--max-semi-spase-size=32', '-e', ''], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
  });
});
