import { createMiddleware } from 'hono/factory';
import { ForbiddenError, UnauthorizedError } from '../http/errors.js';
import type { AppEnv } from '../http/env.js';
import type { ApiKeyStore, Role } from './api-keys.js';

export function authenticate(keys: ApiKeyStore) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    const match = header ? /^Bearer\s+(\S{1,200})$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthorizedError();
    const actor = await keys.authenticate(match[1]);
    if (!actor) throw new UnauthorizedError('The API key is unknown or revoked');
    c.set('actor', actor);
    await next();
  });
}

export function requireRole(...roles: Role[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const actor = c.get('actor');
    if (!actor) throw new UnauthorizedError();
    if (!roles.includes(actor.role))
      throw new ForbiddenError(`This action needs one of the roles ${roles.join(', ')}; the key's role is ${actor.role}`);
    await next();
  });
}
