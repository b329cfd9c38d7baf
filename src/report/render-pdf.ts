import { existsSync } from 'node:fs';
import { AppError } from '../errors.js';

const USUAL = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The system's Chromium: CHROMIUM_PATH when set (and only it), else Debian's and the usual places. */
export function chromiumPath(env: string | undefined = process.env.CHROMIUM_PATH): string | undefined {
  if (env) return existsSync(env) ? env : undefined;
  return USUAL.find((p) => existsSync(p));
}

export class NoChromiumError extends AppError {
  constructor(env: string | undefined = process.env.CHROMIUM_PATH) {
    super(
      'unavailable',
      'pdf_unavailable',
      `The PDF is rendered by the system's Chromium, and none was found (${env ? `CHROMIUM_PATH=${env} does not exist` : `looked at ${USUAL.join(', ')}`}). Install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to its executable; meanwhile the HTML form prints the same pages from any browser (format=html, then Print, A4 landscape).`,
    );
  }
}

/**
 * The report's HTML printed to PDF by Chromium: A4 landscape, the stylesheet's page breaks, and
 * page numbers in the footer ("page / pages"). One browser per call: reports are generated a few
 * times a month, and no browser stays running in the service.
 */
export async function renderPdf(html: string, footer: string): Promise<Buffer> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new NoChromiumError();
  // loaded on first use: the service starts, and every other form is served, without it
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    const pdf = await page.pdf({
      format: 'A4',
      landscape: true,
      printBackground: true,
      preferCSSPageSize: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: `<div style="font-size:8px;color:#555;width:100%;padding:0 10mm;display:flex;justify-content:space-between;font-family:sans-serif"><span>${footer.replace(/[<>&]/g, '')}</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`,
      margin: { top: '12mm', bottom: '14mm', left: '10mm', right: '10mm' },
    });
    return Buffer.from(pdf);
  } finally {
    await browser.close();
  }
}
