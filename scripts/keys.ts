/**
 * API keys: `npm run keys -- create --name <client> --role <role> --by <person>`,
 * `npm run keys -- list`, `npm run keys -- revoke --id <uuid>`.
 * The key is printed once; only its hash is stored.
 */
import { parseArgs } from 'node:util';
import { ROLES, createApiKeyStore, type Role } from '../src/auth/api-keys.js';
import { openConfiguredDatabase } from '../src/compose.js';
import { cliConfig, fail } from './cli.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, role: { type: 'string' }, by: { type: 'string' }, id: { type: 'string' } },
});
const command = positionals[0];
const config = cliConfig();
const database = await openConfiguredDatabase(config);
const keys = createApiKeyStore({ database, cacheTtlMs: 0 });
try {
  if (command === 'create') {
    if (!values.name) fail('--name <client name> is required');
    if (!values.role || !(ROLES as readonly string[]).includes(values.role)) fail(`--role must be one of ${ROLES.join(', ')}`);
    if (!values.by) fail('--by <the person creating the key> is required');
    const { id, key } = await keys.create({ clientName: values.name, role: values.role as Role, createdBy: values.by });
    process.stdout.write(`${JSON.stringify({ id, clientName: values.name, role: values.role, key })}\n`);
  } else if (command === 'list') {
    for (const k of await keys.list()) process.stdout.write(`${JSON.stringify(k)}\n`);
  } else if (command === 'revoke') {
    if (!values.id) fail('--id <key id> is required');
    if (!(await keys.revoke(values.id))) fail(`no active key with id ${values.id}`);
    process.stdout.write(`revoked ${values.id}\n`);
  } else {
    fail('usage: keys create --name <client> --role <settlement|auditor|supervisor|admin> --by <person> | keys list | keys revoke --id <uuid>');
  }
} finally {
  await database.close();
}
