import type { OpenAPIHono } from '@hono/zod-openapi';
import { KeyCreateSchema } from '../admin/admin.routes.js';
import type { ManagedKey } from '../auth/api-keys.js';
import { ROLES } from '../auth/api-keys.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { ConflictError, fieldIssues, ForbiddenError, NotFoundError, ValidationError } from '../http/errors.js';
import { MESSAGES } from './i18n.js';
import { KEY_MESSAGES } from './keys.i18n.js';
import { Layout } from './layout.js';
import { actorOf, cstTime, herePath, langOf, type PageContext } from './page-env.js';
import { page } from './page-kit.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The admin's keys page: the same store and checks as /v1/admin/keys. A new key is shown once, in
 * the answer to the form that created it (never stored, never in a URL; pages are no-store).
 */
export function registerKeyPages(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const adminOnly = (c: PageContext) => {
    if (actorOf(c)?.role !== 'admin') throw new ForbiddenError(KEY_MESSAGES[langOf(c)].adminOnly);
    return actorOf(c)!;
  };

  const render = async (c: PageContext, created?: ManagedKey & { key: string }) => {
    const lang = langOf(c);
    const m = MESSAGES[lang];
    const k = KEY_MESSAGES[lang];
    const me = actorOf(c)!;
    const [keys, trail] = await Promise.all([deps.keys.manage(), deps.keys.trail(100)]);
    const at = (iso: string) => cstTime(iso).slice(0, 16);
    return c.html(
      <Layout lang={lang} actor={me} title={k.keys} path={herePath(c)}>
        <h1>{k.keys}</h1>
        <p class="muted">{k.keysHint}</p>
        {created ? (
          <div class="card" id="created">
            <h2>
              {k.created}: {created.clientName} ({m.role[created.role] ?? created.role})
            </h2>
            <p>
              <code id="new-key" style="font-size:15px;user-select:all">
                {created.key}
              </code>
            </p>
            <p class="error">{k.shownOnce}</p>
          </div>
        ) : null}
        <form method="post" action="/ui/keys" class="filters card" id="create-form">
          <label>
            {k.name}
            <input id="key-name" name="clientName" required maxlength={100} size={24} />
          </label>
          <label>
            {k.role}
            <select id="key-role" name="role">
              {ROLES.filter((r) => r !== 'institution').map((r) => (
                <option value={r} selected={r === 'auditor'}>
                  {m.role[r] ?? r}
                </option>
              ))}
            </select>
          </label>
          <button id="create-key" type="submit">
            {k.createButton}
          </button>
          <span class="muted">{k.nameHint}</span>
        </form>
        <table id="keys">
          <thead>
            <tr>
              <th>{k.name}</th>
              <th>{k.role}</th>
              <th>{k.prefix}</th>
              <th>{k.createdAt}</th>
              <th>{k.createdBy}</th>
              <th>{k.status}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr data-key={key.id} class={key.revokedAt ? 'revoked' : 'active'}>
                <td>{key.clientName}</td>
                <td>{m.role[key.role] ?? key.role}</td>
                <td>
                  <code>{key.keyPrefix}…</code>
                </td>
                <td>{at(key.createdAt)}</td>
                <td>{key.createdBy}</td>
                <td class="status">{key.revokedAt ? k.revokedAtBy(at(key.revokedAt), key.revokedBy) : k.active}</td>
                <td>
                  {key.revokedAt ? null : key.id === me.clientId ? (
                    <span class="muted">{k.yourKey}</span>
                  ) : (
                    <form method="post" action={`/ui/keys/${key.id}/revoke`} title={k.revokeConfirm}>
                      <button class="secondary revoke" type="submit">
                        {k.revoke}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>{k.trail}</h2>
        <table id="key-trail">
          <thead>
            <tr>
              <th>{k.when}</th>
              <th>{k.who}</th>
              <th>{k.action}</th>
              <th>{k.key}</th>
              <th>{k.role}</th>
            </tr>
          </thead>
          <tbody>
            {trail.map((e) => (
              <tr data-seq={String(e.seq)}>
                <td>{cstTime(e.at)}</td>
                <td>{e.actor}</td>
                <td>{k.actionName[e.action] ?? e.action}</td>
                <td>{e.clientName}</td>
                <td>{m.role[e.role] ?? e.role}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
      created ? 201 : 200,
    );
  };

  app.get(
    '/ui/keys',
    page(async (c) => {
      adminOnly(c);
      return render(c);
    }),
  );

  app.post(
    '/ui/keys',
    page(async (c) => {
      const me = adminOnly(c);
      const form = await c.req.parseBody();
      const parsed = KeyCreateSchema.safeParse({ clientName: form.clientName, role: form.role });
      if (!parsed.success) throw new ValidationError(fieldIssues(parsed.error.issues));
      const created = await deps.keys.issue(parsed.data, me.clientName);
      deps.logger.info({ keyId: created.id, clientName: created.clientName, role: created.role, by: me.clientName }, 'API key created on the page');
      return render(c, created);
    }),
  );

  app.post(
    '/ui/keys/:id/revoke',
    page(async (c) => {
      const me = adminOnly(c);
      const id = c.req.param('id') ?? '';
      if (!UUID.test(id)) throw new NotFoundError(`No API key ${id}`);
      if (id === me.clientId) throw new ConflictError('A key cannot revoke itself: revoke it with another admin key');
      const outcome = await deps.keys.revokeAs(id, me.clientName);
      if (!outcome.ok && outcome.why === 'missing') throw new NotFoundError(`No API key ${id}`);
      if (outcome.ok) deps.logger.info({ keyId: id, by: me.clientName }, 'API key revoked on the page');
      return c.redirect('/ui/keys', 303);
    }),
  );
}
