/**
 * Helpers for the project's end-to-end self-tests: running the contract suite
 * as a user would (a child Playwright run with only environment variables),
 * and reading every artifact it leaves, including inside the HTML report's zip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ReferenceServer } from '../server';
import { childEnv } from '../fixtures/settings/env';

export const ROOT = resolve(__dirname, '..');
export const PLAYWRIGHT = join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');

export function newClients(): { id: string; secret: string }[] {
  return [0, 1].map(() => ({ id: `c${randomBytes(12).toString('hex')}`, secret: `sk_${randomBytes(24).toString('hex')}` }));
}

/** The variables that point the suite at `baseUrl` as the two clients (the second one optional). */
export function targetEnv(baseUrl: string, clients: { id: string; secret: string }[]): Record<string, string> {
  return {
    CAL_API_URL: baseUrl,
    CAL_OAUTH_CLIENT_ID: clients[0]!.id,
    CAL_OAUTH_CLIENT_SECRET: clients[0]!.secret,
    ...(clients[1] ? { CAL_OTHER_OAUTH_CLIENT_ID: clients[1].id, CAL_OTHER_OAUTH_CLIENT_SECRET: clients[1].secret } : {}),
  };
}

/** Environment for a run against `baseUrl` as the two clients, with every output in `dir` (and never a developer's .env: childEnv). */
export function suiteEnv(baseUrl: string, clients: { id: string; secret: string }[], dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return childEnv({
    ...targetEnv(baseUrl, clients),
    CONTRACT_STATE_DIR: join(dir, 'state'),
    CONTRACT_REPORT_DIR: join(dir, 'reports'),
    CONTRACT_OUTPUT_DIR: join(dir, 'test-results'),
    ...extra,
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `playwright test <args>` in the project, as `npm run contract` would, with a hard time limit. */
export function runPlaywright(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 170_000): Promise<RunResult> {
  return startPlaywright(args, env, timeoutMs).done;
}

/** The same, started: the child (for signals) and its result. `group`: in its own process group, as CI runs a job. */
export function startPlaywright(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000, group = false): { child: ChildProcess; done: Promise<RunResult> } {
  const started = Date.now();
  const child = spawn(process.execPath, [PLAYWRIGHT, 'test', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<RunResult>((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr, ms: Date.now() - started });
    });
  });
  return { child, done };
}

/** Every file under `dir` (recursively) as text, with the HTML report's embedded zip unpacked. */
export function readArtifacts(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const buf = readFileSync(p);
        out.push({ file: p, text: buf.toString('latin1') });
        if (name.endsWith('.zip')) for (const e of unzip(buf)) out.push({ file: `${p}!${e.name}`, text: e.data.toString('utf8') });
        if (name === 'index.html') {
          const m = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(buf.toString('latin1'));
          if (m) for (const e of unzip(Buffer.from(m[1]!, 'base64'))) out.push({ file: `${p}!${e.name}`, text: e.data.toString('utf8') });
        }
      }
    }
  };
  walk(dir);
  return out;
}

/** A minimal zip reader (central directory; stored or deflated entries). */
export function unzip(buf: Buffer): { name: string; data: Buffer }[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return [];
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: { name: string; data: Buffer }[] = [];
  for (let n = 0; n < count && buf.readUInt32LE(p) === 0x02014b50; n++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    entries.push({ name, data: method === 8 ? inflateRawSync(raw) : raw });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** JSON-report totals: { expected, unexpected, skipped, flaky }. */
export function reportStats(reportDir: string): Record<string, number> {
  const report = JSON.parse(readFileSync(join(reportDir, 'results.json'), 'utf8'));
  return report.stats;
}

/** Anything shaped like a JWT. */
export const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/;

/**
 * E-mails of this suite's namespace still on the server, for both clients, less the users that were
 * there before the run (lookalikes of the suite's own among them). It asks under its own
 * x-cal-client-id, so that on a rate-limited server it spends its own budget, not the run's.
 */
export async function ourUsersLeft(server: ReferenceServer, clients: { id: string; secret: string }[], namespace = 'ctr'): Promise<string[]> {
  const before = new Set(((await preexisting(server)).users ?? []).map((u) => u.id));
  const left: string[] = [];
  for (const c of clients) {
    const res = await fetch(`${server.url}/v2/oauth-clients/${c.id}/users?limit=250`, { headers: { 'x-cal-secret-key': c.secret, 'x-cal-client-id': 'selftest-observer' } });
    const body = (await res.json()) as { data?: { id: number; email: string }[] | { users: { id: number; email: string }[] } };
    if (res.status !== 200 || !body.data) throw new Error(`listing the server's users answered ${res.status}`);
    const users = Array.isArray(body.data) ? body.data : body.data.users;
    left.push(...users.filter((u) => !before.has(u.id)).map((u) => u.email).filter((e) => e.startsWith(`${namespace}-`)));
  }
  return left;
}

/** The legal server's record of the users that existed before the run. */
export async function preexisting(server: ReferenceServer): Promise<{ count: number; intact: boolean; users?: { id: number; email: string }[] }> {
  return (await (await fetch(`${new URL(server.url).origin}/__control/preexisting`)).json()) as { count: number; intact: boolean; users?: { id: number; email: string }[] };
}

/**
 * A proxy in front of a correct server that breaks it on purpose:
 * - 'leak': echoes the secret in error messages and user fields, puts tokens
 *   where checks print values, answers some lists with a 500 page naming both,
 *   and drops force-refresh connections (Playwright's own error log would show
 *   the request headers);
 * - 'hang': never answers force-refresh, so checks die mid-way with users created.
 */
export function brokenProxy(upstream: string, mode: 'leak' | 'hang'): Promise<{ url: string; close: () => Promise<void> }> {
  const up = new URL(upstream);
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const secret = String(req.headers['x-cal-secret-key'] ?? '');
    if (req.url?.includes('/force-refresh')) {
      if (mode === 'leak') req.socket.destroy();
      else hanging.add(res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const fwd = httpRequest({ host: up.hostname, port: up.port, path: req.url, method: req.method, headers: req.headers }, (r: IncomingMessage) => {
        const body: Buffer[] = [];
        r.on('data', (c) => body.push(c));
        r.on('end', () => {
          let text = Buffer.concat(body).toString('utf8');
          let status = r.statusCode ?? 500;
          if (mode === 'leak') {
            try {
              const json = JSON.parse(text);
              if (json.error) json.error.message = `${json.error.message} [key ${secret}]`;
              const user = json.data?.user ?? (req.method === 'GET' && json.data && !Array.isArray(json.data) ? json.data : undefined);
              if (user) {
                user.name = json.data.accessToken ?? user.name;
                user.bio = `key=${secret}`;
                user.timeZone = json.data.refreshToken ?? user.timeZone;
              }
              if (Array.isArray(json.data) && req.url?.includes('offset=2')) {
                status = 500;
                text = `<html>Internal error: key ${secret} token ${JWT.source}</html>`;
              } else text = JSON.stringify(json);
            } catch {
              // not JSON: pass through
            }
          }
          res.writeHead(status, { 'content-type': status === 500 ? 'text/html' : String(r.headers['content-type'] ?? 'application/json') });
          res.end(text);
        });
      });
      fwd.on('error', () => res.destroy());
      fwd.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolveListen) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolveListen({
        url: `http://127.0.0.1:${port}${up.pathname === '/' ? '' : up.pathname}`,
        close: () => {
          for (const res of hanging) res.destroy();
          server.closeAllConnections();
          return new Promise((r) => server.close(() => r()));
        },
      });
    }),
  );
}

