import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { NotFoundError } from '../http/errors.js';
import { publicSummary } from '../inspections/public-summary.js';
import { MESSAGES } from './i18n.js';
import { Layout } from './layout.js';
import { actorOf, cstTime, herePath, langOf } from './page-env.js';
import { page } from './page-kit.js';
import { EVIDENCE_MESSAGES } from './evidence.i18n.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Inspection draws and their public results, read through the same repository as the API. */
export function registerInspectionPages(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const repo = deps.inspections.inspections;

  app.get(
    '/ui/inspections',
    page(async (c) => {
      const lang = langOf(c);
      const m = MESSAGES[lang];
      const draws = await repo.listDraws(100, 0);
      return c.html(
        <Layout lang={lang} actor={actorOf(c)} title={m.inspections} path={herePath(c)}>
          <h1>{m.inspections}</h1>
          <table id="draws">
            <thead>
              <tr>
                <th>{m.drawTitle}</th>
                <th>{m.method}</th>
                <th>{m.window}</th>
                <th class="num">{m.drawnCount}</th>
                <th>{m.drawnAt}</th>
              </tr>
            </thead>
            <tbody>
              {draws.map((d) => (
                <tr>
                  <td>
                    <a href={`/ui/inspections/${d.id}`}>{d.title}</a>
                  </td>
                  <td>{m.drawKind[d.kind]}</td>
                  <td>
                    {d.windowFrom} – {d.windowTo}
                  </td>
                  <td class="num">{d.count}</td>
                  <td>{cstTime(d.drawnAt).slice(0, 16)}</td>
                </tr>
              ))}
              {draws.length === 0 ? (
                <tr>
                  <td colspan={5} class="muted" id="draws-empty">
                    {EVIDENCE_MESSAGES[lang].inspectionsEmpty}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </Layout>,
      );
    }),
  );

  app.get(
    '/ui/inspections/:drawId',
    page(async (c) => {
      const lang = langOf(c);
      const m = MESSAGES[lang];
      const id = c.req.param('drawId') ?? '';
      const s = UUID.test(id) ? await publicSummary(repo, id) : undefined;
      if (!s) throw new NotFoundError(`No inspection draw ${id}`);
      return c.html(
        <Layout lang={lang} actor={actorOf(c)} title={s.title} path={herePath(c)}>
          <h1>
            {s.title} · {m.publicSummary}
          </h1>
          <div class="card">
            <div>
              {m.method}: {m.drawKind[s.kind]}; {m.selectionName[s.method.weighting.method] ?? s.method.selection}
              {s.method.weighting.method === 'risk' ? ` (${s.method.weighting.basis ?? ''}: ${s.method.weighting.formula ?? ''})` : ''}
            </div>
            <div>
              {m.window}: {s.window.from} – {s.window.to}; {m.pool}: {s.method.poolSize}; {m.drawnCount}: {s.method.drawn}
            </div>
            <div class="muted">
              {m.seed}: <code>{s.method.seed}</code>
            </div>
          </div>
          <table id="summary">
            <thead>
              <tr>
                <th class="num">{m.rank}</th>
                <th>{m.institution}</th>
                <th>{m.status}</th>
                <th>{m.outcome}</th>
                <th>{m.findings}</th>
                <th class="num">{m.amount}</th>
              </tr>
            </thead>
            <tbody>
              {s.institutions.map((r) => (
                <tr>
                  <td class="num">{r.rank}</td>
                  <td>
                    {r.institutionName} <span class="muted">{r.institutionId}</span>
                  </td>
                  <td>{m.inspectionStatus[r.status]}</td>
                  <td>{r.outcome ? m.outcomeName[r.outcome] : '—'}</td>
                  <td>
                    {r.findings.length
                      ? r.findings.map((f) => (
                          <span class="pill">
                            {f.family} × {f.count}
                          </span>
                        ))
                      : m.none}
                  </td>
                  <td class="num">{r.amount}</td>
                </tr>
              ))}
              <tr>
                <th colspan={5}>{m.total}</th>
                <th class="num">{s.totals.amount}</th>
              </tr>
            </tbody>
          </table>
        </Layout>,
      );
    }),
  );
}
