/**
 * API keys: `npm run keys -- create --name <client> --role <role> --by <person>`,
 * `npm run keys -- list`, `npm run keys -- revoke --id <uuid> --by <person>`.
 * The key is printed once; only its hash is stored; the trail records who created or revoked it.
 *
 * While the service runs on the embedded database it is the database's one owner: with
 * CLAIMSCREEN_KEY=<an admin's key> the command goes through its API (/v1/admin/keys) at the URL
 * its lock file names, or at --url / CLAIMSCREEN_URL; the key's holder is then the one recorded.
 */
import { parseArgs } from 'node:util';
import { ROLES, createApiKeyStore, type ManagedKey, type Role } from '../src/auth/api-keys.js';
import { cliConfig, databaseOrService, fail, SERVICE_OPTIONS } from './cli.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, role: { type: 'string' }, by: { type: 'string' }, id: { type: 'string' }, ...SERVICE_OPTIONS },
});
const command = positionals[0];
if (!['create', 'list', 'revoke'].includes(command ?? ''))
  fail(
    'usage: keys create --name <client> --role <settlement|auditor|supervisor|admin> --by <person> | keys list | keys revoke --id <uuid> --by <person>\n' +
      '  while the service runs: CLAIMSCREEN_KEY=<admin key> [CLAIMSCREEN_URL=<service URL>] (or --key, --url); --by is then the key’s holder',
  );
if (command === 'create') {
  if (!values.name) fail('--name <client name> is required');
  if (!values.role || !(ROLES as readonly string[]).includes(values.role)) fail(`--role must be one of ${ROLES.join(', ')}`);
}
if (command === 'revoke' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(values.id ?? '')) fail('--id <key id> (a UUID) is required');

const out = (v: unknown) => process.stdout.write(`${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
const config = cliConfig();
const target = await databaseOrService(config, values);

if ('service' in target) {
  const api = target.service;
  if (values.by) process.stderr.write('through the service, the admin key’s holder is recorded as the one acting (--by is not used)\n');
  if (command === 'create') {
    const k = await api.json<ManagedKey & { key: string }>('POST', '/v1/admin/keys', { clientName: values.name, role: values.role });
    out({ id: k.id, clientName: k.clientName, role: k.role, key: k.key });
  } else if (command === 'list') {
    for (const k of (await api.json<{ keys: ManagedKey[] }>('GET', '/v1/admin/keys')).keys) out(k);
  } else {
    await api.request('POST', `/v1/admin/keys/${encodeURIComponent(values.id!)}/revoke`);
    out(`revoked ${values.id}`);
  }
} else {
  const { database } = target;
  if (command !== 'list' && !values.by) {
    await database.close();
    fail(`--by <the person ${command === 'create' ? 'creating' : 'revoking'} the key> is required`);
  }
  const keys = createApiKeyStore({ database, cacheTtlMs: 0 });
  try {
    if (command === 'create') {
      const k = await keys.issue({ clientName: values.name!, role: values.role as Role }, values.by!);
      out({ id: k.id, clientName: k.clientName, role: k.role, key: k.key });
    } else if (command === 'list') {
      for (const k of await keys.manage()) out(k);
    } else {
      const r = await keys.revokeAs(values.id!, values.by!);
      if (r.ok) out(`revoked ${values.id}`);
      else {
        process.stderr.write(`${r.why === 'missing' ? `no key with id ${values.id}` : `the key ${values.id} is already revoked`}\n`);
        process.exitCode = 2;
      }
    }
  } finally {
    await database.close();
  }
}
