/**
 * Self-test of the embedded reference server (server/**): robustness against
 * garbage, concurrency, prefix routing, the legal variant, fault wiring and the
 * CLI. Everything runs on OS-picked ports; every process started here is
 * stopped here.
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { type ClientCredentials, FAULTS, type FaultId, type InstanceOptions, type ReferenceServer, startReferenceServer } from '../server';
import { verifyJwtSignature } from '../server/tokens';
import { parseOwnEmail } from '../fixtures/contract/inputs';

const A: ClientCredentials = { id: 'clsx38nbl0001vkhlwin9fmt0a', secret: 'a'.repeat(40) };
const B: ClientCredentials = { id: 'clsx38nbl0002vkhlwin9fmt0b', secret: 'b'.repeat(40) };
const ROOT = join(__dirname, '..');

let seq = 0;
const uniqueEmail = (tag = 'user') => `${tag}.${process.pid}.${Date.now().toString(36)}.${++seq}@example.com`;

interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function call(
  base: string,
  method: string,
  path: string,
  opts: { client?: ClientCredentials; secret?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  const secret = opts.secret === undefined ? (opts.client ?? A).secret : opts.secret;
  if (secret !== null) headers['x-cal-secret-key'] = secret;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const r = await fetch(base + path, { method, headers, body });
  const text = await r.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

const users = (clientId: string) => `/v2/oauth-clients/${encodeURIComponent(clientId)}/users`;

/** Raw HTTP with an unmodified request target (fetch would normalise it). */
function raw(base: string, method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; json: unknown }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path: target, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(data);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function expectEnvelope(r: { status: number; json: unknown }, status: number, code?: string) {
  expect(r.status, JSON.stringify(r.json)).toBe(status);
  const j = r.json as { status: string; timestamp: string; path: string; error: { code: string; message: string; details: unknown } };
  expect(j.status).toBe('error');
  expect(Number.isNaN(Date.parse(j.timestamp))).toBe(false);
  expect(typeof j.path).toBe('string');
  expect(typeof j.error.message).toBe('string');
  expect(typeof j.error.details).toBe('object');
  if (code) expect(j.error.code).toBe(code);
}

