import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, devices, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Real Chromium for the pages people see: Debian's `chromium` (or CHROMIUM_PATH) driven by
 * playwright-core, against the app listening on the loopback. axe-core checks accessibility
 * in the page itself (evaluated through the DevTools protocol, which the pages' CSP does not
 * govern, so the check sees the page exactly as served).
 */
const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * CHROMIUM_PATH, else Debian's headless build of Chromium (package chromium-headless-shell: the
 * same Blink as the browser without its window system, what Playwright itself runs headless; a
 * third less CPU per launch and page here), else Debian's chromium.
 */
export function chromiumPath({ browser = false }: { browser?: boolean } = {}): string {
  const shell = '/usr/lib/chromium/chromium-headless-shell';
  const candidates = [process.env.CHROMIUM_PATH, ...(browser ? [] : [shell]), '/usr/bin/chromium', '/usr/bin/chromium-browser', shell];
  const found = candidates.find((candidate) => candidate && fs.existsSync(candidate));
  if (!found) throw new Error('No Chromium: install Debian\'s chromium-headless-shell or chromium (apt-get install -y chromium-headless-shell) or set CHROMIUM_PATH');
  return found;
}

let shared: Promise<Browser> | undefined;

/**
 * Chromium for one test file. Without extra switches, one browser is launched per worker and kept
 * for the worker's next files (test files share a worker's modules: vitest.config.ts): a launch
 * costs 2–3 s of CPU, ~30 launches a pass. What a file gets is that browser with a `close()` that
 * closes every context in it (a worker runs one file at a time, so they are all this file's), so
 * the next file starts with none. Playwright ends the browser when the worker exits.
 * `extraArgs`: more of Chromium's switches (a fake camera: see tests/helpers/fake-camera.ts); such
 * a browser is the file's own, its `close()` ends it, and it is Debian's chromium where installed:
 * the headless shell leaves a camera prompt no one answers pending, where the browser refuses it
 * (what the test of a refused camera stands on).
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (extraArgs.length > 0) return launch(extraArgs);
  let browser = await shared?.catch(() => undefined);
  if (!browser?.isConnected()) {
    shared = launch([]);
    browser = await shared;
  }
  return forThisFile(browser);
}

function launch(extraArgs: readonly string[]): Promise<Browser> {
  // As root (CI) Chromium's sandbox cannot start; the pages under test are our own.
  return chromium.launch({ executablePath: chromiumPath({ browser: extraArgs.length > 0 }), args: ['--no-sandbox', '--disable-dev-shm-usage', ...extraArgs] });
}

function forThisFile(browser: Browser): Browser {
  const closeContexts = async () => {
    await Promise.all(browser.contexts().map((context) => context.close().catch(() => undefined)));
  };
  return new Proxy(browser, {
    get(target, property) {
      if (property === 'close') return closeContexts;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A phone-sized, touch context (Pixel 7's viewport and user agent), in the language asked. */
export function phoneContext(browser: Browser, locale = 'ru-RU'): Promise<BrowserContext> {
  return browser.newContext({ ...devices['Pixel 7'], locale });
}

/** Listens on 127.0.0.1 (a free port) and answers the base URL. */
export async function listenOnLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: Array<{ target: unknown; failureSummary?: string }> };

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    const { violations } = await axe.run();
    return violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  return result.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}
