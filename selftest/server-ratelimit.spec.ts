/**
 * Self-test of the reference server's rate limiting (server/ratelimit.ts):
 * Cal.com's throttler semantics exactly on a fake clock, then over HTTP with
 * small windows and generous timing margins, then the CLI flags. Every server
 * started here is stopped here; ports are OS-picked.
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, test } from '@playwright/test';
import { type ClientCredentials, type InstanceOptions, type ReferenceServer, startReferenceServer } from '../server';
import { createRateLimiter, defaultAddressLimit } from '../server/ratelimit';

const A: ClientCredentials = { id: 'clsx38nbl0001vkhlwin9fmt0a', secret: 'a'.repeat(40) };
const B: ClientCredentials = { id: 'clsx38nbl0002vkhlwin9fmt0b', secret: 'b'.repeat(40) };
const ROOT = join(__dirname, '..');
const LIST = `/v2/oauth-clients/${A.id}/users`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Res {
  status: number;
  headers: Headers;
  json: any;
}

async function call(base: string, path = LIST, opts: { clientIdHeader?: string; secret?: string | null; method?: string } = {}): Promise<Res> {
  const headers: Record<string, string> = {};
  const secret = opts.secret === undefined ? A.secret : opts.secret;
  if (secret !== null) headers['x-cal-secret-key'] = secret;
  if (opts.clientIdHeader !== undefined) headers['x-cal-client-id'] = opts.clientIdHeader;
  const r = await fetch(base + path, { method: opts.method ?? 'GET', headers });
  const text = await r.text();
  return { status: r.status, headers: r.headers, json: text === '' ? undefined : JSON.parse(text) };
}

const remaining = (r: Res) => Number(r.headers.get('x-ratelimit-remaining-default'));
const limitOf = (r: Res) => Number(r.headers.get('x-ratelimit-limit-default'));

function expectThrottled(r: Res) {
  expect(r.status).toBe(429);
  expect(r.json).toEqual({
    status: 'error',
    timestamp: expect.any(String),
    path: expect.any(String),
    error: { code: 'ThrottlerException', message: 'ThrottlerException: Too Many Requests', details: {} },
  });
  expect(Number.isNaN(Date.parse(r.json.timestamp))).toBe(false);
  const retryAfter = r.headers.get('retry-after');
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(remaining(r)).toBe(0);
  expect(r.headers.get('x-ratelimit-limit-default')).toMatch(/^\d+$/);
  expect(r.headers.get('x-ratelimit-reset-default')).toMatch(/^\d+$/);
}

const servers: ReferenceServer[] = [];
async function start(rateLimit: InstanceOptions['rateLimit'], options: Partial<InstanceOptions> = {}): Promise<string> {
  const s = await startReferenceServer({ clients: [A, B], port: 0, rateLimit, ...options });
  servers.push(s);
  return s.url;
}
test.afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const control = async (base: string) => (await call(new URL(base).origin, '/__control/ratelimit', { secret: null })).json;

// ── the limiter on a fake clock ──────────────────────────────────────────────

test('limiter: fixed window from the first hit, block from the hit that went over, fresh start after the block', () => {
  let t = 1_000_000;
  const limiter = createRateLimiter({ limit: 3, windowMs: 1000, blockMs: 2500 }, () => t);
  const req = (clientId?: string, address = '10.0.0.1') =>
    ({ headers: clientId === undefined ? {} : { 'x-cal-client-id': clientId }, socket: { remoteAddress: address } }) as unknown as IncomingMessage;

  const first = limiter.hit(req('c1'));
  expect(first).toEqual({
    allowed: true,
    headers: { 'X-RateLimit-Limit-Default': '3', 'X-RateLimit-Remaining-Default': '2', 'X-RateLimit-Reset-Default': String(Math.ceil((t + 1000) / 1000)) },
  });
  t += 400;
  expect(limiter.hit(req('c1')).headers['X-RateLimit-Remaining-Default']).toBe('1');
  // The window started at the first hit, not at this one.
  expect(limiter.hit(req('c1')).headers['X-RateLimit-Reset-Default']).toBe(String(Math.ceil(1_001_000 / 1000)));
  t += 100; // 500 ms into the window: the 4th request goes over and blocks the key for 2500 ms from now.
  const over = limiter.hit(req('c1'));
  expect(over.allowed).toBe(false);
  expect(over.headers['Retry-After']).toBe('3');
  expect(limiter.stats()).toEqual({ throttled: 1, blocks: 1 });
  // A new window begins, but the block holds: still 429, without a second block.
  t += 1500;
  const blocked = limiter.hit(req('c1'));
  expect([blocked.allowed, blocked.headers['Retry-After']]).toEqual([false, '1']);
  t += 999; // 1 ms before the block ends
  expect(limiter.hit(req('c1')).allowed).toBe(false);
  expect(limiter.stats()).toEqual({ throttled: 3, blocks: 1 });
  t += 1;
  const fresh = limiter.hit(req('c1'));
  expect(fresh.allowed).toBe(true);
  expect(fresh.headers['X-RateLimit-Remaining-Default']).toBe('2');
  expect(fresh.headers['X-RateLimit-Reset-Default']).toBe(String(Math.ceil((t + 1000) / 1000)));

  // Other trackers were never affected: another header value, and the address (budget round(3 × 120/500) = 1).
  expect(limiter.hit(req('c2')).headers['X-RateLimit-Remaining-Default']).toBe('2');
  const byAddress = limiter.hit(req());
  expect(byAddress.headers['X-RateLimit-Limit-Default']).toBe('1');
  expect(limiter.hit(req()).allowed).toBe(false);
  expect(limiter.hit(req(undefined, '10.0.0.2')).allowed).toBe(true);
  expect(limiter.hit(req('c1')).allowed).toBe(true);
});

test('limiter: the window rolls over without a block; the address budget defaults to 120/500 of the header budget', () => {
  let t = 0;
  const limiter = createRateLimiter({ limit: 2, windowMs: 1000, blockMs: 60_000 }, () => t);
  const req = { headers: { 'x-cal-client-id': 'c' }, socket: { remoteAddress: '::1' } } as unknown as IncomingMessage;
  for (let round = 0; round < 3; round++) {
    expect(limiter.hit(req).allowed).toBe(true);
    expect(limiter.hit(req).allowed).toBe(true);
    t += 1000;
  }
  expect(limiter.stats()).toEqual({ throttled: 0, blocks: 0 });
  expect([defaultAddressLimit(500), defaultAddressLimit(5), defaultAddressLimit(1), defaultAddressLimit(1000)]).toEqual([120, 1, 1, 240]);
  const noHeader = createRateLimiter({ limit: 5, windowMs: 1000, blockMs: 1000, clientIdTracker: false }, () => t);
  expect(noHeader.hit(req).headers['X-RateLimit-Limit-Default']).toBe('1');
  expect(() => createRateLimiter({ limit: 0, windowMs: 1000, blockMs: 1000 })).toThrow(/limit/);
  // showHeaders: false hides the budget; a 429 still says how long to wait.
  const hidden = createRateLimiter({ limit: 1, windowMs: 1000, blockMs: 2000, showHeaders: false }, () => t);
  expect(hidden.hit(req).headers).toEqual({});
  expect(hidden.hit(req)).toEqual({ allowed: false, headers: { 'Retry-After': '2' } });
  expect(() => createRateLimiter({ limit: 1, windowMs: 1.5, blockMs: 1000 })).toThrow(/windowMs/);
});

// ── over HTTP ────────────────────────────────────────────────────────────────

test('every API answer carries the rate-limit headers, decreasing; health and control do not count', async () => {
  const base = await start({ limit: 10, windowMs: 60_000, blockMs: 60_000 });
  const before = Date.now();
  const seen: Res[] = [];
  for (let i = 0; i < 4; i++) seen.push(await call(base, LIST, { clientIdHeader: A.id }));
  // Not-found, unauthorised and invalid requests count too: the throttler runs first.
  seen.push(await call(base, `${LIST}/999999`, { clientIdHeader: A.id }));
  seen.push(await call(base, LIST, { clientIdHeader: A.id, secret: null }));
  seen.push(await call(base, `${LIST}/abc`, { clientIdHeader: A.id }));
  expect(seen.map((r) => r.status)).toEqual([200, 200, 200, 200, 404, 401, 400]);
  expect(seen.map(remaining)).toEqual([9, 8, 7, 6, 5, 4, 3]);
  expect(seen.every((r) => limitOf(r) === 10)).toBe(true);
  const resets = new Set(seen.map((r) => r.headers.get('x-ratelimit-reset-default')));
  expect(resets.size).toBe(1);
  const reset = Number([...resets][0]);
  expect(reset).toBeGreaterThanOrEqual(Math.floor((before + 60_000) / 1000));
  expect(reset).toBeLessThanOrEqual(Math.ceil((Date.now() + 60_000) / 1000));
  expect(seen.some((r) => r.headers.has('retry-after'))).toBe(false);

  const origin = new URL(base).origin;
  for (const path of ['/__health', '/__control/preexisting', '/__control/ratelimit']) {
    const r = await call(origin, path, { secret: null });
    expect(r.status).toBe(200);
    expect(r.headers.has('x-ratelimit-limit-default')).toBe(false);
  }
  // An unknown route never reaches the throttler (NestJS: no handler, no guard).
  const unknown = await call(base, '/v2/nothing');
  expect([unknown.status, unknown.headers.has('x-ratelimit-limit-default')]).toEqual([404, false]);
  expect(await control(base)).toEqual({ requests: 7, throttled: 0, blocks: 0 });

  // Without a rate limit: no headers, and the endpoint still answers.
  const plain = await start(undefined);
  const r = await call(plain, LIST, { clientIdHeader: A.id });
  expect([r.status, r.headers.has('x-ratelimit-limit-default')]).toEqual([200, false]);
  expect(await control(plain)).toEqual({ requests: 1, throttled: 0, blocks: 0 });
});

test('over the budget: 429 with Retry-After and the ThrottlerException envelope, before auth and validation', async () => {
  const base = await start({ limit: 3, windowMs: 60_000, blockMs: 60_000 }, { prefix: '/api' });
  for (let i = 0; i < 3; i++) expect((await call(base, LIST, { clientIdHeader: A.id })).status).toBe(200);
  const over = await call(base, LIST, { clientIdHeader: A.id });
  expectThrottled(over);
  expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
  expect(Number(over.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  expect(over.json.path).toBe(`/api${LIST}`);
  // Blocked: no secret, a bad id, a create: all 429, never 401 or 400.
  expectThrottled(await call(base, LIST, { clientIdHeader: A.id, secret: null }));
  expectThrottled(await call(base, `${LIST}/abc`, { clientIdHeader: A.id }));
  expectThrottled(await call(base, LIST, { clientIdHeader: A.id, method: 'POST' }));
  expect(await control(base)).toEqual({ requests: 7, throttled: 4, blocks: 1 });
});

test('the block lasts the block duration, longer than the window (5/500ms, block 700ms)', async () => {
  const base = await start({ limit: 5, windowMs: 500, blockMs: 700 });
  const got: number[] = [];
  for (let i = 0; i < 6; i++) got.push((await call(base, LIST, { clientIdHeader: A.id })).status);
  const blockedAt = Date.now();
  expect(got).toEqual([200, 200, 200, 200, 200, 429]);
  // Still blocked well inside the block (the window would have let it through by now... or soon).
  await sleep(250);
  const during = await call(base, LIST, { clientIdHeader: A.id });
  expectThrottled(during);
  expect(during.headers.get('retry-after')).toBe('1');
  // Well after the block: a fresh budget.
  await sleep(Math.max(0, blockedAt + 1000 - Date.now()));
  const after = await call(base, LIST, { clientIdHeader: A.id });
  expect(after.status).toBe(200);
  expect(remaining(after)).toBe(4);
  const c = await control(base);
  expect(c).toMatchObject({ requests: 8, blocks: 1 });
  expect(c.throttled).toBe(2);
});

test('the header tracker and the address tracker have separate budgets', async () => {
  // Address budget exhausted: requests with the header are untouched.
  const a = await start({ limit: 5, windowMs: 60_000, blockMs: 60_000, addressLimit: 2 });
  const noHeader = [await call(a), await call(a)];
  expect(noHeader.map(limitOf)).toEqual([2, 2]);
  expect(noHeader.map(remaining)).toEqual([1, 0]);
  expectThrottled(await call(a));
  const withHeader = await call(a, LIST, { clientIdHeader: A.id });
  expect([withHeader.status, limitOf(withHeader), remaining(withHeader)]).toEqual([200, 5, 4]);
  // An empty header counts as no header.
  expectThrottled(await call(a, LIST, { clientIdHeader: '' }));

  // Header budget exhausted: the address budget and other header values are untouched.
  const b = await start({ limit: 2, windowMs: 60_000, blockMs: 60_000, addressLimit: 3 });
  for (let i = 0; i < 2; i++) expect((await call(b, LIST, { clientIdHeader: A.id })).status).toBe(200);
  expectThrottled(await call(b, LIST, { clientIdHeader: A.id }));
  const other = await call(b, `/v2/oauth-clients/${B.id}/users`, { clientIdHeader: B.id, secret: B.secret });
  expect([other.status, remaining(other)]).toEqual([200, 1]);
  const plain = await call(b);
  expect([plain.status, limitOf(plain), remaining(plain)]).toEqual([200, 3, 2]);
  expect(await control(b)).toEqual({ requests: 5, throttled: 1, blocks: 1 });
});

test('with latency, requests count at arrival; the 429 is still answered', async () => {
  const base = await start({ limit: 2, windowMs: 60_000, blockMs: 60_000 }, { latencyMs: 300 });
  const pending = Array.from({ length: 3 }, () => call(base, LIST, { clientIdHeader: A.id }));
  await sleep(100);
  expect(await control(base)).toEqual({ requests: 3, throttled: 1, blocks: 1 });
  const done = await Promise.all(pending);
  expect(done.map((r) => r.status).sort()).toEqual([200, 200, 429]);
});

// ── CLI ──────────────────────────────────────────────────────────────────────

function node(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', join('server', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, CAL_EMBEDDED_CLIENTS: JSON.stringify([A, B]) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Starts the CLI with --quiet, returns its URL and a stop function (by this child's pid only). */
async function startCli(args: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = node([...args, '--quiet', '--exit-on-stdin-close']);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`exited early (${code}): ${stderr}`)));
    });
    const url = /^listening on (\S+)$/.exec(line)?.[1];
    if (!url) throw new Error(`unexpected first line: ${line}`);
    return { url, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

test('CLI: --rate-limit with the default address budget and block, and --no-client-id-tracker', async () => {
  const [calcom, noHeader] = await Promise.all([
    startCli(['--rate-limit', '500/60s']),
    startCli(['--rate-limit', '5/1m', '--address-rate-limit', '2', '--block', '2s', '--no-client-id-tracker']),
  ]);
  try {
    const withHeader = await call(calcom.url, LIST, { clientIdHeader: A.id });
    const without = await call(calcom.url);
    expect([limitOf(withHeader), limitOf(without)]).toEqual([500, 120]);

    // The header is ignored: every request counts per address, with the address budget.
    const seen = [await call(noHeader.url, LIST, { clientIdHeader: A.id }), await call(noHeader.url, LIST, { clientIdHeader: B.id }), await call(noHeader.url)];
    expect(seen.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(seen.map(limitOf)).toEqual([2, 2, 2]);
    expect(seen[2]!.headers.get('retry-after')).toBe('2');
    expect(await control(noHeader.url)).toEqual({ requests: 3, throttled: 1, blocks: 1 });
  } finally {
    await Promise.all([calcom.stop(), noHeader.stop()]);
  }
});

test('CLI: bad rate-limit values exit 2 with one line', async () => {
  const cases: [string[], RegExp][] = [
    [['--rate-limit', '500'], /--rate-limit/],
    [['--rate-limit', '0/60s'], /--rate-limit/],
    [['--rate-limit', '5/2d'], /duration/],
    [['--rate-limit', '5/1s', '--block', 'soon'], /--block/],
    [['--rate-limit', '5/1s', '--address-rate-limit', '0'], /--address-rate-limit/],
    [['--no-client-id-tracker'], /--no-client-id-tracker needs --rate-limit/],
    [['--no-rate-limit-headers'], /--no-rate-limit-headers needs --rate-limit/],
  ];
  const results = await Promise.all(
    cases.map(
      ([args]) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = node(args);
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d) => (stdout += String(d)));
          child.stderr.on('data', (d) => (stderr += String(d)));
          child.on('exit', (code) => resolve({ code, stdout, stderr }));
        }),
    ),
  );
  results.forEach((r, i) => {
    const [args, pattern] = cases[i]!;
    expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
    expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    expect(r.stderr, args.join(' ')).toMatch(pattern);
  });
});
