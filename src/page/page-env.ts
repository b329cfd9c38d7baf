import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Actor } from '../auth/api-keys.js';
import type { AppEnv } from '../http/env.js';
import { pickLang, type Lang } from './i18n.js';

export type PageContext = Context<AppEnv>;

export function langOf(c: PageContext): Lang {
  return pickLang(getCookie(c, 'lang'), c.req.query('lang'));
}

/** The page's own path and query, to come back to after a language switch. */
export const herePath = (c: PageContext) => {
  const url = new URL(c.req.url);
  return `${url.pathname}${url.search}`;
};

export const actorOf = (c: PageContext): Actor | undefined => c.get('actor');

/** An instant as China Standard Time, yyyy-MM-dd HH:mm:ss: what the staff read. */
export const cstTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
