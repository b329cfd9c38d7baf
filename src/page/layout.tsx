import type { Child } from 'hono/jsx';
import type { Actor } from '../auth/api-keys.js';
import { MESSAGES, type Lang } from './i18n.js';
import { KEY_MESSAGES } from './keys.i18n.js';
import { RECHECK_MESSAGES } from './recheck.i18n.js';
import { EVIDENCE_MESSAGES } from './evidence.i18n.js';

const CSS = `
*{box-sizing:border-box}body{margin:0;font:14px/1.5 "Noto Sans CJK SC","WenQuanYi Zen Hei","PingFang SC","Microsoft YaHei","Liberation Sans",Arial,sans-serif;color:#1d2733;background:#f4f6f8}
header{display:flex;gap:1.5rem;align-items:center;background:#12355b;color:#fff;padding:.6rem 1.2rem}header a{color:#fff;text-decoration:none}header .app{font-weight:700;font-size:16px}
header nav{display:flex;gap:1rem;flex:1}header .me{opacity:.85}header form{margin:0}
main{padding:1rem 1.2rem;max-width:1400px}h1{font-size:20px;margin:.2rem 0 1rem}h2{font-size:16px;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d8dee4;padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#eef2f6;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.violating td{background:#fde2e1}tr.involved td{background:#fff4d6}
.card{background:#fff;border:1px solid #d8dee4;border-radius:4px;padding:.8rem 1rem;margin-bottom:1rem}
.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end;margin-bottom:.8rem}.filters label{display:flex;flex-direction:column;font-size:12px;color:#4a5868}
input,select,textarea,button{font:inherit;padding:.3rem .45rem;border:1px solid #aab4bf;border-radius:3px}button{background:#12355b;color:#fff;border-color:#12355b;cursor:pointer}
button.secondary{background:#fff;color:#12355b}.error{color:#b3261e;font-weight:600}.muted{color:#66727f}.pill{display:inline-block;padding:0 .4rem;border-radius:8px;background:#e4e9ef;font-size:12px;margin-right:.25rem}
.pager{display:flex;gap:1rem;margin-top:.6rem}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.login{max-width:420px;margin:4rem auto}.login input{width:100%}
.skip{position:absolute;left:-10000px;top:0;background:#fff;color:#12355b;padding:.4rem .8rem;z-index:10}.skip:focus{left:.5rem;top:.5rem}
a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #f0a500;outline-offset:1px}
fieldset{border:1px solid #d8dee4;margin:.4rem 0}.line-choice{display:inline-block;margin-right:.8rem}.field-error{display:block;font-weight:600}
.form-errors ul{margin:.2rem 0 .4rem 1rem;padding:0}.notice{background:#e8f1fb;border:1px solid #9cc0e6;padding:.5rem .8rem;margin:.6rem 0}
`;

export function Layout(props: { lang: Lang; actor?: Actor | undefined; title: string; path: string; children: Child }) {
  const m = MESSAGES[props.lang];
  const other = props.lang === 'zh' ? 'en' : 'zh';
  return (
    <html lang={props.lang === 'zh' ? 'zh-CN' : 'en'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${m.appName}`}</title>
        <style>{CSS}</style>
      </head>
      <body>
        <a class="skip" id="skip-link" href="#main">
          {EVIDENCE_MESSAGES[props.lang].skipToMain}
        </a>
        <header>
          <a class="app" href="/ui/">
            {m.appName}
          </a>
          <nav>
            {props.actor ? (
              <>
                <a href="/ui/queue">{m.queue}</a>
                <a href="/ui/inspections">{m.inspections}</a>
                <a id="nav-conflicts" href="/ui/conflicts">
                  {EVIDENCE_MESSAGES[props.lang].conflictsNav}
                </a>
                <a id="nav-outcomes" href="/ui/outcomes">
                  {EVIDENCE_MESSAGES[props.lang].outcomesNav}
                </a>
                {props.actor.role === 'supervisor' || props.actor.role === 'admin' ? (
                  <a id="nav-recheck" href="/ui/recheck">
                    {RECHECK_MESSAGES[props.lang].recheck}
                  </a>
                ) : null}
                {props.actor.role === 'supervisor' || props.actor.role === 'admin' ? (
                  <a id="nav-reports" href="/ui/reports">
                    {EVIDENCE_MESSAGES[props.lang].reports}
                  </a>
                ) : null}
                {props.actor.role === 'supervisor' || props.actor.role === 'admin' ? (
                  <a id="nav-trail" href="/ui/trail">
                    {EVIDENCE_MESSAGES[props.lang].trailPage}
                  </a>
                ) : null}
                {props.actor.role === 'admin' ? (
                  <a id="nav-keys" href="/ui/keys">
                    {KEY_MESSAGES[props.lang].keys}
                  </a>
                ) : null}
              </>
            ) : null}
          </nav>
          <a id="lang-switch" href={`/ui/lang/${other}?back=${encodeURIComponent(props.path)}`}>
            {m.language}
          </a>
          {props.actor ? (
            <>
              <span class="me">
                {m.signedInAs}: <strong id="me">{props.actor.clientName}</strong> ({m.role[props.actor.role] ?? props.actor.role})
              </span>
              <form method="post" action="/ui/logout">
                <button class="secondary" type="submit">
                  {m.signOut}
                </button>
              </form>
            </>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
      </body>
    </html>
  );
}
