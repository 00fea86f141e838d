import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { consoleDist } from './console-build.ts';

/**
 * The console's own policy: its scripts and styles are files of this origin (Vite writes no
 * inline script); it talks only to this origin's API; nobody frames it.
 */
export const CONSOLE_CSP =
  "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; " +
  "script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'";

/**
 * Serves the built console under /console/: hashed assets cached for a year, and index.html
 * (no-cache) for every other path under it, so a page's address can be reloaded or bookmarked.
 * `/` leads to the console. Without a build, /console/ says how to make one.
 */
export async function consoleFiles(app: FastifyInstance, { dist = consoleDist }: { dist?: string } = {}): Promise<void> {
  await app.register(fastifyStatic, { root: dist, prefix: '/console/', serve: false, decorateReply: true });
  const indexFile = path.join(dist, 'index.html');

  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 302));
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 301));
  const serveConsole = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('content-security-policy', CONSOLE_CSP);
    const wanted = (request.params as { '*'?: string })['*'] ?? '';
    // Built assets have content hashes in their names: they never change, so caches keep them.
    if (wanted.startsWith('assets/') && isFileIn(dist, wanted)) {
      reply.header('cache-control', 'public, max-age=31536000, immutable');
      return reply.sendFile(wanted, dist);
    }
    if (!fs.existsSync(indexFile)) {
      reply.header('cache-control', 'no-store');
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The console is not built. Run "npm start" from a full install (npm ci), or "npm run build:console", then reload.');
    }
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', dist);
  };
  app.get('/console/', { schema: { hide: true } }, serveConsole);
  app.get('/console/*', { schema: { hide: true } }, serveConsole);
}

/** Whether `relative` names a file inside `root` (no way out with ../ or a link). */
function isFileIn(root: string, relative: string): boolean {
  const resolved = path.resolve(root, relative);
  if (!resolved.startsWith(root + path.sep)) return false;
  try {
    return fs.statSync(resolved).isFile();
  } catch {
    return false;
  }
}