function jwtPayload(token: string): Record<string, unknown> {
  const parts = token.split('.');
  expect(parts).toHaveLength(3);
  return JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function createUser(base: string, body: Record<string, unknown> = {}, client = A) {
  const r = await call(base, 'POST', users(client.id), { client, body: { email: uniqueEmail(), name: 'Test User', ...body } });
  expect(r.status, r.text).toBe(201);
  return r.json.data as { user: Record<string, unknown> & { id: number; email: string }; accessToken: string; refreshToken: string };
}

async function listAll(base: string, client = A, query = 'limit=250'): Promise<Record<string, unknown>[]> {
  const r = await call(base, 'GET', `${users(client.id)}?${query}`, { client });
  expect(r.status, r.text).toBe(200);
  return r.json.data;
}

const servers: ReferenceServer[] = [];
async function start(options: Partial<InstanceOptions> = {}): Promise<string> {
  const s = await startReferenceServer({ clients: [A, B], port: 0, ...options });
  servers.push(s);
  return s.url;
}

let clean: string;
let legal: string;

test.beforeAll(async () => {
  clean = await start();
  legal = await start({ variant: 'legal', prefix: '/api' });
});

test.afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

test('health and control endpoints answer at the root', async () => {
  const h = await call(clean, 'GET', '/__health', { secret: null });
  expect(h.status).toBe(200);
  expect(h.json).toEqual({ status: 'ok' });
  const c = await call(clean, 'GET', '/__control/preexisting', { secret: null });
  expect(c.json).toEqual({ count: 0, intact: true, changed: [], changedUsers: [], users: [] });
});

test('create returns the documented user, tokens and expiries', async () => {
  const before = Date.now();
  const r = await call(clean, 'POST', users(A.id), {
    body: { email: 'Alice.Smith@Example.COM', name: 'Alice', timeZone: 'america/new_york', timeFormat: '24', metadata: { plan: 'pro', seats: 3, beta: true }, favouriteColour: 'red' },
  });
  expect(r.status).toBe(201);
  expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const { user, accessToken, refreshToken, accessTokenExpiresAt, refreshTokenExpiresAt } = r.json.data;
  expect(user).toEqual({
    id: expect.any(Number),
    email: `alice.smith+${A.id}@example.com`,
    username: expect.stringContaining('alice'),
    name: 'Alice',
    bio: null,
    timeZone: 'America/New_York',
    weekStart: 'Sunday',
    createdDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    timeFormat: 24,
    defaultScheduleId: expect.any(Number),
    locale: 'en',
    avatarUrl: null,
    metadata: { plan: 'pro', seats: 3, beta: true },
  });
  expect(accessTokenExpiresAt % 60_000).toBe(0);
  expect(accessTokenExpiresAt).toBeGreaterThan(before + 59 * 60_000);
  expect(refreshTokenExpiresAt % 86_400_000).toBe(0);
  expect(refreshTokenExpiresAt).toBeGreaterThan(before + 364 * 86_400_000);
  const access = jwtPayload(accessToken);
  const refresh = jwtPayload(refreshToken);
  expect(access).toMatchObject({ type: 'access_token', clientId: A.id, ownerId: user.id, expiresAt: accessTokenExpiresAt });
  expect(refresh).toMatchObject({ type: 'refresh_token', clientId: A.id, ownerId: user.id, expiresAt: refreshTokenExpiresAt });
  expect(access.jti).not.toBe(refresh.jti);
  expect(verifyJwtSignature(accessToken) && verifyJwtSignature(refreshToken)).toBe(true);
  expect(verifyJwtSignature(`${accessToken}x`)).toBe(false);

  const plain = await createUser(clean);
  expect(plain.user.defaultScheduleId).toBeNull();
  expect(plain.user.timeZone).toBe('Europe/London');
  expect('metadata' in plain.user).toBe(false);
});

test('get, patch, force-refresh and delete follow the lifecycle', async () => {
  const created = await createUser(clean, { bio: 'hello', metadata: { a: 1 } });
  const id = created.user.id;
  const path = `${users(A.id)}/${id}`;
  expect((await call(clean, 'GET', path)).json.data).toEqual(created.user);

  const patched = await call(clean, 'PATCH', path, { body: { email: 'New.Address@example.org', weekStart: 'Monday', locale: 'de' } });
  expect(patched.status).toBe(200);
  expect(patched.json.data).toMatchObject({ email: `new.address+${A.id}@example.org`, weekStart: 'Monday', locale: 'de', bio: 'hello', metadata: { a: 1 } });
  expect(patched.json.data.username).not.toBe(created.user.username);
  expect((await call(clean, 'PATCH', path, { body: {} })).json.data).toEqual(patched.json.data);

  const r1 = await call(clean, 'POST', `${path}/force-refresh`);
  const r2 = await call(clean, 'POST', `${path}/force-refresh`);
  expect(r1.status).toBe(200);
  expect(Object.keys(r1.json.data).sort()).toEqual(['accessToken', 'accessTokenExpiresAt', 'refreshToken', 'refreshTokenExpiresAt']);
  const tokens = new Set([created.accessToken, created.refreshToken, r1.json.data.accessToken, r1.json.data.refreshToken, r2.json.data.accessToken, r2.json.data.refreshToken]);
  expect(tokens.size).toBe(6);

  const del = await call(clean, 'DELETE', path);
  expect(del.status).toBe(200);
  expect(del.json.data).toEqual(patched.json.data);
  for (const [method, p] of [['GET', path], ['PATCH', path], ['DELETE', path], ['POST', `${path}/force-refresh`]] as const) {
    expectEnvelope(await call(clean, method, p, method === 'PATCH' ? { body: { name: 'x' } } : {}), 404, 'NotFoundException');
  }
  const listed = await listAll(clean, A, `emails=${encodeURIComponent(`new.address+${A.id}@example.org`)}`);
  expect(listed).toEqual([]);
});

test('the guard runs first and answers 401 for every credential problem', async () => {
  const { user } = await createUser(clean);
  const item = `${users(A.id)}/${user.id}`;
  const cases: [string, string, { secret?: string | null; body?: unknown; raw?: string }][] = [
    ['GET', users(A.id), { secret: null }],
    ['GET', item, { secret: 'wrong' }],
    ['DELETE', item, { secret: B.secret }],
    ['POST', users(A.id), { secret: null, body: { email: 5 } }],
    ['POST', users(A.id), { secret: 'nope', raw: '{not json' }],
    ['PATCH', `${users(A.id)}/abc`, { secret: null, body: { timeFormat: 7 } }],
    ['GET', users('unknown-client'), { secret: A.secret }],
    ['POST', `${item}/force-refresh`, { secret: '' }],
  ];
  for (const [method, path, opts] of cases) expectEnvelope(await call(clean, method, path, opts), 401, 'UnauthorizedException');
  expect((await call(clean, 'GET', item)).json.data.id).toBe(user.id);
});

test('clients are isolated: 404 for another client’s user, lists only own users', async () => {
  const { user } = await createUser(clean);
  const item = `${users(B.id)}/${user.id}`;
  for (const [method, path] of [['GET', item], ['PATCH', item], ['DELETE', item], ['POST', `${item}/force-refresh`]] as const) {
    expectEnvelope(await call(clean, method, path, { client: B, ...(method === 'PATCH' ? { body: { name: 'x' } } : {}) }), 404, 'NotFoundException');
  }
  const listB = await listAll(clean, B);
  expect(listB.some((u) => u.id === user.id)).toBe(false);
  expect((await call(clean, 'GET', `${users(A.id)}/${user.id}`)).status).toBe(200);
});

test('duplicates: 409 with the existing id; the same raw e-mail under another client is fine', async () => {
  const email = uniqueEmail('dup');
  const first = await createUser(clean, { email });
  const again = await call(clean, 'POST', users(A.id), { body: { email: email.toUpperCase(), name: 'x' } });
  expectEnvelope(again, 409, 'ConflictException');
  expect(again.json.error.message).toBe(`User with the provided e-mail already exists. Existing user ID=${first.user.id}`);
  const other = await createUser(clean, { email }, B);
  expect(other.user.email).toContain(`+${B.id}@`);

  const second = await createUser(clean);
  const conflict = await call(clean, 'PATCH', `${users(A.id)}/${second.user.id}`, { body: { email } });
  expectEnvelope(conflict, 409, 'ConflictException');
});

test('invalid create bodies answer 400 with details.errors and store nothing', async () => {
  const before = await listAll(clean);
  const email = uniqueEmail('rejected');
  const bad: Record<string, unknown>[] = [
    {},
    { name: 'no email' },
    { email },
    { email, name: 5 },
    { email, name: 'x', timeZone: '' },
    { email, name: 'x', timeZone: 'invalid-timezone' },
    { email, name: 'x', timeFormat: 100 },
    { email, name: 'x', timeFormat: '25' },
    { email, name: 'x', locale: 'xx' },
    { email, name: 'x', avatarUrl: 'not a url' },
    { email, name: 'x', avatarUrl: 'ftp://example.com/a.png' },
    { email, name: 'x', bio: [] },
    { email, name: 'x', weekStart: 3 },
    { email, name: 'x', metadata: [] },
    { email, name: 'x', metadata: { nested: { a: 1 } } },
    { email, name: 'x', metadata: { n: null } },
    { email, name: 'x', metadata: { ['k'.repeat(41)]: 1 } },
    { email, name: 'x', metadata: { k: 'v'.repeat(501) } },
    { email, name: 'x', metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) },
  ];
  for (const body of bad) {
    const r = await call(clean, 'POST', users(A.id), { body });
    expectEnvelope(r, 400, 'BadRequestException');
    expect(Array.isArray(r.json.error.details.errors), JSON.stringify(body)).toBe(true);
  }
  expect(await listAll(clean)).toEqual(before);
  const ok = await createUser(clean, { email, metadata: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'.repeat(500)])) });
  expect(Object.keys(ok.user.metadata as object)).toHaveLength(50);
});

test('a rejected PATCH changes nothing', async () => {
  const { user } = await createUser(clean, { bio: 'original' });
  const path = `${users(A.id)}/${user.id}`;
  const bad: Record<string, unknown>[] = [
    { name: 'changed', timeFormat: '24' },
    { bio: 'changed', weekStart: 'Funday' },
    { email: uniqueEmail(), timeZone: 'Mars/Olympus' },
    { locale: 'de', metadata: { a: { b: 1 } } },
    { defaultScheduleId: 'one', name: 'changed' },
    { name: 123 },
    { email: null },
  ];
  for (const body of bad) expectEnvelope(await call(clean, 'PATCH', path, { body }), 400, 'BadRequestException');
  expect((await call(clean, 'GET', path)).json.data).toEqual(user);
  const ok = await call(clean, 'PATCH', path, { body: { timeFormat: 24, timeZone: 'europe/berlin', defaultScheduleId: 77, unknown: 1 } });
  expect(ok.json.data).toMatchObject({ timeFormat: 24, timeZone: 'Europe/Berlin', defaultScheduleId: 77, bio: 'original' });
  expect('unknown' in ok.json.data).toBe(false);
});

test('garbage bodies answer 4xx envelopes and the server keeps working', async () => {
  const before = await listAll(clean);
  const json = { 'content-type': 'application/json' };
  const cases: [string, Record<string, string>][] = [
    ['{"email": "a@b.c", "name": ', json],
    ['[{"email":"a@b.c","name":"x"}]', json],
    ['"just a string"', json],
    ['null', json],
    ['42', json],
    ['{"email":"a@b.c","name":"x"}', { 'content-type': 'text/plain' }],
    ['email=a@b.c&name=x', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['\u0000\u0001\u0002', json],
    ['', json],
  ];
  for (const [body, headers] of cases) {
    expectEnvelope(await call(clean, 'POST', users(A.id), { raw: body, headers }), 400, 'BadRequestException');
  }
  const { user } = await createUser(clean);
  expectEnvelope(await call(clean, 'PATCH', `${users(A.id)}/${user.id}`, { raw: '{"name":', headers: json }), 400);
  const huge = await call(clean, 'POST', users(A.id), { raw: JSON.stringify({ email: uniqueEmail(), name: 'x', bio: 'x'.repeat(1024 * 1024) }), headers: json });
  expectEnvelope(huge, 413, 'PayloadTooLargeException');
  // Same without a Content-Length (chunked upload).
  const chunk = Buffer.alloc(256 * 1024, 0x20);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 8; i++) controller.enqueue(chunk);
      controller.close();
    },
  });
  const chunked = await fetch(clean + users(A.id), { method: 'POST', headers: { ...json, 'x-cal-secret-key': A.secret }, body: stream, duplex: 'half' });
  expectEnvelope({ status: chunked.status, json: await chunked.json() }, 413, 'PayloadTooLargeException');
  const after = await listAll(clean);
  expect(after).toEqual([...before, user]);
});

