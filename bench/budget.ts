/**
 * Requests are a first-class cost (issue 19): what a run sends, by operation
 * and per check, and the whole suite against the reference server with Cal.com's
 * rate budgets, beside their floors:
 *
 *   - 500/min per x-cal-client-id, and 120/min counted by address only, time
 *     scaled 10× (a 6 s window and a 6 s block for Cal.com's 60 s and 60 s);
 *   - 120/min by address with no X-RateLimit-* headers (time ÷ 10): the first
 *     429 must teach the pacer, and no second block may follow;
 *   - 500/min with a 60 s block and creates that take 700 ms, NOT scaled: the
 *     creates and Playwright's own start-up do not scale, so this one runs in
 *     real time (the issue's goal: ≤ 450 requests, ≤ 45 s).
 *
 * Floors: requests ÷ limit × window (the steady rate the limit allows), and
 * for one run from a fresh window, ⌈requests ÷ allowance⌉ − 1 windows, where
 * the allowance is the pacer's share × limit (a run may send that many at
 * once, then waits one window for every allowance more). Beside them, the
 * suite's own time: the same server without a rate limit (with and without
 * slow creates), run in the same invocation, since on a loaded machine the
 * suite alone can take longer than the rate floor.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { allowance } from '../fixtures/settings/budget';
import { DEFAULT_RATE_SHARE } from '../fixtures/settings/config';
import { checksRun, pacerLine, runAgainst } from './against';
import { slowCreates } from './slow-create';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** API requests a server answered: in all, by operation, and how many were 429s. */
export interface Tally {
  total: number;
  byOperation: Record<string, number>;
  throttled: number;
}

const ROUTE = /\/v2\/oauth-clients\/[^/]*\/users(?:\/([^/]+?)(\/force-refresh)?)?\/?$/;
const BY_USER: Record<string, string> = { GET: 'get', HEAD: 'get', PATCH: 'update', DELETE: 'delete' };
const COLLECTION: Record<string, string> = { GET: 'list', HEAD: 'list', POST: 'create' };

/** The operation a request calls, as bench/count-requests.cjs names them (list, create, get, update, delete, refresh). */
export function operationOf(method = 'GET', url = '/'): string {
  const m = ROUTE.exec(url.split('?')[0] ?? '');
  if (!m) return 'other';
  if (m[2]) return method === 'POST' ? 'refresh' : 'other';
  return (m[1] !== undefined ? BY_USER[method] : COLLECTION[method]) ?? 'other';
}

export function newTally(): Tally {
  return { total: 0, byOperation: {}, throttled: 0 };
}

/** Wraps a handler: every API request is counted in `tally` by operation, and its answer if it is a 429. */
export function tallied(tally: Tally): (handler: Handler) => Handler {
  return (handler) => (req, res) => {
    if (req.url?.includes('/v2/')) {
      const op = operationOf(req.method, req.url);
      tally.total++;
      tally.byOperation[op] = (tally.byOperation[op] ?? 0) + 1;
      res.on('finish', () => {
        if (res.statusCode === 429) tally.throttled++;
      });
    }
    handler(req, res);
  };
}

