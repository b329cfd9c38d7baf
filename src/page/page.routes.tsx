import type { OpenAPIHono } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { AppError } from '../http/errors.js';
import { errorPage } from './page-kit.js';
import { MESSAGES } from './i18n.js';
import { registerCasePages } from './case.page.js';
import { registerInspectionPages } from './inspections.page.js';
import { registerKeyPages } from './keys.page.js';
import { registerQueuePage } from './queue.page.js';
import { registerRecheckPage } from './recheck.page.js';
import { registerClaimPage } from './evidence.page.js';
import { registerReportPages } from './reports.page.js';
import { registerOversightPages } from './oversight.page.js';
import { registerTrailPage } from './trail.page.js';
import { Layout } from './layout.js';
import { herePath, langOf, type PageContext } from './page-env.js';
import { SESSION_COOKIE } from './session.js';

export function registerPageRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const { sessions } = deps;
  const secure = (c: PageContext) => new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

  // Forms post only from the page's own origin (the cookie is SameSite=Strict as well).
  app.use('/ui/*', async (c, next) => {
    if (c.req.method === 'POST') {
      const origin = c.req.header('origin');
      if (origin && origin !== 'null' && new URL(origin).host !== c.req.header('host')) return errorPage(c, new AppError('forbidden', 'forbidden', 'Cross-origin form refused'));
    }
    c.header('Cache-Control', 'no-store');
    c.header('X-Frame-Options', 'DENY');
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'");
    await next();
  });

  const signedIn = createMiddleware<AppEnv>(async (c, next) => {
    const actor = await sessions.actor(getCookie(c, SESSION_COOKIE));
    if (!actor) return c.redirect(`/ui/login?next=${encodeURIComponent(herePath(c))}`, 303);
    c.set('actor', actor);
    await next();
  });

  app.get('/ui', (c) => c.redirect('/ui/queue', 303));
  app.get('/ui/', (c) => c.redirect('/ui/queue', 303));

  app.get('/ui/lang/:lang', (c) => {
    const lang = c.req.param('lang') === 'en' ? 'en' : 'zh';
    setCookie(c, 'lang', lang, { path: '/ui', sameSite: 'Strict', maxAge: 365 * 86400 });
    const back = c.req.query('back') ?? '/ui/';
    return c.redirect(/^\/ui(\/|$)/.test(back) && !back.startsWith('//') ? back : '/ui/', 303);
  });

  const loginPage = (c: PageContext, failed: boolean, next: string) => {
    const lang = langOf(c);
    const m = MESSAGES[lang];
    return c.html(
      <Layout lang={lang} title={m.signIn} path={herePath(c)}>
        <div class="login card">
          <h1>{m.signInTitle}</h1>
          {failed ? (
            <p class="error" id="error">
              {m.badKey}
            </p>
          ) : null}
          <form method="post" action="/ui/login">
            <input type="hidden" name="next" value={next} />
            <p>
              <label for="key">{m.keyLabel}</label>
              <input id="key" name="key" type="password" autocomplete="off" required />
            </p>
            <p class="muted">{m.keyHint}</p>
            <button id="sign-in" type="submit">
              {m.signIn}
            </button>
          </form>
        </div>
      </Layout>,
      failed ? 401 : 200,
    );
  };
  const safeNext = (next: unknown) => (typeof next === 'string' && /^\/ui\//.test(next) && !next.startsWith('//') ? next : '/ui/queue');

  app.get('/ui/login', (c) => loginPage(c, false, safeNext(c.req.query('next'))));
  app.post('/ui/login', async (c) => {
    const form = await c.req.parseBody();
    const key = typeof form.key === 'string' ? form.key.trim() : '';
    const next = safeNext(form.next);
    const session = key && key.length <= 200 ? await sessions.signIn(key) : undefined;
    if (!session) return loginPage(c, true, next);
    setCookie(c, SESSION_COOKIE, session.token, { path: '/ui', httpOnly: true, sameSite: 'Strict', secure: secure(c), maxAge: 8 * 3600 });
    deps.logger.info({ person: session.actor.clientName, role: session.actor.role }, 'page sign-in');
    return c.redirect(next, 303);
  });
  app.post('/ui/logout', async (c) => {
    await sessions.signOut(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/ui' });
    return c.redirect('/ui/login', 303);
  });

  app.use('/ui/queue', signedIn);
  app.use('/ui/queue/*', signedIn);
  app.use('/ui/cases/*', signedIn);
  app.use('/ui/inspections', signedIn);
  app.use('/ui/inspections/*', signedIn);
  app.use('/ui/recheck', signedIn);
  app.use('/ui/recheck/*', signedIn);
  app.use('/ui/claims/*', signedIn);
  app.use('/ui/trail', signedIn);
  app.use('/ui/conflicts', signedIn);
  app.use('/ui/conflicts/*', signedIn);
  app.use('/ui/outcomes', signedIn);
  app.use('/ui/reports', signedIn);
  app.use('/ui/reports/*', signedIn);
  app.use('/ui/keys', signedIn);
  app.use('/ui/keys/*', signedIn);

  registerInspectionPages(app, deps);
  registerQueuePage(app, deps);
  registerCasePages(app, deps);
  registerKeyPages(app, deps);
  registerRecheckPage(app, deps);
  registerClaimPage(app, deps);
  registerTrailPage(app, deps);
  registerReportPages(app, deps);
  registerOversightPages(app, deps);
}
