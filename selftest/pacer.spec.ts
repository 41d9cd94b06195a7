/**
 * The rate budget (fixtures/settings/budget.ts) on a fake clock: it learns the limit
 * and window from X-RateLimit-* answers (or from the first 429 of a server that
 * shows none), keeps any window-long interval under its share of the limit,
 * honours the server's Remaining, pauses everyone on a 429, counts what it did,
 * and is shared across processes through the runner's socket.
 */
import { test, expect } from '@playwright/test';
import type { IncomingMessage } from 'node:http';
import { allowance, hostBudget, observationFrom, parseRateLimit, RateBudget, RemoteBudget, statsLine, windowOpening, type BudgetStats } from '../fixtures/settings/budget';
import { createRateLimiter, type RateLimitOptions } from '../server/ratelimit';
import { budgetAddress } from '../fixtures/settings/config';

/** A fake clock: the budget's timers fire as it advances. */
class Clock {
  t = 1_000_000;
  private timers: { at: number; fn: () => void }[] = [];
  now = () => this.t;
  schedule = (fn: () => void, ms: number) => void this.timers.push({ at: this.t + ms, fn });
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of due) x.fn();
  }
  budget(configured: ConstructorParameters<typeof RateBudget>[0], share = 1): RateBudget {
    return new RateBudget(configured, this.now, this.schedule, share);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((r) => this.schedule(r, ms));
  }
}

/** Every permit's time, in windows: the most let through in any window-long interval. */
function busiest(at: number[], windowMs: number): number {
  return Math.max(0, ...at.map((t) => at.filter((u) => u >= t && u < t + windowMs).length));
}

/**
 * `ok` requests through `budget` to the reference server's throttler on the fake clock, `inFlight` at a time, each
 * answered `latencyMs` after it is sent; a 429 is waited out (Retry-After) and retried, as the client does.
 */
