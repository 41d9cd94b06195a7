/**
 * The secret scan: the suite runs against a server made to leak (secrets
 * echoed in messages and fields, tokens where checks print values, a 500 page
 * naming both, dropped connections whose Playwright call log lists the
 * request headers), with every CI reporter on. Then every output and artifact
 * is searched for the client secrets and for anything shaped like a JWT.
 */
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReferenceServer } from '../server';
import { brokenProxy, JWT, newClients, readArtifacts, reportStats, runPlaywright, suiteEnv } from './support';

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'contract-scan-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The spec files whose checks the leaky proxy breaks in the most ways. */
const LEAK_FILES = ['tests/create.spec.ts', 'tests/list.spec.ts', 'tests/force-refresh.spec.ts', 'tests/update.spec.ts', 'tests/duplicates.spec.ts', 'tests/lifecycle.spec.ts'];

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
