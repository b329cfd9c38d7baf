import { AppError } from '../http/errors.js';
import { httpStatusOf } from '../http/error-status.js';
import { MESSAGES } from './i18n.js';
import { Layout } from './layout.js';
import { actorOf, herePath, langOf, type PageContext } from './page-env.js';

/** A page error: the same AppError the API throws, shown as a page rather than JSON. */
export function errorPage(c: PageContext, err: AppError) {
  const lang = langOf(c);
  const m = MESSAGES[lang];
  const status = httpStatusOf(err);
  const title = status === 404 ? m.notFound : status === 403 ? m.forbidden : String(status);
  return c.html(
    <Layout lang={lang} actor={actorOf(c)} title={title} path={herePath(c)}>
      <h1>{title}</h1>
      <p class="error" id="error">
        {err.message}
      </p>
    </Layout>,
    status,
  );
}

/** Every page handler: AppErrors become error pages; anything else goes to the app's handler. */
export function page(handler: (c: PageContext) => Promise<Response> | Response) {
  return async (c: PageContext) => {
    try {
      return await handler(c);
    } catch (err) {
      if (err instanceof AppError) return errorPage(c, err);
      throw err;
    }
  };
}
