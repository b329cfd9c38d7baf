import type { Result, Router } from 'hono/router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';

/** paths remembered at most; past it the memory starts again (any path may be asked for) */
const MAX_ENTRIES = 1024;
/** longer paths are matched every time */
const MAX_PATH = 256;

/**
 * Hono's default router (RegExpRouter, else TrieRouter: the service's routes need the trie), with
 * each (method, path) matched once: the routes are all added before the first request, so a path's
 * match never changes, and the trie's search was ~2 % of a claim's CPU, asked again for every
 * claim on the same path. Hono only reads a match; adding a route after the first request is
 * refused, as hono's own SmartRouter refuses it.
 */
export class MatchOnceRouter<T> implements Router<T> {
  readonly name: string;
  readonly #router: Router<T>;
  readonly #matches = new Map<string, Result<T>>();

  constructor(router: Router<T> = new SmartRouter<T>({ routers: [new RegExpRouter<T>(), new TrieRouter<T>()] })) {
    this.#router = router;
    this.name = `MatchOnce(${router.name})`;
  }

  add(method: string, path: string, handler: T): void {
    this.#router.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    if (path.length > MAX_PATH) return this.#router.match(method, path);
    const key = `${method} ${path}`;
    let found = this.#matches.get(key);
    if (found === undefined) {
      found = this.#router.match(method, path);
      if (this.#matches.size >= MAX_ENTRIES) this.#matches.clear();
      this.#matches.set(key, found);
    }
    return found;
  }
}
