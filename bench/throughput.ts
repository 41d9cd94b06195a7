/**
 * Throughput of the reference server against a bare node:http server that
 * answers the same bodies, each in its own child process; the load generator
 * (node:http, keep-alive Agent, N connections each sending the next request
 * as soon as the previous answer is read) runs in the bench process.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { Child } from './procs';
import { childEnv } from '../fixtures/settings/env';
import { firstLine } from '../fixtures/settings/text';

export interface LoadResult {
  server: 'ref' | 'bare';
  operation: 'get' | 'create';
  concurrency: number;
  requests: number;
  errors: number;
  /** Status → count, all requests of the measured window. */
  statuses: Record<string, number>;
  rps: number;
  p50ms: number;
  p99ms: number;
  /** CPU time of the server process / wall time of the window (1 = one core busy). */
  serverCpu: number;
  /** Same for the bench process (the load generator). */
  clientCpu: number;
  /** Server CPU time per answered request, µs: what bounds its throughput once it has a core to itself. */
  serverCpuUsPerReq: number;
  windowMs: number;
  /** rps of every slice of this server (the figures above are from the best one). */
  slices?: number[];
}

export interface Scenario {
  operation: 'get' | 'create';
  concurrency: number;
  ref: LoadResult;
  bare: LoadResult;
  /** ref rps / bare rps */
  ratio: number;
  /** bare server CPU per request / ref server CPU per request: the ratio of their capacities, whatever the generator manages. */
  cpuRatio: number;
}

export interface ThroughputResult {
  bodyBytes: { get: { ref: number; bare: number }; create: { ref: number; bare: number } };
  scenarios: Scenario[];
}

interface ReqSpec {
  method: string;
  path: string;
  headers: Record<string, string | number>;
  body?: string;
}

interface ServerHandle {
  child: Child;
  url: string;
  port: number;
  cpu(): Promise<NodeJS.CpuUsage>;
}

const MAX_REQUESTS_PER_RUN = 1_000_000;