test('odd user ids and paths never cause a 5xx', async () => {
  const h = { 'x-cal-secret-key': A.secret };
  const base = users(A.id);
  const targets = [
    'abc', '1.5', '0x10', '1e3', '%00', '%ZZ', '%', '99999999999999999999', '-1', '2147483648', '007x', 'x'.repeat(5000), '%F0%9F%98%80', '1%2F2',
  ];
  for (const t of targets) {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const r = await raw(clean, method, `${base}/${t}`, { ...h, 'content-type': 'application/json' }, method === 'PATCH' ? '{}' : undefined);
      expect([400, 404], `${method} ${t.slice(0, 20)}`).toContain(r.status);
      expectEnvelope(r, r.status);
    }
  }
  expectEnvelope(await raw(clean, 'GET', `${base}/abc`), 401);
  expectEnvelope(await raw(clean, 'GET', `${base}/%ZZ`), 401);
  expectEnvelope(await raw(clean, 'GET', '/v2/oauth-clients/%ZZ/users', h), 400);
  for (const [method, target] of [['PUT', `${base}/1`], ['POST', `${base}/1`], ['GET', '/v2/nothing'], ['GET', `${base}/1/force-refresh`], ['DELETE', base], ['GET', '/']] as const) {
    expectEnvelope(await raw(clean, method, target, h), 404, 'NotFoundException');
  }
  expect((await call(clean, 'GET', '/__health', { secret: null })).status).toBe(200);
});

