/**
 * For a developer's eyes: the suite against the reference server with one fault (or variant), printed as a user
 * sees it, and the requests it sent, by operation.
 *   npx tsx selftest/try-fault.ts <fault|-> [--variant <name>] [playwright args…]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFaultId, startReferenceServer } from '../server';
import { newClients, PLAYWRIGHT, ROOT, suiteEnv } from './support';

/** A proxy in front of `target` that counts requests per method and path shape. */
async function countingProxy(target: string): Promise<{ url: string; counts: Map<string, number>; close(): void }> {
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const shape = `${req.method} ${(req.url ?? '').split('?')[0]!.replace(/\/users\/[^/]+/, '/users/{id}').replace(/\/oauth-clients\/[^/]+/, '')}`;
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
    const up = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counts, close: () => server.close() };
}

async function main(): Promise<void> {
  const [fault, ...rest] = process.argv.slice(2);
  const v = rest.indexOf('--variant');
  const variant = v >= 0 ? rest.splice(v, 2)[1] : undefined;
  const clients = newClients();
  const server = await startReferenceServer({ clients, port: 0, fault: fault && fault !== '-' && isFaultId(fault) ? fault : null, ...(variant ? { variant: variant as never } : {}) });
  const proxy = await countingProxy(server.url);
  try {
    const dir = mkdtempSync(join(tmpdir(), 'try-fault-'));
    // Not spawnSync: the server answers from this process's event loop.
    const child = spawn(process.execPath, [PLAYWRIGHT, 'test', '--project=contract', ...rest], { cwd: ROOT, env: suiteEnv(proxy.url, clients, dir, process.env.CONTRACT_PROFILE ? { CONTRACT_PROFILE: process.env.CONTRACT_PROFILE } : {}), stdio: 'inherit' });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    const total = [...proxy.counts.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(`(exit ${code}; reports in ${dir}/reports)\nrequests: ${total} — ${[...proxy.counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
  } finally {
    proxy.close();
    await server.close();
  }
}
void main();
