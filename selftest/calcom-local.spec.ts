/**
 * tools/calcom-local/provision.ts, which provisions a local Cal.com database
 * for the suite. Without a database: the SQL it prints with --dry-run is
 * idempotent in form (every INSERT guarded, nothing removed, one transaction),
 * names both OAuth clients and prints every variable the suite reads; a bad,
 * missing or unreachable database URL is one line and exit 2, never the
 * password. Where PostgreSQL's server binaries are installed, the SQL also runs
 * for real, twice, against a throwaway cluster holding the tables it touches
 * (selftest/calcom-minimal-schema.sql); elsewhere those checks are skipped and
 * say why.
 */
import { test, expect } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './support';

const CLI = join(ROOT, 'tools', 'calcom-local', 'provision.ts');
const SQL = join(ROOT, 'tools', 'calcom-local', 'provision.sql');
const SCHEMA = join(ROOT, 'selftest', 'calcom-minimal-schema.sql');
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
    expectOneLineFailure(await provision(['--databse-url', 'x']), 2, /unknown flag --databse-url; usage:/);
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

// ---------------------------------------------------------------------------
// For real, where PostgreSQL's server binaries are installed.

interface Postgres {
  bin: string;
  asPostgres: boolean;
}

/** Where initdb and pg_ctl are, and whether they must run as the postgres user; or why they cannot run. */
function findPostgres(): Postgres | string {
  if (!hasPsql) return 'psql (the PostgreSQL client) is not installed';
  const candidates: string[] = [];
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromConfig.status === 0) candidates.push(fromConfig.stdout.trim());
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(join(debian, v, 'bin'));
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(dir);
  const bin = candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
  if (!bin) return "PostgreSQL's server binaries (initdb, pg_ctl) are not installed (Debian: apt-get install postgresql)";
  if (process.getuid?.() !== 0) return { bin, asPostgres: false };
  // PostgreSQL refuses to run as root: run it as the postgres user the Debian package creates.
  const user = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (user.status !== 0 || spawnSync('runuser', ['--help']).status !== 0) return 'running as root, and there is no postgres user or no runuser to start PostgreSQL as';
  return { bin, asPostgres: true };
}

const found = findPostgres();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