test('an aborted upload leaves no trace and does not disturb the server', async () => {
  const before = await listAll(clean);
  const u = new URL(clean);
  await new Promise<void>((resolve) => {
    const req = httpRequest({
      host: u.hostname,
      port: u.port,
      method: 'POST',
      path: users(A.id),
      headers: { 'x-cal-secret-key': A.secret, 'content-type': 'application/json', 'content-length': '500' },
    });
    req.on('error', () => resolve());
    req.write(`{"email":"${uniqueEmail('aborted')}","name":"half`);
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 30);
  });
  await new Promise((r) => setTimeout(r, 20));
  expect(await listAll(clean)).toEqual(before);
});

test('list validates limit, offset and emails and filters before paging', async () => {
  const base = await start();
  const made = [] as { user: { id: number; email: string } }[];
  for (let i = 0; i < 5; i++) made.push(await createUser(base));
  const ids = made.map((m) => m.user.id);
  expect((await listAll(base, A, '')).map((u) => u.id)).toEqual(ids);
  expect((await listAll(base, A, 'limit=2&offset=1')).map((u) => u.id)).toEqual(ids.slice(1, 3));
  for (const q of ['limit=0', 'limit=251', 'limit=abc', 'limit=1.5', 'offset=-1', 'offset=251', 'offset=x', 'limit=']) {
    expectEnvelope(await call(base, 'GET', `${users(A.id)}?${q}`), 400, 'BadRequestException');
  }
  const raw0 = made[0]!.user.email.replace(`+${A.id}`, '');
  const suffixed2 = made[2]!.user.email;
  const raw4 = made[4]!.user.email.replace(`+${A.id}`, '');
  const q = `emails=${encodeURIComponent(`${raw0}, ${suffixed2},${raw4}`)}`;
  expect((await listAll(base, A, q)).map((u) => u.id)).toEqual([ids[0], ids[2], ids[4]]);
  expect((await listAll(base, A, `${q}&offset=1&limit=1`)).map((u) => u.id)).toEqual([ids[2]]);
  expect(await listAll(base, B, `emails=${encodeURIComponent(raw0)}`)).toEqual([]);
  const invalid = await call(base, 'GET', `${users(A.id)}?emails=${encodeURIComponent(`${raw0},not-an-email`)}`);
  expectEnvelope(invalid, 400, 'BadRequestException');
  expect(invalid.json.error.message).toBe('Invalid email not-an-email');
  // An unencoded '+' decodes to a space: not an address.
  expectEnvelope(await call(base, 'GET', `${users(A.id)}?emails=${suffixed2}`), 400);
});

test('parallel identical creates yield exactly one 201; distinct ones all succeed', async () => {
  const email = uniqueEmail('race');
  const same = await Promise.all(Array.from({ length: 20 }, () => call(clean, 'POST', users(A.id), { body: { email, name: 'racer' } })));
  expect(same.filter((r) => r.status === 201)).toHaveLength(1);
  expect(same.filter((r) => r.status === 409)).toHaveLength(19);
  const distinct = await Promise.all(Array.from({ length: 50 }, () => call(clean, 'POST', users(B.id), { client: B, body: { email: uniqueEmail('par'), name: 'p' } })));
  expect(distinct.every((r) => r.status === 201)).toBe(true);
  expect(new Set(distinct.map((r) => r.json.data.user.id)).size).toBe(50);
});

test('a global prefix moves the API but not health', async () => {
  const base = await start({ prefix: '/api/' });
  expect(base.endsWith('/api')).toBe(true);
  const origin = new URL(base).origin;
  const { user } = await createUser(base);
  expect((await call(base, 'GET', `${users(A.id)}/${user.id}`)).status).toBe(200);
  expectEnvelope(await call(origin, 'GET', `${users(A.id)}/${user.id}`), 404, 'NotFoundException');
  expectEnvelope(await call(origin, 'GET', `/apix${users(A.id)}`), 404);
  const err = await call(base, 'GET', `${users(A.id)}/999999?x=1`);
  expect(err.json.path).toBe(`/api${users(A.id)}/999999?x=1`);
  expect((await call(origin, 'GET', '/__health', { secret: null })).status).toBe(200);
});

