/**
 * Provision a local Cal.com database for the contract suite: a platform
 * organization, its owner, and two OAuth clients, then print the suite's
 * variables as `export` lines.
 *
 *   npx tsx tools/calcom-local/provision.ts --database-url postgresql://postgres:pw@localhost:5450/calendso
 *   eval "$(npx tsx tools/calcom-local/provision.ts)"        # with DATABASE_URL set
 *   npx tsx tools/calcom-local/provision.ts --dry-run        # the SQL only, for psql
 *
 * The work is done by provision.sql, run through psql: one script for people
 * with Node and people without, no database driver in the project. The SQL is
 * idempotent, so a second run prints the same ids and secrets.
 *
 * Exit codes: 0 provisioned; 1 the database answered but the SQL failed (not a
 * migrated Cal.com database?); 2 bad arguments, no psql, or no database to talk
 * to. Every failure is one line on stderr; the password is never printed.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli, UsageError } from '../../fixtures/settings/cli';

export const SQL_FILE = join(__dirname, 'provision.sql');
export const DEFAULT_API_URL = 'http://localhost:5555/api';
const PSQL_TIMEOUT_MS = 60_000;
/** Query parameters Prisma understands in DATABASE_URL but libpq (psql) rejects. */
const PRISMA_ONLY_PARAMS = ['schema', 'connection_limit', 'pool_timeout', 'pgbouncer', 'statement_cache_size', 'socket_timeout'];
const VARIABLES = ['CAL_API_URL', 'CAL_OAUTH_CLIENT_ID', 'CAL_OAUTH_CLIENT_SECRET', 'CAL_OTHER_OAUTH_CLIENT_ID', 'CAL_OTHER_OAUTH_CLIENT_SECRET'];

const CLI = {
  tool: 'provision',
  usage: 'npx tsx tools/calcom-local/provision.ts [--database-url <url>] [--api-url <url>] [--dry-run]',
  about: [
    'Inserts, idempotently, the rows a platform OAuth client needs in a Cal.com',
    'database (a platform organization, its owner with an accepted OWNER membership',
    'and a profile, and two OAuth clients with secrets), then prints the contract',
    'suite\'s variables as export lines:  eval "$(npx tsx tools/calcom-local/provision.ts)"',
  ],
  flags: {
    'database-url': { type: 'string', value: '<url>', help: "the Cal.com database, postgresql://user:password@host:port/database (default: $DATABASE_URL); Prisma's ?schema= is honoured" },
    'api-url': { type: 'string', value: '<url>', help: `what to print as CAL_API_URL: Cal.com API v2's base URL, without /v2 (default: ${DEFAULT_API_URL})` },
    'dry-run': { type: 'boolean', help: 'print the SQL (a psql script) and touch nothing; no database needed: ... --dry-run | psql "$DATABASE_URL"' },
  },
  notes: [
    'Needs psql (PostgreSQL client 10+) on PATH and PostgreSQL 13+.',
    'Exit codes: 0 done, 1 the SQL failed (is the database migrated?), 2 bad arguments, no psql, or the database cannot be reached.',
  ],
} as const;

function fail(message: string, code: 1 | 2): never {
  process.stderr.write(`provision: ${message.replace(/\s*\n\s*/g, ' ').trim()}\n`);
  process.exit(code);
}

interface Database {
  /** For messages: the URL with the password masked. */
  display: string;
  /** For psql: the URL without the password and without Prisma-only parameters. */
  psqlUrl: string;
  password: string;
  /** Prisma's ?schema=, as a search_path. */
  schema: string | null;
}

