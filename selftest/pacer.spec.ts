/**
 * The rate budget (fixtures/settings/budget.ts) on a fake clock: it learns the limit
 * and window from X-RateLimit-* answers, keeps any window-long interval
 * under the limit, honours the server's Remaining, pauses everyone on a 429,
 * and is shared across processes through the runner's loopback host.
 */
import { test, expect } from '@playwright/test';
import { hostBudget, observationFrom, parseRateLimit, RateBudget, RemoteBudget } from '../fixtures/settings/budget';
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
  budget(configured: ConstructorParameters<typeof RateBudget>[0]): RateBudget {
    return new RateBudget(configured, this.now, this.schedule);
  }
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
    expect(o).toEqual({ status: 429, sentAt: now - 5, limit: 500, remaining: 0, resetAt: now + 42_000, retryAfterMs: 60_000 });
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