test('legal variant: large sparse ids, stable non-ascending order, different formats', async () => {
  const made = [] as Awaited<ReturnType<typeof createUser>>[];
  for (let i = 0; i < 6; i++) made.push(await createUser(legal));
  const ids = made.map((m) => m.user.id);
  expect(ids.every((id) => Number.isSafeInteger(id) && id >= 1e9 && id < 2 ** 31)).toBe(true);
  expect(ids.slice(1).some((id, i) => id - (ids[i] ?? 0) > 1)).toBe(true);
  const first = (await listAll(legal)).map((u) => u.id as number);
  const second = (await listAll(legal)).map((u) => u.id as number);
  expect(first).toEqual(second);
  expect(first.length).toBeGreaterThanOrEqual(46);
  expect(first).not.toEqual([...first].sort((a, b) => a - b));

  const r = await call(legal, 'GET', `${users(A.id)}/${ids[0]}`);
  expect(r.headers.get('content-type')).toBe('application/json');
  expect(r.json.meta).toBeDefined();
  expect(r.json.data.createdDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  for (const key of Object.keys(r.json.data)) expect(key).not.toMatch(/password|hash|secret|token|salt|key/i);
  const payload = jwtPayload(made[0]!.accessToken);
  expect(payload).toMatchObject({ type: 'access_token', ownerId: ids[0], clientId: A.id });

  const dup = await call(legal, 'POST', users(A.id), { body: { email: made[1]!.user.email.replace(`+${A.id}`, ''), name: 'x' } });
  expectEnvelope(dup, 409, 'ConflictException');
  expect(dup.json.error.message).not.toBe(`User with the provided e-mail already exists. Existing user ID=${ids[1]}`);
  expect(dup.json.error.message).toContain(String(ids[1]));
  const invalid = await call(legal, 'GET', `${users(A.id)}?emails=bogus-address`);
  expectEnvelope(invalid, 400, 'BadRequestException');
  expect(invalid.json.error.message).toContain('bogus-address');
  expect(typeof invalid.json.error.details.hint).toBe('string');
});

interface Preexisting {
  count: number;
  intact: boolean;
  changed: number[];
  changedUsers: { id: number; email: string; how: string }[];
  users: { id: number; clientId: string; email: string; lookalike: boolean }[];
}
const preexisting = async (base: string): Promise<Preexisting> => (await call(new URL(base).origin, 'GET', '/__control/preexisting', { secret: null })).json;
/** The run stamp's time part follows the clock; everything else follows the seed. */
const withoutRunTime = (email: unknown) => String(email).replace(/^ctr-[0-9a-z]{7}/, 'ctr-<time>');

test('legal variant: pre-existing users are present, realistic and tracked by the control endpoint', async () => {
  const base = await start({ variant: 'legal', prefix: '/api', jitterMs: 0, seed: 7, lookalikes: 3 });
  const control = () => preexisting(base);
  const initial = await control();
  expect(initial).toMatchObject({ count: 80, intact: true, changed: [], changedUsers: [] });
  expect(initial.users).toHaveLength(80);
  expect(initial.users.filter((u) => u.lookalike)).toHaveLength(6);
  const list = await listAll(base);
  expect(list).toHaveLength(40);
  expect(new Set(list.map((u) => u.id))).toEqual(new Set(initial.users.filter((u) => u.clientId === A.id).map((u) => u.id)));
  const lookalikeIds = new Set(initial.users.filter((u) => u.lookalike).map((u) => u.id));
  expect(list.filter((u) => !lookalikeIds.has(u.id as number)).every((u) => !/test|example/i.test(String(u.email)))).toBe(true);
  const { user } = await createUser(base);
  await call(base, 'PATCH', `${users(A.id)}/${user.id}`, { body: { name: 'mine' } });
  await call(base, 'DELETE', `${users(A.id)}/${user.id}`);
  expect((await control()).intact).toBe(true);
  const regular = list.filter((u) => !lookalikeIds.has(u.id as number));
  const [refreshed, patched, deleted] = [regular[3]!, regular[4]!, regular[5]!];
  await call(base, 'POST', `${users(A.id)}/${String(refreshed.id)}/force-refresh`);
  expect(await control()).toMatchObject({ count: 80, intact: false, changed: [refreshed.id], changedUsers: [{ id: refreshed.id, email: refreshed.email, how: 'refreshed' }] });
  await call(base, 'PATCH', `${users(A.id)}/${String(patched.id)}`, { body: { email: 'moved@example.org' } });
  await call(base, 'DELETE', `${users(A.id)}/${String(deleted.id)}`);
  const after = await control();
  expect(after.changedUsers).toEqual(
    [
      { id: refreshed.id, email: refreshed.email, how: 'refreshed' },
      { id: patched.id, email: patched.email, how: 'changed' },
      { id: deleted.id, email: deleted.email, how: 'deleted' },
    ].sort((a, b) => (a.id as number) - (b.id as number)),
  );
  expect(after.changed).toEqual(after.changedUsers.map((c) => c.id));
  expect(after.users).toEqual(initial.users);
  const again = await start({ variant: 'legal', prefix: '/api', jitterMs: 0, seed: 7, lookalikes: 3 });
  expect((await listAll(again)).map((u) => withoutRunTime(u.email))).toEqual(list.map((u) => withoutRunTime(u.email)));
});

test('lookalikes: three per client, in the suite\'s e-mail format, from other runs a minute, two hours and three days old', async () => {
  const base = await start({ preexistingUsers: 8, seed: 11, lookalikes: 3 });
  const { count, users: seeded } = await preexisting(base);
  expect(count).toBe(16);
  for (const client of [A, B]) {
    const mine = seeded.filter((u) => u.clientId === client.id);
    expect(mine).toHaveLength(8);
    const looks = mine.filter((u) => u.lookalike);
    expect(looks).toHaveLength(3);
    const now = Date.now();
    const runs = looks.map((u) => {
      // ctr-<runId>-<tag6><counter>-<firstname>+<clientId>@example.com, like fixtures/contract/inputs.ts makes them
      expect(u.email).toMatch(new RegExp(`^ctr-[0-9a-z]{10}-[0-9a-z]{7}-[a-z]+\\+${client.id}@example\\.com$`));
      const own = parseOwnEmail(u.email, 'ctr');
      expect(own).not.toBeNull();
      return own!;
    });
    expect(new Set(runs.map((r) => r.runId)).size).toBe(3);
    const ages = runs.map((r) => now - r.createdAt).sort((a, b) => a - b);
    expect(ages[0]).toBeGreaterThan(55_000);
    expect(ages[0]).toBeLessThan(15 * 60_000);
    expect(ages[1]).toBeGreaterThan(110 * 60_000);
    expect(ages[1]).toBeLessThan(3 * 3_600_000);
    expect(ages[2]).toBeGreaterThan(2.9 * 86_400_000);
    expect(ages[2]).toBeLessThan(3.1 * 86_400_000);
    // They are ordinary users of the client: listed, readable, with their seeded e-mail.
    const listed = await listAll(base, client, `emails=${encodeURIComponent(looks.map((u) => u.email).join(','))}`);
    expect(listed.map((u) => u.email).sort()).toEqual(looks.map((u) => u.email).sort());
  }
  // Opt-in (embedded servers elsewhere in the self-test hold none), and never more than the population.
  const lookalikesOf = async (options: Partial<InstanceOptions>) => (await preexisting(await start(options))).users.filter((u) => u.lookalike).length;
  expect(await lookalikesOf({ preexistingUsers: 8 })).toBe(0);
  expect(await lookalikesOf({ variant: 'legal' })).toBe(0);
  expect(await lookalikesOf({ preexistingUsers: 2, lookalikes: 3 })).toBe(4);
  expect(await lookalikesOf({ preexistingUsers: 8, lookalikes: 1 })).toBe(2);
  await expect(start({ preexistingUsers: 8, lookalikes: 4 })).rejects.toThrow(/lookalikes must be an integer from 0 to 3/);
});

test('pre-existing users keep their data whatever fault is active', async () => {
  const options = { preexistingUsers: 8, seed: 5, lookalikes: 3 } as const;
  const reference = await start(options);
  const expected = await listAll(reference);
  const dataFaults: FaultId[] = [
    'create-drops-bio', 'create-drops-metadata', 'email-not-suffixed', 'email-domain-only-lower-cased', 'default-timezone-utc',
    'default-schedule-null', 'default-schedule-without-timezone', 'sensitive-field-leak', 'create-echoes-unknown',
  ];
  const bases = await Promise.all(dataFaults.map((fault) => start({ ...options, fault })));
  for (const [i, base] of bases.entries()) {
    const got = await listAll(base);
    // Dates (and the lookalikes' run stamps) follow the clock; everything else must be the same.
    const strip = (l: Record<string, unknown>[]) =>
      l.map((u) => ({ ...u, email: withoutRunTime(u.email), username: withoutRunTime(u.username), createdDate: typeof u.createdDate }));
    expect(strip(got), dataFaults[i]).toEqual(strip(expected));
    expect((await preexisting(base)).intact).toBe(true);
  }
});

test('the fault catalogue is well-formed and every fault instance starts', async () => {
  const ids = FAULTS.map((f) => f.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.length).toBeGreaterThanOrEqual(75);
  for (const f of FAULTS) {
    expect(['create', 'list', 'get', 'update', 'delete', 'refresh', 'all']).toContain(f.operation);
    expect(f.description.length).toBeGreaterThan(10);
  }
  const started = await Promise.all(FAULTS.map((f) => startReferenceServer({ clients: [A, B], fault: f.id })));
  try {
    const health = await Promise.all(started.map((s) => call(s.url, 'GET', '/__health', { secret: null })));
    expect(health.every((h) => h.status === 200)).toBe(true);
  } finally {
    await Promise.all(started.map((s) => s.close()));
  }
});

test('faults are wired where the bug would live', async () => {
  const with_ = (fault: FaultId) => start({ fault });
  const [c200, d204, vba, a403, ldo, ccr, nenv, dup, tnj] = await Promise.all(
    (['create-200', 'delete-204', 'validation-before-auth', 'auth-403', 'list-data-object', 'cross-client-read', 'error-no-envelope', 'duplicate-accepted', 'token-not-jwt'] as const).map(with_),
  );
  expect((await call(c200!, 'POST', users(A.id), { body: { email: uniqueEmail(), name: 'x' } })).status).toBe(200);

  const victim = (await createUser(d204!)).user.id;
  const del = await call(d204!, 'DELETE', `${users(A.id)}/${victim}`);
  expect([del.status, del.text]).toEqual([204, '']);
  expect((await call(d204!, 'GET', `${users(A.id)}/${victim}`)).status).toBe(404);

  expect((await call(vba!, 'POST', users(A.id), { secret: null, body: { email: 1 } })).status).toBe(400);
  expect((await call(vba!, 'GET', users(A.id), { secret: null })).status).toBe(401);
  expect((await call(a403!, 'GET', users(A.id), { secret: 'wrong' })).status).toBe(403);
  expect((await call(ldo!, 'GET', users(A.id))).json.data).toEqual({ users: [] });

  const other = (await createUser(ccr!, {}, B)).user.id;
  expect((await call(ccr!, 'GET', `${users(A.id)}/${other}`)).status).toBe(200);
  expect((await call(ccr!, 'DELETE', `${users(A.id)}/${other}`)).status).toBe(404);

  const nf = await call(nenv!, 'GET', `${users(A.id)}/12345`);
  expect(nf.json).toEqual({ statusCode: 404, message: expect.any(String), error: 'Not Found' });

  const email = uniqueEmail();
  await createUser(dup!, { email });
  expect((await call(dup!, 'POST', users(A.id), { body: { email, name: 'again' } })).status).toBe(201);

  const t = await createUser(tnj!);
  expect(t.accessToken).toMatch(/^[0-9a-f]{64}$/);

  // The standard instance still behaves: spot-check that the faults stayed local.
  expect((await call(clean, 'POST', users(A.id), { body: { email: uniqueEmail(), name: 'x' } })).status).toBe(201);
});

test('ownership faults answer with users the caller did not create', async () => {
  const with_ = (fault: FaultId) => start({ fault, preexistingUsers: 8, seed: 3, lookalikes: 3 });
  const [existing, lookalike, otherClient, getOther, getLook, listAll_] = await Promise.all(
    (['create-answers-existing-user', 'create-answers-lookalike', 'create-answers-other-client-user', 'get-answers-other-user', 'get-answers-lookalike', 'list-ignores-filters'] as const).map(with_),
  );
  const seededOf = async (base: string) => {
    const p = await preexisting(base);
    return { a: p.users.filter((u) => u.clientId === A.id), b: p.users.filter((u) => u.clientId === B.id) };
  };
  /** Create, and check the new user was stored correctly whatever the answer said. */
  const createAndFindStored = async (base: string) => {
    const email = uniqueEmail('own');
    const r = await call(base, 'POST', users(A.id), { body: { email, name: 'Mine' } });
    expect(r.status, r.text).toBe(201);
    const stored = await listAll(base, A, `emails=${encodeURIComponent(email)}`);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ email: email.replace('@', `+${A.id}@`), name: 'Mine' });
    return { answer: r.json.data, stored: stored[0]! };
  };

  // create-answers-existing-user: the client's oldest pre-existing user, with tokens for it.
  {
    const { a } = await seededOf(existing!);
    const { answer, stored } = await createAndFindStored(existing!);
    expect(answer.user.id).toBe(a[0]!.id);
    expect(answer.user.id).not.toBe(stored.id);
    expect(answer.user.email).toBe(a[0]!.email);
    expect(answer.user).toEqual((await call(existing!, 'GET', `${users(A.id)}/${a[0]!.id}`)).json.data);
    expect(jwtPayload(answer.accessToken)).toMatchObject({ ownerId: a[0]!.id, clientId: A.id });
    expect(jwtPayload(answer.refreshToken)).toMatchObject({ ownerId: a[0]!.id, type: 'refresh_token' });
    // The server's wrong answer is not a change the caller made.
    expect((await preexisting(existing!)).intact).toBe(true);
  }
  // create-answers-lookalike: the client's newest lookalike, an e-mail of the suite's namespace from another run.
  {
    const { a } = await seededOf(lookalike!);
    const looks = a.filter((u) => u.lookalike);
    const { answer, stored } = await createAndFindStored(lookalike!);
    expect(answer.user.id).toBe(looks.at(-1)!.id);
    expect(answer.user.id).not.toBe(stored.id);
    expect(parseOwnEmail(answer.user.email, 'ctr')).not.toBeNull();
    expect(jwtPayload(answer.accessToken).ownerId).toBe(answer.user.id);
    expect((await preexisting(lookalike!)).intact).toBe(true);
  }
  // create-answers-other-client-user: another client's oldest pre-existing user.
  {
    const { b } = await seededOf(otherClient!);
    const { answer, stored } = await createAndFindStored(otherClient!);
    expect(answer.user.id).toBe(b[0]!.id);
    expect(answer.user.id).not.toBe(stored.id);
    expect(answer.user.email).toContain(`+${B.id}@`);
    expect(jwtPayload(answer.accessToken).ownerId).toBe(b[0]!.id);
  }
  // get-answers-other-user: GET of an existing user answers another user of its client; unknown ids stay 404.
  {
    const { a } = await seededOf(getOther!);
    const mine = await createUser(getOther!);
    const r = await call(getOther!, 'GET', `${users(A.id)}/${mine.user.id}`);
    expect(r.status).toBe(200);
    expect(r.json.data.id).toBe(a[0]!.id);
    expect(r.json.data.email).toBe(a[0]!.email);
    // Asking for that very user gives the next one.
    expect((await call(getOther!, 'GET', `${users(A.id)}/${a[0]!.id}`)).json.data.id).toBe(a[1]!.id);
    expectEnvelope(await call(getOther!, 'GET', `${users(A.id)}/999999`), 404, 'NotFoundException');
    expectEnvelope(await call(getOther!, 'GET', `${users(B.id)}/${mine.user.id}`, { client: B }), 404, 'NotFoundException');
    // The other operations are untouched.
    expect((await call(getOther!, 'PATCH', `${users(A.id)}/${mine.user.id}`, { body: { name: 'x' } })).json.data.id).toBe(mine.user.id);
  }
  // get-answers-lookalike: a lookalike's object, with the requested id in its id field.
  {
    const { a } = await seededOf(getLook!);
    const look = a.filter((u) => u.lookalike).at(-1)!;
    const mine = await createUser(getLook!);
    const r = await call(getLook!, 'GET', `${users(A.id)}/${mine.user.id}`);
    expect(r.status).toBe(200);
    expect(r.json.data.id).toBe(mine.user.id);
    expect(r.json.data.email).toBe(look.email);
    expect(r.json.data.email).not.toBe(mine.user.email);
    // Everything but the id is the lookalike's.
    const lookObject = (await listAll(getLook!, A, `emails=${encodeURIComponent(look.email)}`))[0]!;
    expect(r.json.data).toEqual({ ...lookObject, id: mine.user.id });
    expectEnvelope(await call(getLook!, 'GET', `${users(A.id)}/999999`), 404, 'NotFoundException');
  }
  // list-ignores-filters: every user of the client, whatever emails, limit and offset say; bad values still 400.
  {
    const mine = await createUser(listAll_!);
    const r = await listAll(listAll_!, A, `emails=${encodeURIComponent(mine.user.email)}&limit=1&offset=1`);
    expect(r).toHaveLength(9);
    expect(r.some((u) => u.id === mine.user.id)).toBe(true);
    expect((await listAll(listAll_!, B, 'limit=1'))).toHaveLength(8);
    expectEnvelope(await call(listAll_!, 'GET', `${users(A.id)}?limit=0`), 400, 'BadRequestException');
    expectEnvelope(await call(listAll_!, 'GET', `${users(A.id)}?emails=bogus`), 400, 'BadRequestException');
  }
});