/** `flags`: server-child.ts's (--clients for ref, --bodies for bare). */
async function startServer(root: string, kind: 'ref' | 'bare', flags: string[]): Promise<ServerHandle> {
  // Without NODE_OPTIONS: nothing preloaded into the server under measurement.
  const env = childEnv({ NODE_OPTIONS: undefined });
  const child = new Child(`${kind} server`, process.execPath, ['--import', 'tsx', join(root, 'bench', 'server-child.ts'), kind, ...flags], { cwd: root, env, ipc: true });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start within 20 s`)), 20_000);
    child.proc.on('message', (m: unknown) => {
      const msg = m as { url?: string };
      if (msg.url) {
        clearTimeout(timer);
        resolve(msg.url);
      }
    });
    void child.exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited (${e.code ?? e.signal}): ${firstLine(child.stderr.trim())}`));
    });
  });
  const cpu = () =>
    new Promise<NodeJS.CpuUsage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${kind} server did not report its CPU time`)), 5000);
      const onMessage = (m: unknown) => {
        const msg = m as { cpu?: NodeJS.CpuUsage };
        if (msg.cpu) {
          clearTimeout(timer);
          child.proc.off('message', onMessage);
          resolve(msg.cpu);
        }
      };
      child.proc.on('message', onMessage);
      child.proc.send('cpu');
    });
  return { child, url, port: Number(new URL(url).port), cpu };
}

function send(agent: Agent, port: number, spec: ReqSpec): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: spec.method, path: spec.path, headers: spec.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), type: String(res.headers['content-type'] ?? '') }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(spec.body);
  });
}

/** `concurrency` keep-alive connections in a closed loop for warmup + duration; counts what completes in the window after the warmup. */
async function load(
  server: ServerHandle,
  kind: 'ref' | 'bare',
  operation: 'get' | 'create',
  concurrency: number,
  make: (n: number) => ReqSpec,
  expected: number,
  warmupMs: number,
  durationMs: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let requests = 0;
  let errors = 0;
  let n = 0;
  const t0 = performance.now();
  const windowStart = t0 + warmupMs;
  const windowEnd = windowStart + durationMs;
  let cpuStart: { server: NodeJS.CpuUsage; client: NodeJS.CpuUsage } | undefined;
  const cpuStartTimer = setTimeout(() => {
    const client = process.cpuUsage();
    void server.cpu().then((s) => (cpuStart = { server: s, client }));
  }, warmupMs);

  const worker = async () => {
    while (n < MAX_REQUESTS_PER_RUN) {
      const started = performance.now();
      if (started >= windowEnd) return;
      let status = 0;
      try {
        status = (await send(agent, server.port, make(n++))).status;
      } catch {
        status = -1;
      }
      const done = performance.now();
      if (started >= windowStart && done <= windowEnd) latencies.push(done - started);
      if (done >= windowStart && done <= windowEnd) {
        requests++;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== expected) errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = Math.min(performance.now(), windowEnd) - windowStart;
  clearTimeout(cpuStartTimer);
  const clientEnd = process.cpuUsage();
  const serverEnd = await server.cpu();
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const busy = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user - a.user + b.system - a.system) / 1000;
  return {
    server: kind,
    operation,
    concurrency,
    requests,
    errors,
    statuses,
    rps: requests / (elapsed / 1000),
    p50ms: pct(50),
    p99ms: pct(99),
    serverCpu: cpuStart ? busy(cpuStart.server, serverEnd) / elapsed : Number.NaN,
    serverCpuUsPerReq: cpuStart && requests ? (1000 * busy(cpuStart.server, serverEnd)) / requests : Number.NaN,
    clientCpu: cpuStart ? busy(cpuStart.client, clientEnd) / elapsed : Number.NaN,
    windowMs: elapsed,
  };
}

export async function measureThroughput(
  root: string,
  opts: { durationMs: number; warmupMs: number; rounds: number; concurrencies: number[]; log: (line: string) => void },
): Promise<ThroughputResult> {
  const clients = [0, 1].map(() => ({ id: `c${randomBytes(12).toString('hex')}`, secret: randomBytes(24).toString('hex') }));
  const client = clients[0]!;
  const ref = await startServer(root, 'ref', ['--clients', JSON.stringify(clients)]);
  let bare: ServerHandle | undefined;
  try {
    const base = `/v2/oauth-clients/${client.id}/users`;
    const email = (n: number) => `bench${String(n).padStart(9, '0')}@bench.example.com`;
    const createSpec = (n: number): ReqSpec => {
      const body = JSON.stringify({ email: email(n), name: 'Bench User', timeZone: 'Europe/Rome', timeFormat: 24, weekStart: 'Monday', locale: 'en' });
      return { method: 'POST', path: base, headers: { 'x-cal-secret-key': client.secret, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, body };
    };
    // Prime: one user to read, and the bodies the bare server will answer with.
    const agent = new Agent({ keepAlive: false });
    const created = await send(agent, ref.port, createSpec(999_999_999));
    if (created.status !== 201) throw new Error(`priming create answered ${created.status}`);
    const id = (JSON.parse(created.body) as { data: { user: { id: number } } }).data.user.id;
    const getSpec = (): ReqSpec => ({ method: 'GET', path: `${base}/${id}`, headers: { 'x-cal-secret-key': client.secret } });
    const got = await send(agent, ref.port, getSpec());
    if (got.status !== 200) throw new Error(`priming get answered ${got.status}`);
    agent.destroy();
    bare = await startServer(root, 'bare', [
      '--bodies',
      JSON.stringify({ get: { status: 200, type: got.type, body: got.body }, create: { status: 201, type: created.type, body: created.body } }),
    ]);
    const bareAgent = new Agent({ keepAlive: false });
    const bareGet = await send(bareAgent, bare.port, getSpec());
    const bareCreate = await send(bareAgent, bare.port, createSpec(999_999_998));
    bareAgent.destroy();
    const bodyBytes = {
      get: { ref: Buffer.byteLength(got.body), bare: Buffer.byteLength(bareGet.body) },
      create: { ref: Buffer.byteLength(created.body), bare: Buffer.byteLength(bareCreate.body) },
    };

    const scenarios: Scenario[] = [];
    let next = 0;
    for (const operation of ['get', 'create'] as const) {
      for (const concurrency of opts.concurrencies) {
        const expected = operation === 'get' ? 200 : 201;
        // Alternate short slices (ref, bare, ref, bare, ...) so that both see
        // the same background load; keep each server's best slice.
        const best: { ref?: LoadResult; bare?: LoadResult } = {};
        const slices: { ref: number[]; bare: number[] } = { ref: [], bare: [] };
        for (let round = 0; round < opts.rounds; round++) {
          for (const [kind, server] of [['ref', ref], ['bare', bare]] as const) {
            const base0 = next;
            const make = operation === 'get' ? getSpec : (n: number) => createSpec(base0 + n);
            const warm = round === 0 ? opts.warmupMs : Math.min(150, opts.warmupMs);
            const r = await load(server, kind, operation, concurrency, make, expected, warm, opts.durationMs / opts.rounds);
            next += MAX_REQUESTS_PER_RUN; // fresh e-mails for every create slice
            slices[kind].push(r.rps);
            const prev = best[kind];
            if (!prev || r.rps > prev.rps) best[kind] = { ...r, errors: r.errors + (prev?.errors ?? 0) };
            else prev.errors += r.errors;
          }
        }
        const r = { ...best.ref!, slices: slices.ref };
        const b = { ...best.bare!, slices: slices.bare };
        const s: Scenario = { operation, concurrency, ref: r, bare: b, ratio: r.rps / b.rps, cpuRatio: b.serverCpuUsPerReq / r.serverCpuUsPerReq };
        scenarios.push(s);
        opts.log(`  ${operation.padEnd(6)} c=${String(concurrency).padEnd(3)} ref  ${fmtRps(r)}`);
        opts.log(`  ${''.padEnd(6)} ${''.padEnd(5)} bare ${fmtRps(b)}`);
        opts.log(`  ${''.padEnd(6)} ${''.padEnd(5)} ratio ${(100 * s.ratio).toFixed(0)}% of bare req/s; by server CPU per request ${(100 * s.cpuRatio).toFixed(0)}%`);
      }
    }
    return { bodyBytes, scenarios };
  } finally {
    await Promise.all([ref.child.stop(), bare?.child.stop()]);
  }
}

function fmtRps(r: LoadResult): string {
  const cpu = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '?');
  const err = r.errors ? ` ERRORS ${r.errors}` : '';
  const spread = r.slices && r.slices.length > 1 ? ` [slices ${r.slices.map((x) => x.toFixed(0)).join(' ')}]` : '';
  const us = Number.isFinite(r.serverCpuUsPerReq) ? `${r.serverCpuUsPerReq.toFixed(0)} µs/req` : '?';
  return `${r.rps.toFixed(0).padStart(6)} req/s (p50 ${r.p50ms.toFixed(2)} ms, p99 ${r.p99ms.toFixed(2)} ms; CPU: server ${cpu(r.serverCpu)} = ${us}, generator ${cpu(r.clientCpu)})${spread}${err}`;
}
