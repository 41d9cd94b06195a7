/**
 * tools/calcom-local/provision.ts, which provisions a local Cal.com database
 * for the suite. Without a database: the SQL it prints with --dry-run is
 * idempotent in form (every INSERT guarded, nothing removed, one transaction),
 * names both OAuth clients and prints every variable the suite reads; a bad,
 * missing or unreachable database URL is one line and exit 2, never the
 * password.
 */
import { test, expect } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support';

const CLI = join(ROOT, 'tools', 'calcom-local', 'provision.ts');
const SQL = join(ROOT, 'tools', 'calcom-local', 'provision.sql');
const VARIABLES = ['CAL_API_URL', 'CAL_OAUTH_CLIENT_ID', 'CAL_OAUTH_CLIENT_SECRET', 'CAL_OTHER_OAUTH_CLIENT_ID', 'CAL_OTHER_OAUTH_CLIENT_SECRET'];
const PASSWORD = 'Pw-s3cr3t:@/x';
const ENCODED = encodeURIComponent(PASSWORD);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function provision(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** The SQL statements of a psql script: comments and meta-command lines out, split at `;` ending a line. */
function statements(script: string): string[] {
  const sql = script
    .split('\n')
    .filter((line) => !/^\s*(--|\\)/.test(line))
    .map((line) => line.replace(/\s*\\gset\s*$/, ';'))
    .join('\n');
  return sql.split(/;\s*$/m).map((s) => s.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

function expectOneLineFailure(run: Run, code: number, pattern: RegExp): void {
  expect(run.code, run.stderr).toBe(code);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^provision: [^\n]+\n$/);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toContain(PASSWORD);
  expect(run.stderr).not.toContain(ENCODED);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

const hasPsql = spawnSync('psql', ['--version'], { encoding: 'utf8' }).status === 0;

test.describe('provision --dry-run (no database)', () => {
  test('prints the committed SQL as a psql script, with the API URL set first', async () => {
    const run = await provision(['--dry-run', '--api-url', 'http://127.0.0.1:5555/api/']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const [first, ...rest] = run.stdout.split('\n');
    expect(first).toBe("\\set api_url 'http://127.0.0.1:5555/api'");
    expect(rest.join('\n')).toBe(readFileSync(SQL, 'utf8'));
    expect(run.stdout).toMatch(/^\\set ON_ERROR_STOP on$/m);
    const defaulted = await provision(['--dry-run']);
    expect(defaulted.stdout.split('\n')[0]).toBe("\\set api_url 'http://localhost:5555/api'");
  });

  test('is idempotent in form: every INSERT is guarded, nothing is removed, all in one transaction', async () => {
    const all = statements((await provision(['--dry-run'])).stdout);
    const inserts = all.filter((s) => /^INSERT\b/i.test(s));
    const tables = new Set(inserts.map((s) => /^INSERT INTO "?(\w+)"?/i.exec(s)?.[1]));
    expect([...tables].sort()).toEqual(['Membership', 'OrganizationSettings', 'PlatformOAuthClient', 'Profile', 'Team', 'users']);
    for (const insert of inserts) expect(insert, 'an INSERT without ON CONFLICT or WHERE NOT EXISTS').toMatch(/\bON CONFLICT\b|\bWHERE NOT EXISTS\b/i);
    for (const s of all) expect(s, 'the provisioning never removes anything').not.toMatch(/^(DELETE|DROP|TRUNCATE|ALTER)\b/i);
    const begin = all.findIndex((s) => /^BEGIN$/i.test(s));
    const commit = all.findIndex((s) => /^COMMIT$/i.test(s));
    const writes = all.map((s, i) => (/^(INSERT|UPDATE)\b/i.test(s) ? i : -1)).filter((i) => i >= 0);
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(Math.min(...writes)).toBeGreaterThan(begin);
    expect(Math.max(...writes)).toBeLessThan(commit);
    // Every UPDATE is narrowed to the rows the script itself looked up.
    for (const update of all.filter((s) => /^UPDATE\b/i.test(s))) expect(update).toMatch(/WHERE "id" = :(org_id|owner_id)\b/);
  });

  test('names both OAuth clients and prints every variable the suite reads', async () => {
    const script = (await provision(['--dry-run'])).stdout;
    const clients = statements(script).filter((s) => /^INSERT INTO "PlatformOAuthClient"/.test(s));
    expect(clients).toHaveLength(2);
    const names = clients.map((s) => /"name" = '([^']+)'/.exec(s)?.[1]);
    expect(new Set(names)).toEqual(new Set(['contract-suite', 'contract-suite-other']));
    for (const insert of clients) expect(insert).toMatch(/"secret"/);
    for (const name of VARIABLES) expect(script, `no ${name} in the output`).toMatch(new RegExp(`\\(\\d, '${name}', :'\\w+'\\)`));
  });

  test('--help names every flag; an unknown flag is one line and exit 2', async () => {
    const help = await provision(['--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--database-url', '--api-url', '--dry-run', '--help']) expect(help.stdout).toContain(flag);
    expectOneLineFailure(await provision(['--databse-url', 'x']), 2, /Unknown option '--databse-url'/);
    expectOneLineFailure(await provision(['--dry-run', '--api-url', 'http://localhost:5555/api/v2']), 2, /without it/);
  });
});

test.describe('provision: a bad, missing or unreachable database is one line, exit 2, and no password', () => {
  test('no database URL at all', async () => {
    expectOneLineFailure(await provision([]), 2, /no database: pass --database-url .* or set DATABASE_URL/);
  });

  test('a URL that is not one, and one of another kind', async () => {
    expectOneLineFailure(await provision(['--database-url', `postgres//admin:${PASSWORD}@db/calendso`]), 2, /is not a URL/);
    expectOneLineFailure(await provision([], { DATABASE_URL: `mysql://admin:${ENCODED}@db/calendso` }), 2, /is a mysql URL/);
    expectOneLineFailure(await provision(['--database-url', `postgresql://admin:${ENCODED}@localhost:5450`]), 2, /names no database \(postgresql:\/\/admin:\*\*\*@localhost:5450\/?\)/);
  });

  test('a database that cannot be reached', async () => {
    // Port 1 on the loopback interface: refused at once.
    const run = await provision(['--database-url', `postgresql://admin:${ENCODED}@127.0.0.1:1/calendso`]);
    expectOneLineFailure(run, 2, hasPsql ? /cannot reach the database at postgresql:\/\/admin:\*\*\*@127\.0\.0\.1:1\/calendso: .*refused/i : /psql is not on PATH/);
    const fromEnv = await provision([], { DATABASE_URL: `postgresql://admin@127.0.0.1:1/calendso?password=${ENCODED}` });
    expectOneLineFailure(fromEnv, 2, hasPsql ? /cannot reach the database at postgresql:\/\/admin:\*\*\*@127\.0\.0\.1:1\/calendso:/ : /psql is not on PATH/);
  });
});