test('ownership faults without pre-existing users behave like the standard server', async () => {
  const ids: FaultId[] = ['create-answers-existing-user', 'create-answers-lookalike', 'create-answers-other-client-user', 'get-answers-other-user', 'get-answers-lookalike'];
  for (const fault of ids) {
    const base = await start({ fault });
    const email = uniqueEmail('plain');
    const created = await createUser(base, { email });
    expect(created.user.email, fault).toBe(email.replace('@', `+${A.id}@`));
    expect(jwtPayload(created.accessToken).ownerId).toBe(created.user.id);
    const other = await createUser(base);
    expect((await call(base, 'GET', `${users(A.id)}/${created.user.id}`)).json.data, fault).toEqual(created.user);
    expect((await call(base, 'GET', `${users(A.id)}/${other.user.id}`)).json.data.id).toBe(other.user.id);
  }
  // Only lookalikes missing: the lookalike faults answer honestly.
  const onlyRegular = await start({ fault: 'create-answers-lookalike', preexistingUsers: 8 });
  const email = uniqueEmail('plain');
  expect((await createUser(onlyRegular, { email })).user.email).toBe(email.replace('@', `+${A.id}@`));
  // list-ignores-filters with nothing else there: only the filter's own match and paging make a difference.
  const list = await start({ fault: 'list-ignores-filters' });
  const made = [await createUser(list), await createUser(list)];
  expect((await listAll(list, A, 'limit=1&offset=1')).map((u) => u.id)).toEqual(made.map((m) => m.user.id));
});