export function parseDatabaseUrl(raw: string): Database {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    // The text is not echoed: it may hold a password.
    throw new UsageError('the database URL is not a URL: expected postgresql://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new UsageError(`the database URL is a ${url.protocol.replace(/:$/, '')} URL: expected postgresql://user:password@host:5432/database`);
  }
  // A password may also come as ?password=; either way it goes to psql through PGPASSWORD.
  const password = url.password ? safeDecode(url.password) : (url.searchParams.get('password') ?? '');
  url.password = '';
  url.searchParams.delete('password');
  const schema = url.searchParams.get('schema');
  if (schema !== null && !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(schema)) {
    throw new UsageError(`the database URL's ?schema=${schema} is not a plain schema name`);
  }
  for (const p of PRISMA_ONLY_PARAMS) url.searchParams.delete(p);
  const database = safeDecode(url.pathname.replace(/^\//, ''));
  if (!database) throw new UsageError(`the database URL names no database (${mask(url, password)}): add /calendso, or whichever database Cal.com uses`);
  if (!url.hostname && !url.searchParams.get('host')) throw new UsageError(`the database URL names no host (${mask(url, password)})`);
  return { display: mask(url, password), psqlUrl: url.toString(), password, schema };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function mask(passwordless: URL, password: string): string {
  const shown = new URL(passwordless.toString());
  if (password) shown.password = '***';
  shown.search = '';
  return shown.toString();
}

export function parseApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--api-url "${raw}" is not a URL: e.g. ${DEFAULT_API_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--api-url "${raw}" is not an http(s) URL: e.g. ${DEFAULT_API_URL}`);
  if (/['"\\`$\s]/.test(raw)) throw new UsageError(`--api-url "${raw}" has a quote, backslash, $ or space: give a plain URL`);
  const base = raw.replace(/\/+$/, '');
  if (/\/v2$/.test(base)) throw new UsageError(`--api-url "${raw}" ends in /v2: give the base URL without it (the suite adds /v2/...)`);
  return base;
}

/** The script psql runs: the committed SQL, with the API URL set first. */
export function buildScript(apiUrl: string): string {
  return `\\set api_url '${apiUrl}'\n${readFileSync(SQL_FILE, 'utf8')}`;
}

function scrub(text: string, password: string): string {
  if (!password) return text;
  let out = text;
  for (const form of new Set([password, encodeURIComponent(password)])) out = out.split(form).join('***');
  return out;
}

interface PsqlResult {
  code: number | null;
  stdout: string;
  stderr: string;
  spawnError?: NodeJS.ErrnoException;
  timedOut: boolean;
}

function runPsql(db: Database, script: string): Promise<PsqlResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: 'contract-suite-provision' };
  if (db.password) env.PGPASSWORD = db.password;
  if (!env.PGCONNECT_TIMEOUT && !/[?&]connect_timeout=/.test(db.psqlUrl)) env.PGCONNECT_TIMEOUT = '5';
  if (db.schema) env.PGOPTIONS = `${env.PGOPTIONS ? `${env.PGOPTIONS} ` : ''}-c search_path=${db.schema}`;
  return new Promise((resolve) => {
    // --no-password: never prompt (stdin is the script); fail instead.
    const child = spawn('psql', ['--no-psqlrc', '--no-password', '--quiet', '--dbname', db.psqlUrl, '--file', '-'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, PSQL_TIMEOUT_MS);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {}); // psql may exit (no connection) before reading its input
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, spawnError: error, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    child.stdin.end(script);
  });
}

/** psql's first error line, without its "psql: error: " or "psql:<stdin>:12: " prefix. */
function firstError(stderr: string, password: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /ERROR|FATAL|error:/.test(l)) ?? lines[0] ?? 'no message';
  const bare = line.replace(/^psql:(?:<stdin>|[^:]*):\d+:\s*/, '').replace(/^psql: error:\s*/, '').replace(/^error:\s*/, '');
  return scrub(bare.replace(/\s+/g, ' '), password);
}

async function main(): Promise<void> {
  const { values } = parseCli(CLI);
  try {
    const script = buildScript(parseApiUrl(values['api-url'] ?? DEFAULT_API_URL));
    if (values['dry-run']) {
      process.stdout.write(script);
      return;
    }
    const raw = values['database-url'] ?? process.env.DATABASE_URL;
    if (!raw?.trim()) throw new UsageError('no database: pass --database-url postgresql://user:password@host:5432/database or set DATABASE_URL (or use --dry-run to print the SQL)');
    const db = parseDatabaseUrl(raw);
    const result = await runPsql(db, script);
    if (result.spawnError) {
      if (result.spawnError.code === 'ENOENT') fail('psql is not on PATH: install the PostgreSQL client (Debian/Ubuntu: apt-get install postgresql-client), or print the SQL with --dry-run and run it where psql is', 2);
      fail(`cannot run psql (${result.spawnError.code ?? result.spawnError.message})`, 2);
    }
    if (result.timedOut) fail(`psql did not finish within ${PSQL_TIMEOUT_MS / 1000} s against ${db.display}`, 2);
    // psql: 2 = the connection failed, 3 = an error in the script, 1 = other fatal errors.
    if (result.code === 2) fail(`cannot reach the database at ${db.display}: ${firstError(result.stderr, db.password)}`, 2);
    if (result.code !== 0) {
      const error = firstError(result.stderr, db.password);
      const hint = /does not exist/.test(error) ? ': is this a Cal.com database with its migrations applied (cd packages/prisma && yarn prisma migrate deploy)?' : '';
      fail(`the SQL failed in ${db.display}: ${error}${hint}`, 1);
    }
    const lines = result.stdout.split('\n').filter((l) => l.startsWith('export ') || l.startsWith('# '));
    const missing = VARIABLES.filter((v) => !lines.some((l) => l.startsWith(`export ${v}=`)));
    if (missing.length) fail(`psql finished but printed no ${missing.join(', ')}`, 1);
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (e) {
    if (e instanceof UsageError) fail(e.message, 2);
    fail(`unexpected ${(e as Error).name}: ${(e as Error).message}`, 1);
  }
}

if (require.main === module) void main();