/** `create 188, delete 150, …`, largest first. */
export function byOperationText(t: Tally): string {
  return Object.entries(t.byOperation)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

export interface BudgetCase {
  /** Names the run's folders. */
  id: string;
  name: string;
  /** 0: no rate limit (the suite's own time, a baseline). */
  limit: number;
  windowMs: number;
  blockMs: number;
  /** How many times faster than Cal.com's clock the case runs (1: real time). */
  scale: number;
  byAddressOnly?: boolean;
  showHeaders?: boolean;
  createMs?: number;
}

const SCALED = { windowMs: 6000, blockMs: 6000, scale: 10 };

export const BUDGET_CASES: BudgetCase[] = [
  { id: 'rl-none', name: 'no rate limit (the suite alone)', limit: 0, windowMs: 0, blockMs: 0, scale: 1 },
  { id: 'rl-500', name: '500/min per x-cal-client-id (time ÷ 10)', limit: 500, ...SCALED },
  { id: 'rl-120', name: '120/min by address (time ÷ 10)', limit: 120, ...SCALED, byAddressOnly: true },
  { id: 'rl-120-bare', name: '120/min by address, no rate headers (time ÷ 10)', limit: 120, ...SCALED, byAddressOnly: true, showHeaders: false },
  { id: 'rl-none-slow', name: 'no rate limit, 700 ms creates (the suite alone)', limit: 0, windowMs: 0, blockMs: 0, scale: 1, createMs: 700 },
  { id: 'rl-500-slow', name: '500/min, 60 s block, 700 ms creates (real time)', limit: 500, windowMs: 60_000, blockMs: 60_000, scale: 1, createMs: 700 },
];

export interface BudgetFigures extends BudgetCase {
  wallMs: number;
  exitCode: number | null;
  requests: Tally;
  /** Checks Playwright ran (the cleanup test included). */
  checks: number;
  /** Times the server blocked the run's tracker. */
  blocks: number;
  /** Users created (answered 201), with slow creates only. */
  created: number | null;
  /** requests ÷ limit × window. */
  floorMs: number;
  /** ⌈requests ÷ allowance⌉ − 1 windows: the least a run from a fresh window may take at the default share. */
  oneRunFloorMs: number;
  /** The pacer's end-of-run line. */
  pacer: string | null;
  tail?: string;
}

/** The whole contract suite against the reference server with the case's rate limit (and slow creates). */
export async function runBudgetCase(root: string, tmp: string, c: BudgetCase): Promise<BudgetFigures> {
  const rateLimit = {
    limit: c.limit,
    windowMs: c.windowMs,
    blockMs: c.blockMs,
    ...(c.byAddressOnly ? { addressLimit: c.limit, clientIdTracker: false } : {}),
    ...(c.showHeaders === false ? { showHeaders: false } : {}),
  };
  const requests = newTally();
  const creates = { requests: 0, createRequests: 0, created: 0 };
  const slow = c.createMs ? slowCreates(c.createMs, creates) : (h: Handler) => h;
  const r = await runAgainst(root, tmp, c.id, c.limit ? { rateLimit } : {}, (handler) => tallied(requests)(slow(handler)));
  const perWindow = c.limit ? allowance({ limit: c.limit, windowMs: c.windowMs }, DEFAULT_RATE_SHARE) : Infinity;
  return {
    ...c,
    wallMs: r.wallMs,
    exitCode: r.exitCode,
    requests,
    checks: checksRun(r.stdout),
    blocks: r.rateLimit?.blocks ?? 0,
    created: c.createMs ? creates.created : null,
    floorMs: c.limit ? (requests.total / c.limit) * c.windowMs : 0,
    oneRunFloorMs: Math.max(0, Math.ceil(requests.total / perWindow) - 1) * c.windowMs,
    pacer: pacerLine(r.stdout),
    ...(r.tail ? { tail: r.tail } : {}),
  };
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The baseline of a rate-limited case: the run without a rate limit, with the same creates. */
function alone(f: BudgetFigures, all: BudgetFigures[]): BudgetFigures | undefined {
  return all.find((b) => !b.limit && b.createMs === f.createMs);
}

/** What one case measured, in a few lines (`all`: the cases run so far, for the baseline). */
export function describeBudgetRun(f: BudgetFigures, all: BudgetFigures[]): string[] {
  const status = f.exitCode === 0 ? 'passed' : `exit ${f.exitCode}`;
  const base = alone(f, all);
  const floors = f.limit
    ? [
        `  floors: ${sec(f.floorMs)} = requests ÷ limit × window (${(f.wallMs / f.floorMs).toFixed(2)}x); ${sec(f.oneRunFloorMs)} = ⌈requests ÷ ${allowance(f, DEFAULT_RATE_SHARE)}⌉ − 1 windows` +
          `${base ? `; the suite alone ${sec(base.wallMs)}` : ''}${f.scale > 1 ? `; at Cal.com's clock ×${f.scale}: ${sec(f.wallMs * f.scale)}` : ''}`,
      ]
    : [];
  return [
    `${f.name}: ${sec(f.wallMs)} for ${f.requests.total} requests (${(f.requests.total / Math.max(1, f.checks)).toFixed(1)} per check, ${f.checks} checks); ${f.requests.throttled} × 429 in ${f.blocks} block(s); ${status}`,
    ...floors,
    `  by operation: ${byOperationText(f.requests)}${f.created !== null ? `; ${f.created} users created` : ''}`,
    `  pacer: ${f.pacer ?? 'no line'}`,
  ];
}

export interface BudgetRow {
  metric: string;
  value: string;
  goal: string;
  met: boolean | null;
}

/** The summary rows: every case beside its floors, and the issue's three figures with their goals. */
export function budgetRows(figures: BudgetFigures[]): BudgetRow[] {
  const rows: BudgetRow[] = [];
  for (const f of figures) {
    if (!f.limit) {
      rows.push({ metric: `suite with ${f.name}`, value: `${sec(f.wallMs)}; ${f.requests.total} requests`, goal: '', met: null });
      continue;
    }
    const base = alone(f, figures);
    rows.push({
      metric: `suite under ${f.name}`,
      value: `${sec(f.wallMs)}, ${(f.wallMs / f.floorMs).toFixed(2)}x the floor ${sec(f.floorMs)} (one-run floor ${sec(f.oneRunFloorMs)}${base ? `, alone ${sec(base.wallMs)}` : ''}); ${f.requests.total} requests, ${f.requests.throttled} x 429, ${f.blocks} block(s)`,
      goal: f.showHeaders === false ? 'passes, <= 1 block' : 'passes, no 429',
      met: f.exitCode === 0 && (f.showHeaders === false ? f.blocks <= 1 : f.requests.throttled === 0),
    });
  }
  const slow = figures.find((f) => f.createMs && f.limit);
  if (slow) {
    rows.push({ metric: 'issue 19: requests, 500/min + 700 ms creates', value: String(slow.requests.total), goal: '<= 450', met: slow.requests.total <= 450 });
    const base = alone(slow, figures);
    rows.push({
      metric: 'issue 19: wall, 500/min + 700 ms creates',
      value: `${sec(slow.wallMs)} (one-run floor ${sec(slow.oneRunFloorMs)}${base ? `; the suite alone ${sec(base.wallMs)}` : ''})`,
      goal: '<= 45 s',
      met: slow.exitCode === 0 && slow.wallMs <= 45_000,
    });
  }
  const bare = figures.find((f) => f.showHeaders === false);
  if (bare) {
    rows.push({ metric: 'issue 19: 429s, no rate headers, 120/min', value: `${bare.requests.throttled} x 429 in ${bare.blocks} block(s)`, goal: '<= 1 x 429', met: bare.exitCode === 0 && bare.requests.throttled <= 1 });
  }
  return rows;
}