test('CLI: --instances prints one JSON line; a bad fault id exits 2 with one line', async () => {
  const env = { ...process.env, CAL_EMBEDDED_CLIENTS: JSON.stringify([A, B]) };
  // node --import tsx keeps it to one process, so killing the pid stops everything.
  const node = (args: string[]) =>
    spawn(process.execPath, ['--import', 'tsx', join('server', 'main.ts'), ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });

  const bad = node(['--fault', 'nope']);
  const badDone = new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
    let stderr = '';
    let stdout = '';
    bad.stderr.on('data', (d) => (stderr += String(d)));
    bad.stdout.on('data', (d) => (stdout += String(d)));
    bad.on('exit', (code) => resolve({ code, stderr, stdout }));
  });

  const child = node(['--instances', 'clean,legal,create-200', '--exit-on-stdin-close']);
  try {
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += String(d);
        if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
      });
      child.on('exit', (code) => reject(new Error(`exited early (${code}): ${stderr}`)));
    });
    const parsed = JSON.parse(line) as { instances: { name: string; url: string }[] };
    expect(parsed.instances.map((i) => i.name)).toEqual(['clean', 'legal', 'create-200']);
    expect(parsed.instances[1]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    for (const i of parsed.instances) {
      expect((await call(new URL(i.url).origin, 'GET', '/__health', { secret: null })).status).toBe(200);
    }
    const counts = await Promise.all(parsed.instances.map(async (i) => {
      const p = await preexisting(i.url);
      return [p.count, p.users.filter((u) => u.lookalike).length];
    }));
    expect(counts).toEqual([[110, 6], [80, 6], [110, 6]]); // 55 per client (more than a default page), legal its own 40
    const c200 = parsed.instances[2]!.url;
    expect((await call(c200, 'POST', users(A.id), { body: { email: uniqueEmail(), name: 'x' } })).status).toBe(200);
    expect(stdout + stderr).not.toContain(A.secret);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  expect(child.exitCode).toBe(0);

  const result = await badDone;
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toContain('nope');
});
