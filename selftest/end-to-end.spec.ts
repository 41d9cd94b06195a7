/**
 * The suite as a user runs it against "another host": only environment
 * variables, a base URL with a path prefix, other users already present.
 * A correct server passes; a broken one fails and is left as it was found;
 * and whatever fails, no secret or token reaches any output or artifact.
 */
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReferenceServer, type ReferenceServer } from '../server';
import { newClients, readArtifacts, reportStats, runPlaywright, suiteEnv } from './support';

// Each test spawns a full contract run: keep them in one worker, one at a time.
test.describe.configure({ mode: 'default' });

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/;

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'contract-e2e-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function ourUsersLeft(server: ReferenceServer, clients: { id: string; secret: string }[]): Promise<string[]> {
  const left: string[] = [];
  for (const c of clients) {
    const res = await fetch(`${server.url}/v2/oauth-clients/${c.id}/users?limit=250`, { headers: { 'x-cal-secret-key': c.secret } });
    const body = (await res.json()) as { data: { email: string }[] | { users: { email: string }[] } };
    const users = Array.isArray(body.data) ? body.data : body.data.users;
    left.push(...users.map((u) => u.email).filter((e) => e.startsWith('ctr-')));
  }
  return left;
}

async function preexisting(server: ReferenceServer): Promise<{ count: number; intact: boolean }> {
  return (await (await fetch(`${new URL(server.url).origin}/__control/preexisting`)).json()) as { count: number; intact: boolean };
}

test('a correct server behind a path prefix, with other users present, passes; those users are untouched', async () => {
  const clients = newClients();
  const server = await startReferenceServer({ clients, variant: 'legal', prefix: '/api', preexistingUsers: 30, port: 0 });
  try {
    expect(server.url).toMatch(/\/api$/);
    const run = await runPlaywright(['--project=contract'], suiteEnv(server.url, clients, dir));
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/contract run [0-9a-z]{10} against http:\/\/127\.0\.0\.1:\d+\/api, FAKER_SEED=\d+/);
    expect(run.stdout).toContain('no gaps');
    expect(await preexisting(server)).toEqual(expect.objectContaining({ count: 60, intact: true }));
    expect(await ourUsersLeft(server, clients)).toEqual([]);
  } finally {
    await server.close();
  }
});

test('a server that breaks mid-way fails the run, which still removes every user it created and touches no other', async () => {
  const clients = newClients();
  const server = await startReferenceServer({ clients, variant: 'legal', prefix: '/api', preexistingUsers: 25, port: 0 });
  const proxy = await brokenProxy(server.url, 'hang');
  try {
    // Checks create users, then wait on a force-refresh that never answers.
    const env = suiteEnv(proxy.url, clients, dir, { CONTRACT_REQUEST_TIMEOUT_MS: '1500' });
    const run = await runPlaywright(['--project=contract', 'tests/lifecycle.spec.ts', 'tests/force-refresh.spec.ts', 'tests/create.spec.ts'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/[5-9] failed/);
    expect(run.stdout).toMatch(/POST \/api\/v2\/oauth-clients\/c[0-9a-f]+\/users\/\d+\/force-refresh got no HTTP answer: Timeout 1500ms exceeded/);
    expect(run.stdout).toMatch(/reproduce: curl -sS -i -X POST '[^']+force-refresh' .*"x-cal-secret-key: \$CAL_OAUTH_CLIENT_SECRET"/);
    expect(run.stdout).toMatch(/replay: {4}FAKER_SEED=\d+ npm run contract/);
    expect(await preexisting(server)).toEqual(expect.objectContaining({ count: 50, intact: true }));
    expect(await ourUsersLeft(server, clients)).toEqual([]);
  } finally {
    await proxy.close();
    await server.close();
  }
});

/** The spec files whose checks the leaky proxy breaks in the most ways. */
const LEAK_FILES = ['tests/create.spec.ts', 'tests/list.spec.ts', 'tests/force-refresh.spec.ts', 'tests/update.spec.ts', 'tests/duplicates.spec.ts', 'tests/lifecycle.spec.ts'];

/**
 * A proxy in front of a correct server that breaks it on purpose:
 * - 'leak': echoes the secret in error messages and user fields, puts tokens
 *   where checks print values, answers some lists with a 500 page naming both,
 *   and drops force-refresh connections (Playwright's own error log would show
 *   the request headers);
 * - 'hang': never answers force-refresh, so checks die mid-way with users created.
 */
function brokenProxy(upstream: string, mode: 'leak' | 'hang'): Promise<{ url: string; close: () => Promise<void> }> {
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

test('no secret and no token reaches the console, the reports, the attachments or the run state', async () => {
  const clients = newClients();
  const server = await startReferenceServer({ clients, port: 0 });
  const proxy = await brokenProxy(server.url, 'leak');
  try {
    const run = await runPlaywright(['--project=contract', ...LEAK_FILES], suiteEnv(proxy.url, clients, dir, { CI: '1' }), 120_000);
    expect(run.code).toBe(1);
    const stats = reportStats(join(dir, 'reports'));
    expect(stats.unexpected, 'the leaky server should fail many checks').toBeGreaterThanOrEqual(10);
    const outputs = [{ file: 'stdout', text: run.stdout }, { file: 'stderr', text: run.stderr }, ...readArtifacts(dir)];
    expect(outputs.some((o) => o.file.endsWith('junit.xml'))).toBe(true);
    expect(outputs.some((o) => o.file.includes('index.html!'))).toBe(true);
    const hits: string[] = [];
    for (const o of outputs) {
      for (const c of clients) {
        if (o.text.includes(c.secret) || o.text.includes(encodeURIComponent(c.secret))) hits.push(`${o.file}: a client secret`);
      }
      const jwt = JWT.exec(o.text);
      if (jwt) hits.push(`${o.file}: a JWT (${jwt[0].slice(0, 12)}…)`);
    }
    expect(hits).toEqual([]);
    // And the proxy did make the checks see secrets and tokens:
    expect(run.stdout).toContain('<redacted');
  } finally {
    await proxy.close();
    await server.close();
  }
});

test('a wrong secret or an unreachable host stops the run before any test with one line', async () => {
  const clients = newClients();
  const server = await startReferenceServer({ clients, port: 0 });
  try {
    const wrong = await runPlaywright(['--project=contract'], suiteEnv(server.url, [{ id: clients[0]!.id, secret: 'sk_not_the_right_one' }, clients[1]!], dir));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toMatch(/^contract suite: .*refused CAL_OAUTH_CLIENT_SECRET for client c[0-9a-f]+ \(401\): check CAL_OAUTH_CLIENT_ID and CAL_OAUTH_CLIENT_SECRET$/);
    expect(wrong.stdout).not.toMatch(/passed|failed/);
  } finally {
    await server.close();
  }
  const gone = await runPlaywright(['--project=contract'], suiteEnv(server.url, clients, dir));
  expect(gone.code).toBe(2);
  expect(gone.stderr.trim().split('\n')).toHaveLength(1);
  expect(gone.stderr).toMatch(/^contract suite: cannot reach CAL_API_URL=http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): check the URL and that the server is up/);
  expect(`${gone.stdout}${gone.stderr}`).not.toContain(clients[0]!.secret);
});
