import { html, raw } from 'hono/html';

type Doc = {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; responses?: Record<string, { description?: string; content?: Media }> };
};
type Media = Record<string, { schema?: Schema }>;
type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: Schema }[];
  requestBody?: { description?: string; content?: Media };
  responses?: Record<string, { description?: string; $ref?: string; content?: Media }>;
};
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
  enum?: unknown[];
  items?: Schema;
  $ref?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  example?: unknown;
};

/**
 * A readable, self-contained page of the OpenAPI document: no script and nothing fetched from a
 * CDN, because the fund's network is often closed to the internet.
 */
export function renderDocsPage(document: unknown) {
  const doc = document as Doc;
  const ops = Object.entries(doc.paths ?? {}).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));
  const schemas = Object.entries(doc.components?.schemas ?? {});
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${doc.info.title} API</title>
        <style>
          body {
            font:
              15px/1.5 system-ui,
              sans-serif;
            max-width: 60rem;
            margin: 2rem auto;
            padding: 0 1rem;
            color: #222;
          }
          code,
          .m {
            font-family: ui-monospace, monospace;
          }
          .m {
            display: inline-block;
            width: 4.5rem;
            font-weight: bold;
          }
          section {
            border-top: 1px solid #ddd;
            padding: 0.5rem 0;
          }
          table {
            border-collapse: collapse;
            width: 100%;
          }
          td,
          th {
            border: 1px solid #ddd;
            padding: 0.2rem 0.4rem;
            text-align: left;
            vertical-align: top;
          }
        </style>
      </head>
      <body>
        <h1>${doc.info.title} <small>${doc.info.version}</small></h1>
        <p>${doc.info.description ?? ''}</p>
        <p>
          Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Every endpoint but <code>/healthz</code>, <code>/readyz</code> and this documentation needs
          <code>Authorization: Bearer &lt;key&gt;</code>.
        </p>
        <h2>Operations</h2>
        ${ops.map(
          ({ path, method, op }) =>
            html`<section id="${method}-${path}">
              <h3><span class="m">${method}</span><code>${path}</code></h3>
              <p>
                <b>${op.summary ?? ''}</b> <small><code>${op.operationId ?? ''}</code></small>
              </p>
              <p>${op.description ?? ''}</p>
              ${
                op.parameters?.length
                  ? html`<table>
                      <tr>
                        <th>parameter</th>
                        <th>in</th>
                        <th>type</th>
                        <th>required</th>
                        <th>notes</th>
                      </tr>
                      ${op.parameters.map(
                        (p) =>
                          html`<tr>
                            <td><code>${p.name}</code></td>
                            <td>${p.in}</td>
                            <td>${p.schema ? typeOf(p.schema) : ''}</td>
                            <td>${p.required ? 'yes' : ''}</td>
                            <td>${p.description ?? ''}${p.schema?.enum ? ` one of: ${p.schema.enum.join(', ')}` : ''}</td>
                          </tr>`,
                      )}
                    </table>`
                  : ''
              }
              ${op.requestBody ? html`<p>Body: ${mediaTypes(op.requestBody.content)} ${op.requestBody.description ?? ''}</p>` : ''}
              <ul>
                ${Object.entries(op.responses ?? {}).map(([status, r]) => {
                  const response = r.$ref ? (doc.components?.responses?.[r.$ref.split('/').pop() as string] ?? r) : r;
                  return html`<li><code>${status}</code> ${mediaTypes(response.content)} ${response.description ?? ''}</li>`;
                })}
              </ul>
            </section>`,
        )}
        <h2>Schemas</h2>
        ${schemas.map(
          ([name, s]) =>
            html`<section id="schema-${name}">
              <h3>${name}</h3>
              ${s.description ? html`<p>${s.description}</p>` : ''}
              ${(s.oneOf ?? s.anyOf ?? (s.properties ? [s] : [])).map((variant, i, all) => fields(variant, all.length > 1 ? `one of (${i + 1})` : ''))}
            </section>`,
        )}
      </body>
    </html>`;
}

/** A schema's fields as a table; a union shows one table per variant. */
function fields(s: Schema, caption: string) {
  return s.properties
    ? html`${caption ? html`<p><i>${caption}</i></p>` : ''}
        <table>
          <tr>
            <th>field</th>
            <th>type</th>
            <th>required</th>
            <th>notes</th>
          </tr>
          ${Object.entries(s.properties).map(
            ([field, p]) =>
              html`<tr>
                <td><code>${field}</code></td>
                <td>${typeOf(p)}</td>
                <td>${s.required?.includes(field) ? 'yes' : ''}</td>
                <td>${p.description ?? ''}${p.enum ? ` one of: ${p.enum.join(', ')}` : ''}</td>
              </tr>`,
          )}
        </table>`
    : s.$ref
      ? html`<p>${typeOf(s)}</p>`
      : raw('');
}

function mediaTypes(content: Media | undefined) {
  return Object.entries(content ?? {}).map(([type, m]) => html`<code>${type}</code>${m.schema ? html` ${typeOf(m.schema)}` : ''} `);
}

function typeOf(s: Schema): string {
  if (s.$ref) return s.$ref.split('/').pop() ?? 'object';
  if (s.anyOf ?? s.oneOf) return (s.anyOf ?? s.oneOf ?? []).map(typeOf).join(' | ');
  if (s.allOf) return s.allOf.map(typeOf).join(' & ');
  if (s.type === 'array' && s.items) return `${typeOf(s.items)}[]`;
  if (Array.isArray(s.type)) return s.type.join(' | ');
  return s.type ?? 'any';
}
