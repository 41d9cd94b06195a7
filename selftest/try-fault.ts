/**
 * For a developer's eyes: the suite against the reference server with one fault (or variant), printed as a user sees it.
 *   npx tsx selftest/try-fault.ts <fault|-> [--variant <name>] [playwright args…]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFaultId, startReferenceServer } from '../server';
import { newClients, PLAYWRIGHT, ROOT, suiteEnv } from './support';

async function main(): Promise<void> {
  const [fault, ...rest] = process.argv.slice(2);
  const v = rest.indexOf('--variant');
  const variant = v >= 0 ? rest.splice(v, 2)[1] : undefined;
  const clients = newClients();
  const server = await startReferenceServer({ clients, port: 0, fault: fault && fault !== '-' && isFaultId(fault) ? fault : null, ...(variant ? { variant: variant as never } : {}) });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'try-fault-'));
    // Not spawnSync: the server answers from this process's event loop.
    const child = spawn(process.execPath, [PLAYWRIGHT, 'test', '--project=contract', ...rest], { cwd: ROOT, env: suiteEnv(server.url, clients, dir), stdio: 'inherit' });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    process.stdout.write(`(exit ${code}; reports in ${dir}/reports)\n`);
  } finally {
    await server.close();
  }
}
void main();