test.describe('provision against a throwaway PostgreSQL', () => {
  test.describe.configure({ mode: 'serial' });
  test.skip(typeof found === 'string', typeof found === 'string' ? found : '');

  let dir = '';
  let port = 0;
  let pg: Postgres;
  let started = false;

  const run = (command: string, args: string[]) => {
    const result = pg.asPostgres
      ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8', timeout: 60_000 })
      : spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
    return result.stdout;
  };
  const psql = (database: string, args: string[]) => {
    const result = spawnSync('psql', ['--no-psqlrc', '-X', '-v', 'ON_ERROR_STOP=1', '-q', '-At', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, ...args], {
      encoding: 'utf8',
      env: { ...process.env, PGPASSWORD: PASSWORD },
    });
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  const url = (database: string) => `postgresql://postgres:${ENCODED}@127.0.0.1:${port}/${database}`;

  test.beforeAll(async () => {
    pg = found as Postgres;
    dir = mkdtempSync(join(tmpdir(), 'contract-calcom-pg-'));
    writeFileSync(join(dir, 'pw'), `${PASSWORD}\n`);
    if (pg.asPostgres) {
      const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout);
      const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout);
      chownSync(dir, uid, gid);
      chownSync(join(dir, 'pw'), uid, gid);
    }
    port = await freePort();
    run(join(pg.bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${join(dir, 'pw')}`, '-E', 'UTF8', '--no-sync']);
    run(join(pg.bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off`, 'start']);
    started = true;
    for (const db of ['calcom_current', 'calcom_older', 'calcom_empty']) psql('postgres', ['-c', `CREATE DATABASE ${db}`]);
    psql('calcom_current', ['-f', SCHEMA]);
    // An older Cal.com schema: users without the "uuid" column.
    psql('calcom_older', ['-f', SCHEMA, '-c', 'ALTER TABLE "users" DROP COLUMN "uuid"']);
  });

  test.afterAll(() => {
    if (started) run(join(pg.bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('twice: the same rows, ids and secrets; the rows are what the API v2 guards look for', async () => {
    const first = await provision(['--database-url', url('calcom_current'), '--api-url', 'http://localhost:5555/api']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const second = await provision([], { DATABASE_URL: url('calcom_current') });
    expect(second).toEqual(first);

    const exported: Record<string, string> = {};
    for (const line of first.stdout.split('\n').filter((l) => l.startsWith('export '))) {
      const m = /^export (\w+)='([^']*)'$/.exec(line);
      expect(m, line).not.toBeNull();
      exported[m![1]!] = m![2]!;
    }
    expect(Object.keys(exported)).toEqual(VARIABLES);
    expect(exported.CAL_API_URL).toBe('http://localhost:5555/api');
    expect(exported.CAL_OAUTH_CLIENT_ID).toMatch(/^c[0-9a-f]{24}$/);
    expect(exported.CAL_OTHER_OAUTH_CLIENT_ID).not.toBe(exported.CAL_OAUTH_CLIENT_ID);
    expect(exported.CAL_OTHER_OAUTH_CLIENT_SECRET).not.toBe(exported.CAL_OAUTH_CLIENT_SECRET);

    expect(psql('calcom_current', ['-c', `SELECT count(*), bool_and("isOrganization" AND "isPlatform") FROM "Team" WHERE slug = 'contract-suite-platform'`])).toBe('1|t');
    const org = psql('calcom_current', ['-c', `SELECT id FROM "Team" WHERE slug = 'contract-suite-platform'`]);
    const owner = psql('calcom_current', ['-c', `SELECT id FROM users WHERE email = 'contract-suite-owner@example.com'`]);
    expect(psql('calcom_current', ['-c', 'SELECT count(*) FROM users'])).toBe('1');
    // ApiAuthStrategy: the organization's accepted OWNER; OrganizationRolesGuard: accepted, OWNER or ADMIN.
    expect(psql('calcom_current', ['-c', `SELECT "teamId", "userId", accepted, role FROM "Membership"`])).toBe(`${org}|${owner}|t|OWNER`);
    expect(psql('calcom_current', ['-c', `SELECT "userId", "organizationId" FROM "Profile"`])).toBe(`${owner}|${org}`);
    expect(psql('calcom_current', ['-c', `SELECT "organizationId" = ${org}, "movedToProfileId" IS NOT NULL FROM users`])).toBe('t|t');
    expect(psql('calcom_current', ['-c', `SELECT "organizationId" FROM "OrganizationSettings"`])).toBe(org);
    // OAuthClientGuard: the client belongs to the organization; the secret is compared as stored.
    expect(psql('calcom_current', ['-c', `SELECT id, secret, "organizationId" FROM "PlatformOAuthClient" ORDER BY name`]).split('\n')).toEqual([
      `${exported.CAL_OAUTH_CLIENT_ID}|${exported.CAL_OAUTH_CLIENT_SECRET}|${org}`,
      `${exported.CAL_OTHER_OAUTH_CLIENT_ID}|${exported.CAL_OTHER_OAUTH_CLIENT_SECRET}|${org}`,
    ]);
  });

  test('an existing membership that is not accepted is repaired; nothing is duplicated', async () => {
    psql('calcom_current', ['-c', `UPDATE "Membership" SET accepted = false, role = 'MEMBER'`, '-c', `UPDATE "Team" SET "isPlatform" = false`]);
    const again = await provision(['--database-url', url('calcom_current')]);
    expect(again.code, again.stderr).toBe(0);
    expect(psql('calcom_current', ['-c', `SELECT count(*), bool_and(accepted), min(role::text) FROM "Membership"`])).toBe('1|t|OWNER');
    expect(psql('calcom_current', ['-c', `SELECT count(*) FILTER (WHERE "isPlatform") FROM "Team"`])).toBe('1');
    expect(psql('calcom_current', ['-c', `SELECT count(*) FROM "PlatformOAuthClient"`])).toBe('2');
  });

  test('an older schema whose users have no "uuid" column', async () => {
    const first = await provision(['--database-url', url('calcom_older')]);
    expect(first.code, first.stderr).toBe(0);
    expect((await provision(['--database-url', url('calcom_older')])).stdout).toBe(first.stdout);
    expect(psql('calcom_older', ['-c', `SELECT count(*) FROM "PlatformOAuthClient"`])).toBe('2');
  });

  test('a database without Cal.com tables is exit 1 and one line; a wrong password, exit 2; neither shows it', async () => {
    expectOneLineFailure(await provision(['--database-url', url('calcom_empty')]), 1, /the SQL failed in .*: ERROR: relation "Team" does not exist: is this a Cal.com database with its migrations applied/);
    expect(psql('calcom_empty', ['-c', `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`])).toBe('0');
    const wrong = `postgresql://postgres:${encodeURIComponent(`${PASSWORD}-wrong`)}@127.0.0.1:${port}/calcom_current`;
    expectOneLineFailure(await provision(['--database-url', wrong]), 2, /cannot reach the database at .*password authentication failed/);
  });
});
