import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { AppEnv } from '../http/env.js';
import type { Actor, ApiKeyStore, Role } from './api-keys.js';

/** The bearer token of the Authorization header, if it has the shape of one. */
export function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  return (header ? /^Bearer\s+(\S{1,200})$/i.exec(header) : null)?.[1];
}

// One key lookup a request: admission (src/http/admission.ts) checks the key before the body is
// read, and the route's `authenticate` reuses that answer.
const looked = new WeakMap<object, Promise<Actor | null>>();
export function keyActor(keys: ApiKeyStore, c: Context): Promise<Actor | null> | undefined {
  const known = looked.get(c.req.raw);
  if (known) return known;
  const token = bearerToken(c);
  if (!token) return undefined;
  const actor = keys.authenticate(token);
  looked.set(c.req.raw, actor);
  return actor;
}

export function authenticate(keys: ApiKeyStore) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const lookup = keyActor(keys, c);
    if (!lookup) throw new UnauthorizedError();
    const actor = await lookup;
    if (!actor) throw new UnauthorizedError('The API key is unknown or revoked');
    c.set('actor', actor);
    await next();
  });
}

export function requireRole(...roles: Role[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const actor = c.get('actor');
    if (!actor) throw new UnauthorizedError();
    if (!roles.includes(actor.role)) throw new ForbiddenError(`This action needs one of the roles ${roles.join(', ')}; the key's role is ${actor.role}`);
    await next();
  });
}