async function drive(clock: Clock, budget: RateBudget, limiter: ReturnType<typeof createRateLimiter>, ok: number, inFlight: number, latencyMs = 5) {
  const req = { headers: { 'x-cal-client-id': 'c' }, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
  const sentAt: number[] = [];
  let throttled = 0;
  const worker = async () => {
    while (sentAt.length - throttled < ok) {
      await budget.acquire('c');
      const at = clock.t;
      sentAt.push(at);
      const d = limiter.hit(req);
      await clock.sleep(latencyMs);
      const headers = Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const o = { ...observationFrom(d.allowed ? 200 : 429, headers, at, clock.t), key: 'c' };
      budget.observe(o);
      if (!d.allowed) {
        throttled++;
        await clock.sleep(o.retryAfterMs ?? 1000);
      }
    }
  };
  const start = clock.t;
  let running = inFlight;
  for (let i = 0; i < inFlight; i++) void worker().then(() => running--);
  while (running > 0 && clock.t - start < 3_600_000) {
    clock.advance(10);
    await new Promise((r) => setImmediate(r));
  }
  return { sentAt, throttled, elapsedMs: clock.t - start };
}

function throttler(clock: Clock, o: Partial<RateLimitOptions> & { limit: number; windowMs: number }) {
  return createRateLimiter({ blockMs: o.windowMs, addressLimit: o.limit, clientIdTracker: false, showHeaders: false, ...o }, clock.now);
}

/** Ask for n permits at once, then advance the clock in 50 ms steps; when each was granted (ms after the ask). */
async function grants(budget: RateBudget, clock: Clock, n: number, key = 'c', maxMs = 120_000): Promise<number[]> {
  const start = clock.t;
  const at: number[] = [];
  for (let i = 0; i < n; i++) void budget.acquire(key).then(() => at.push(clock.t - start));
  await new Promise((r) => setImmediate(r));
  while (at.length < n && clock.t - start < maxMs) {
    clock.advance(50);
    await new Promise((r) => setImmediate(r));
  }
  return at;
}

test.describe('rate budget', () => {
  test('CONTRACT_RATE_LIMIT forms', () => {
    expect(parseRateLimit('500/60s')).toEqual({ limit: 500, windowMs: 60_000 });
    expect(parseRateLimit('120/1m')).toEqual({ limit: 120, windowMs: 60_000 });
    expect(parseRateLimit('40/2s')).toEqual({ limit: 40, windowMs: 2000 });
    expect(parseRateLimit('10/500ms')).toEqual({ limit: 10, windowMs: 500 });
    expect(parseRateLimit('10/s')).toEqual({ limit: 10, windowMs: 1000 });
    expect(parseRateLimit('off')).toBeNull();
    for (const bad of ['', '500', '0/60s', '500/60', 'fast', '500/-1s']) expect(parseRateLimit(bad)).toBeUndefined();
  });

  test('reads Cal.com headers: -Default names, epoch-second reset, Retry-After on 429', () => {
    const now = 1_700_000_000_000;
    const o = observationFrom(429, { 'x-ratelimit-limit-default': '500', 'x-ratelimit-remaining-default': '0', 'x-ratelimit-reset-default': String(now / 1000 + 42), 'retry-after': '60' }, now - 5, now);
    expect(o).toEqual({ status: 429, sentAt: now - 5, limit: 500, remaining: 0, resetAt: now + 42_000, retryAfterMs: 60_000, retryAfterGiven: true });
    // A reset in seconds-from-now (other throttlers) is read as such; a 429 without Retry-After waits for the reset.
    expect(observationFrom(429, { 'x-ratelimit-limit': '10', 'x-ratelimit-reset': '3' }, now, now)).toMatchObject({ resetAt: now + 3000, retryAfterMs: 3000 });
    expect(observationFrom(200, {}, now, now)).toEqual({ status: 200, sentAt: now });
  });

  test('no limit shown and none configured: nothing is held back', async () => {
    const clock = new Clock();
    const b = clock.budget(undefined);
    expect(await grants(b, clock, 200)).toHaveLength(200);
    expect(b.describe()).toBe('none shown by the server');
  });

  test('a configured limit keeps every window-long interval under it (with a reserve)', async () => {
    const clock = new Clock();
    const b = clock.budget({ limit: 20, windowMs: 2000 });
    const at = await grants(b, clock, 60);
    expect(at).toHaveLength(60);
    for (let i = 0; i < at.length; i++) expect(at.filter((t) => t >= at[i]! && t < at[i]! + 2000).length).toBeLessThanOrEqual(19);
    expect(at[59]!).toBeGreaterThanOrEqual(4000); // 60 requests at 19 per 2 s need at least three windows
  });

  test('learns the limit and the window from the answers', async () => {
    const clock = new Clock();
    const b = clock.budget(undefined);
    b.observe({ status: 200, sentAt: clock.t, limit: 10, remaining: 9, resetAt: clock.t + 2000 });
    expect(b.limit).toEqual({ limit: 10, windowMs: 2000 });
    const at = await grants(b, clock, 30);
    for (let i = 0; i < at.length; i++) expect(at.filter((t) => t >= at[i]! && t < at[i]! + 2000).length).toBeLessThanOrEqual(9);
  });

  test("honours the server's Remaining for the tracker it was counted under", async () => {
    const clock = new Clock();
    const b = clock.budget({ limit: 1000, windowMs: 60_000 });
    b.observe({ status: 200, key: 'a', sentAt: clock.t, remaining: 2, resetAt: clock.t + 5000 });
    const a = await grants(b, clock, 3, 'a');
    expect(a[0]).toBe(0);
    expect(a[2]!).toBeGreaterThanOrEqual(5000); // waits for the server's window to end
    b.observe({ status: 200, key: 'b', sentAt: clock.t, remaining: 100, resetAt: clock.t + 5000 });
    const other = await grants(b, clock, 3, 'b');
    expect(other.every((t) => t === 0)).toBe(true); // another tracker's budget is its own
  });

  test('a 429 pauses every request until Retry-After', async () => {
    const clock = new Clock();
    const b = clock.budget(undefined);
    b.observe({ status: 429, sentAt: clock.t, retryAfterMs: 3000 });
    const at = await grants(b, clock, 2);
    expect(Math.min(...at)).toBeGreaterThanOrEqual(3000);
  });

  test('off disables pacing, but a 429 still pauses', async () => {
    const clock = new Clock();
    const b = clock.budget(null);
    b.observe({ status: 200, sentAt: clock.t, limit: 2, remaining: 0, resetAt: clock.t + 10_000 });
    expect(await grants(b, clock, 10)).toEqual(Array(10).fill(0));
  });

  test('the share replaces the 5% reserve: share × limit per window, never more than limit - reserve', () => {
    const perMin = (limit: number) => ({ limit, windowMs: 60_000 });
    expect([allowance(perMin(500), 0.9), allowance(perMin(120), 0.9), allowance(perMin(500), 0.5), allowance(perMin(500), 1), allowance(perMin(500), 0.96)]).toEqual([450, 108, 250, 475, 475]);
    expect([allowance(perMin(1), 0.5), allowance(perMin(3), 1), allowance(perMin(10), 0.3)]).toEqual([1, 2, 3]);
  });

  test('a share of a configured limit: any window-long interval holds at most share × limit', async () => {
    const clock = new Clock();
    const at = await grants(clock.budget({ limit: 20, windowMs: 2000 }, 0.5), clock, 40);
    expect(at).toHaveLength(40);
    expect(busiest(at, 2000)).toBe(10);
    expect(at[39]!).toBeGreaterThanOrEqual(6000); // 40 at 10 per 2 s: three windows after the first
  });

  test('a share of a learned limit, too', async () => {
    const clock = new Clock();
    const b = clock.budget(undefined, 0.5);
    b.observe({ status: 200, sentAt: clock.t, limit: 10, remaining: 9, resetAt: clock.t + 2000 });
    expect(busiest(await grants(b, clock, 20), 2000)).toBe(5);
  });

  test('no rate headers: the first 429 teaches the limit, and a 120/min run sees no second one', async () => {
    const clock = new Clock();
    const b = clock.budget(undefined, 0.9);
    const limiter = throttler(clock, { limit: 120, windowMs: 60_000 });
    const run = await drive(clock, b, limiter, 500, 1);
    expect(limiter.stats()).toEqual({ throttled: 1, blocks: 1 });
    expect(b.stats()).toMatchObject({ throttled: 1, blocks: 1 });
    // Paced over the Retry-After and a second more: the log knows when the server's window began only roughly.
    expect(b.limit).toEqual({ limit: 120, windowMs: 61_000 });
    expect(b.describe()).toBe('120/61s (learned from a 429)');
    const after = run.sentAt.slice(121); // every request after the refused one
    expect(busiest(after, 61_000)).toBe(108);
    expect(b.stats()).toMatchObject({ requests: 501, throttled: 1, source: '429', allowance: 108 });
  });

  test('no rate headers, several requests in flight: one block, and only the requests already under way see it', async () => {
    const clock = new Clock();
    const b = clock.budget(undefined, 0.9);
    const limiter = throttler(clock, { limit: 40, windowMs: 1000 });
    const run = await drive(clock, b, limiter, 400, 4, 20);
    expect(limiter.stats().blocks).toBe(1);
    expect(run.throttled).toBeLessThanOrEqual(4);
    expect(b.stats()).toMatchObject({ throttled: run.throttled, blocks: 1 });
    // The first 429 counts the requests in flight with it; their own 429s take them off again.
    expect(b.limit).toEqual({ limit: 40, windowMs: 1050 });
  });

  test("the server's window, replayed as Cal.com's throttler opens them", () => {
    // A window opens at the first request after the previous one ends: 0–999, then 1200–2199 (the last second holds 900 too).
    expect(windowOpening([0, 100, 900, 1200, 1300, 1500], 1000)).toBe(1200);
    expect(windowOpening([0, 100, 900, 950], 1000)).toBe(0);
    expect(windowOpening([0, 1000, 1999, 2000], 1000)).toBe(2000);
    expect(windowOpening([], 1000)).toBe(0);
  });

  test('no rate headers and a window the run enters late: the requests of the window before do not count', async () => {
    const clock = new Clock();
    const b = clock.budget(undefined, 0.9);
    const limiter = throttler(clock, { limit: 40, windowMs: 1000 });
    // 30 requests end the server's first window; the run then goes on at full speed into the next one.
    await grants(b, clock, 30, 'c', 0);
    const req = { headers: {}, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
    for (let i = 0; i < 30; i++) limiter.hit(req);
    clock.advance(900);
    const run = await drive(clock, b, limiter, 300, 2);
    expect(limiter.stats().blocks).toBe(1);
    // Counted over the last second, ten of the first window would count too: 50 and more.
    expect(b.limit).toEqual({ limit: 40, windowMs: 1050 });
    expect(run.throttled).toBeLessThanOrEqual(2);
  });

  test('a 429 without Retry-After teaches a 60 s window (and a second) and pauses for all of it; a 429 at our first request teaches nothing', async () => {
    const clock = new Clock();
    const b = clock.budget(undefined);
    await grants(b, clock, 30);
    b.observe({ status: 429, key: 'c', sentAt: clock.t, retryAfterMs: 1000 });
    expect(b.limit).toEqual({ limit: 29, windowMs: 61_000 });
    expect(Math.min(...(await grants(b, clock, 1)))).toBeGreaterThanOrEqual(61_000);

    const fresh = clock.budget(undefined);
    await grants(fresh, clock, 1);
    fresh.observe({ status: 429, key: 'c', sentAt: clock.t, retryAfterMs: 5000, retryAfterGiven: true });
    expect(fresh.limit).toBeNull();
    // Nor does a 429 from a server that shows its limit (the headers say it), nor one with CONTRACT_RATE_LIMIT or off.
    for (const configured of [{ limit: 100, windowMs: 1000 }, null]) {
      const c = clock.budget(configured);
      await grants(c, clock, 10);
      c.observe({ status: 429, key: 'c', sentAt: clock.t, retryAfterMs: 1000, retryAfterGiven: true });
      expect(c.limit).toEqual(configured);
    }
  });

  test('statistics: requests by key, time waiting for a permit, 429s and the pause they caused', async () => {
    const clock = new Clock();
    const b = clock.budget({ limit: 10, windowMs: 1000 }, 0.5);
    await grants(b, clock, 5, 'a');
    await grants(b, clock, 5, 'b');
    b.observe({ status: 429, key: 'b', sentAt: clock.t, retryAfterMs: 2000, retryAfterGiven: true });
    b.observe({ status: 429, key: 'b', sentAt: clock.t, retryAfterMs: 2000, retryAfterGiven: true }); // the same pause: no more time
    const s = b.stats();
    expect(s).toMatchObject({ requests: 10, byKey: { a: 5, b: 5 }, throttled: 2, blocks: 1, throttledMs: 2000, share: 0.5, allowance: 5, source: 'configured' });
    expect(s.longestWaitMs).toBeGreaterThanOrEqual(1000); // the second five waited for the window
    expect(s.heldMs).toBeGreaterThanOrEqual(1000);
    expect(s.waitMs).toBeGreaterThanOrEqual(5 * 1000);
  });

  test('the end-of-run line', () => {
    const base: BudgetStats = { requests: 431, byKey: {}, waitMs: 9000, longestWaitMs: 1100, heldMs: 3200, throttled: 0, blocks: 0, throttledMs: 0, limit: { limit: 500, windowMs: 60_000 }, source: 'headers', share: 0.9, allowance: 450 };
    expect(statsLine(base)).toBe('requests: 431 sent (0 × 429), 3.2 s waiting for the rate budget, longest 1.1 s (share 0.9 of 500/60s, learned from X-RateLimit-*)');
    expect(statsLine({ ...base, heldMs: 0, throttled: 3, blocks: 1, throttledMs: 60_000, limit: { limit: 120, windowMs: 60_000 }, source: '429' })).toBe(
      'requests: 431 sent (3 × 429 in 1 block, paused 60.0 s), 0.0 s waiting for the rate budget (share 0.9 of 120/60s, learned from a 429)',
    );
    expect(statsLine({ ...base, heldMs: 0, limit: null, source: 'none' })).toBe('requests: 431 sent (0 × 429), 0.0 s waiting for the rate budget (share 0.9; no limit shown by the server)');
  });

  test("workers share the runner-hosted budget over the run's own socket", async () => {
    const host = new RateBudget({ limit: 6, windowMs: 60_000 });
    const hosted = await hostBudget(host, budgetAddress({ runId: `0t5pace${process.pid % 1000}`.padEnd(10, '0').slice(0, 10) }));
    try {
      const w1 = new RemoteBudget(hosted.address, undefined);
      const w2 = new RemoteBudget(hosted.address, undefined);
      let granted = 0;
      for (const w of [w1, w2, w1, w2, w1, w2, w1]) void w.acquire('c').then(() => granted++);
      await new Promise((r) => setTimeout(r, 300));
      expect(granted).toBe(5); // 6 minus the reserve of 1: the seventh waits for the window, whichever process asks
      // The runner reads the run's statistics from its budget; the host shows them too.
      const stats = host.stats();
      expect(stats).toMatchObject({ requests: 5, byKey: { c: 5 }, allowance: 5 });
    } finally {
      await hosted.close();
    }
  });

  test('a worker whose runner budget is gone falls back to its own', async () => {
    const hosted = await hostBudget(new RateBudget(undefined), budgetAddress({ runId: `0t5gone${process.pid % 1000}`.padEnd(10, '0').slice(0, 10) }));
    await hosted.close();
    const w = new RemoteBudget(hosted.address, { limit: 100, windowMs: 1000 });
    await w.acquire('c');
    expect(w.describe()).toMatch(/100\/1s/);
  });
});
