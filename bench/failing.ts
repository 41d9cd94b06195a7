/**
 * How long a run against a server where every check fails takes, against a
 * passing run: the reference server's handler behind a wrapper that answers
 * the preflight and then 500 to every API request. Playwright starts a fresh
 * worker after each failed test, which sets a floor: the same number of
 * trivial failing tests in a bare Playwright project, on 2 workers.
 */
import { runAgainst } from './against';

export interface FailingFigures {
  wallMs: number;
  exitCode: number | null;
  failed: number;
  passed: number;
}

export async function runFailing(root: string, tmp: string): Promise<FailingFigures> {
  let preflights = 0;
  const r = await runAgainst(root, tmp, 'failing', {}, (handler) => (req, res) => {
    // The preflight (one list per client) passes, so the run starts; then every API answer is a 500.
    if (req.url?.includes('/v2/') && !(req.method === 'GET' && req.url.endsWith('/users?limit=1') && preflights++ < 2)) {
      const body = '{"status":"error","error":{"code":"InternalServerErrorException","message":"broken on purpose"}}';
      res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    handler(req, res);
  });
  const count = (what: string) => Number(new RegExp(`(\\d+) ${what}`).exec(r.stdout)?.[1] ?? 0);
  return { wallMs: r.wallMs, exitCode: r.exitCode, failed: count('failed'), passed: count('passed') };
}
