/**
 * Settings (fixtures/settings/config.ts) from explicit environments — never
 * process.env —, reading them without side effects (fixtures/settings/env.ts,
 * settings.ts), the child-process scrubber, and the runner's behaviour on a
 * bad setting: one line on stderr, exit code 2, no stack trace, no secret.
 */
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, DEFAULT_SPEC, INTERNAL_VARS, newRunId, parseSettings, reportSettings, runFixes, type Settings } from '../fixtures/settings/config';
import { childEnv, environment } from '../fixtures/settings/env';
import { currentSettings } from '../fixtures/settings/env';
import { activate } from '../fixtures/client/context';
import { refuseTracing, traceFlag } from '../fixtures/settings/bootstrap';
import { parseOwnEmail } from '../fixtures/contract/inputs';

const ROOT = resolve(__dirname, '..');
const SECRET = 'sk-live-5f0c2a9e7d3b41c8a6e2f9d0b7c4a1e3';
const OTHER_SECRET = 'sk-other-0b7c4a1e35f0c2a9e7d3b41c8a6e2f9d';
const CLIENT = 'clsx38nbl0001vkhlwin9fmt0';
const OTHER = 'clsx38nbl0002vkhlwin9fmt0';

type Env = Record<string, string | undefined>;
const remote = (extra: Env = {}): Env => ({
  CAL_API_URL: 'http://127.0.0.1:5555/api',
  CAL_OAUTH_CLIENT_ID: CLIENT,
  CAL_OAUTH_CLIENT_SECRET: SECRET,
  ...extra,
});
const EMBEDDED = {
  baseUrl: 'http://127.0.0.1:41234',
  clients: [
    { id: 'cembedded0000000000000001', secret: 'e'.repeat(48) },
    { id: 'cembedded0000000000000002', secret: 'f'.repeat(48) },
  ],
};

let tmp = '';
test.beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'config-spec-'));
});
test.afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** parseSettings must throw a one-line ConfigError naming `variable` (and never echoing a secret). */
function configError(env: Env, variable: string, ...patterns: RegExp[]): string {
  let error: unknown;
  try {
    parseSettings(env, null);
  } catch (e) {
    error = e;
  }
  expect(error, `expected a ConfigError naming ${variable} (env: ${Object.keys(env).join(', ')})`).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  expect(message).toContain(variable);
  expect(message).not.toContain(SECRET);
  expect(message).not.toContain(OTHER_SECRET);
  for (const p of patterns) expect(message).toMatch(p);
  return message;
}

// ── errors ──────────────────────────────────────────────────────────────

test.describe('parseSettings: every mistake is a one-line ConfigError naming the variable', () => {
  test('CAL_API_URL that is not a usable base URL', () => {
    configError(remote({ CAL_API_URL: 'notaurl' }), 'CAL_API_URL', /"notaurl" is not a URL/);
    configError(remote({ CAL_API_URL: 'ftp://files.example.com' }), 'CAL_API_URL', /must start with http:\/\/ or https:\/\//);
    configError(remote({ CAL_API_URL: 'https://staging.example.com/?tenant=1' }), 'CAL_API_URL', /must not have a query or fragment/);
    configError(remote({ CAL_API_URL: 'https://staging.example.com/#top' }), 'CAL_API_URL', /must not have a query or fragment/);
    configError(remote({ CAL_API_URL: 'https://staging.example.com/v2' }), 'CAL_API_URL', /should stop before \/v2/);
    configError(remote({ CAL_API_URL: 'https://staging.example.com/api/v2/' }), 'CAL_API_URL', /should stop before \/v2/);
    configError(remote({ CAL_API_URL: `https://staging.example.com/api/v2/oauth-clients/${CLIENT}/users` }), 'CAL_API_URL', /should stop before \/v2/);
    const creds = configError(remote({ CAL_API_URL: 'https://admin:hunter2pass@staging.example.com' }), 'CAL_API_URL', /must not carry credentials/);
    expect(creds).not.toContain('hunter2pass');
  });

  test('an unparsable CAL_API_URL with credentials in it is not echoed with them', () => {
    const message = configError(remote({ CAL_API_URL: 'https://admin:hunter2pass@staging example.com' }), 'CAL_API_URL', /is not a URL/);
    expect(message).not.toContain('hunter2pass');
  });

  test('CAL_API_URL set: the main client id and secret are required, each with the other', () => {
    configError({ CAL_API_URL: 'http://127.0.0.1:5555' }, 'CAL_OAUTH_CLIENT_ID', /CAL_OAUTH_CLIENT_ID and CAL_OAUTH_CLIENT_SECRET are not set/);
    configError(remote({ CAL_OAUTH_CLIENT_ID: undefined }), 'CAL_OAUTH_CLIENT_ID', /CAL_OAUTH_CLIENT_SECRET is set but CAL_OAUTH_CLIENT_ID is not/);
    configError(remote({ CAL_OAUTH_CLIENT_SECRET: undefined }), 'CAL_OAUTH_CLIENT_SECRET', /CAL_OAUTH_CLIENT_ID is set but CAL_OAUTH_CLIENT_SECRET is not/);
    configError(remote({ CAL_OAUTH_CLIENT_SECRET: '' }), 'CAL_OAUTH_CLIENT_SECRET', /is set but CAL_OAUTH_CLIENT_SECRET is not/);
    configError(remote({ CAL_OAUTH_CLIENT_ID: 'not a cuid!' }), 'CAL_OAUTH_CLIENT_ID', /is not an OAuth client id/);
    configError(remote({ CAL_OAUTH_CLIENT_SECRET: `${SECRET}\n` }), 'CAL_OAUTH_CLIENT_SECRET', /whitespace or a line break/);
    configError(remote({ CAL_OAUTH_CLIENT_SECRET: 'abc' }), 'CAL_OAUTH_CLIENT_SECRET', /too short/);
  });

  test('the other client: half-configured, or the same as the main one', () => {
    configError(remote({ CAL_OTHER_OAUTH_CLIENT_ID: OTHER }), 'CAL_OTHER_OAUTH_CLIENT_SECRET', /CAL_OTHER_OAUTH_CLIENT_ID is set but CAL_OTHER_OAUTH_CLIENT_SECRET is not/);
    configError(remote({ CAL_OTHER_OAUTH_CLIENT_SECRET: OTHER_SECRET }), 'CAL_OTHER_OAUTH_CLIENT_ID', /CAL_OTHER_OAUTH_CLIENT_SECRET is set but CAL_OTHER_OAUTH_CLIENT_ID is not/);
    configError(
      remote({ CAL_OTHER_OAUTH_CLIENT_ID: CLIENT, CAL_OTHER_OAUTH_CLIENT_SECRET: OTHER_SECRET }),
      'CAL_OTHER_OAUTH_CLIENT_ID',
      /is the same client as CAL_OAUTH_CLIENT_ID/,
    );
  });

  test('CAL_OAUTH_* without CAL_API_URL: says which variable to unset', () => {
    for (const name of ['CAL_OAUTH_CLIENT_ID', 'CAL_OAUTH_CLIENT_SECRET', 'CAL_OTHER_OAUTH_CLIENT_ID', 'CAL_OTHER_OAUTH_CLIENT_SECRET']) {
      let error: unknown;
      try {
        parseSettings({ [name]: name.includes('SECRET') ? SECRET : CLIENT }, EMBEDDED);
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toBe(`${name} is set but CAL_API_URL is not: set CAL_API_URL to the server those credentials belong to, or unset ${name} to use the embedded reference server`);
    }
    // A blank CAL_API_URL counts as unset.
    configError({ CAL_API_URL: '  ', CAL_OAUTH_CLIENT_ID: CLIENT }, 'CAL_API_URL', /CAL_OAUTH_CLIENT_ID is set but CAL_API_URL is not/);
  });

  test('CONTRACT_RATE_LIMIT: requests/window, or off', () => {
    expect(parseSettings(remote({ CONTRACT_RATE_LIMIT: '500/60s' }), null).rateLimit).toEqual({ limit: 500, windowMs: 60_000 });
    expect(parseSettings(remote({ CONTRACT_RATE_LIMIT: 'off' }), null).rateLimit).toBeNull();
    configError(remote({ CONTRACT_RATE_LIMIT: '500' }), 'CONTRACT_RATE_LIMIT', /CONTRACT_RATE_LIMIT="500" is not a rate: write requests\/window, e\.g\. 500\/60s/);
  });

  test('CONTRACT_RATE_SHARE: a fraction above 0 and at most 1, 0.9 by default', () => {
    expect(parseSettings(remote(), null).rateShare).toBe(0.9);
    for (const [raw, share] of [['0.5', 0.5], ['1', 1], ['.25', 0.25], ['1.0', 1], [' 0.75 ', 0.75]] as const) expect(parseSettings(remote({ CONTRACT_RATE_SHARE: raw }), null).rateShare).toBe(share);
    for (const bad of ['0', '1.5', '-0.5', '50%', 'half', '1e-1', '0.']) {
      configError(remote({ CONTRACT_RATE_SHARE: bad }), 'CONTRACT_RATE_SHARE', /is not a share: set it to a fraction above 0 and at most 1, e\.g\. 0\.5/);
    }
  });

  test('numbers and flags out of range', () => {
    configError(remote({ FAKER_SEED: 'abc' }), 'FAKER_SEED', /FAKER_SEED="abc" is not valid: set it to a whole number from 0 to 2147483647/);
    configError(remote({ FAKER_SEED: '2147483648' }), 'FAKER_SEED', /from 0 to 2147483647/);
    configError(remote({ FAKER_SEED: '-1' }), 'FAKER_SEED');
    configError(remote({ FAKER_SEED: '1e3' }), 'FAKER_SEED');
    configError(remote({ CONTRACT_STRICT: 'maybe' }), 'CONTRACT_STRICT', /"maybe" is not a yes\/no value/);
    configError(remote({ CAL_ALLOW_PRODUCTION: 'sure' }), 'CAL_ALLOW_PRODUCTION', /not a yes\/no value/);
    configError(remote({ CONTRACT_REQUEST_TIMEOUT_MS: '99' }), 'CONTRACT_REQUEST_TIMEOUT_MS', /from 100 to 600000/);
    configError(remote({ CONTRACT_REQUEST_TIMEOUT_MS: '600001' }), 'CONTRACT_REQUEST_TIMEOUT_MS');
    configError(remote({ CONTRACT_TEST_TIMEOUT_MS: '999' }), 'CONTRACT_TEST_TIMEOUT_MS', /from 1000 to 3600000/);
    configError(remote({ CONTRACT_TEST_TIMEOUT_MS: '1.5s' }), 'CONTRACT_TEST_TIMEOUT_MS');
    configError(remote({ CONTRACT_RATE_LIMIT_MAX_WAIT_MS: '600001' }), 'CONTRACT_RATE_LIMIT_MAX_WAIT_MS', /from 0 to 600000/);
  });

  test('namespace, e-mail domain, run id and contract document', () => {
    for (const ns of ['CTR', '1ctr', 'c', 'ctr-x', 'abcdefghijklm']) configError(remote({ CONTRACT_NAMESPACE: ns }), 'CONTRACT_NAMESPACE', /must be 2–12 lower-case letters\/digits starting with a letter/);
    configError(remote({ CONTRACT_EMAIL_DOMAIN: 'localhost' }), 'CONTRACT_EMAIL_DOMAIN', /is not a domain name/);
    configError(remote({ CONTRACT_RUN_ID: 'short' }), 'CONTRACT_RUN_ID', /not a run id/);
    configError(remote({ CONTRACT_SPEC: join(tmpdir(), 'no-such-dir-xyz', 'spec.json') }), 'CONTRACT_SPEC', /does not exist/);
  });

  test('a production host is refused unless CAL_ALLOW_PRODUCTION=1', () => {
    for (const url of ['https://api.cal.com', 'https://API.cal.com/', 'https://cal.com/api', 'https://app.cal.com']) {
      configError(remote({ CAL_API_URL: url }), 'CAL_ALLOW_PRODUCTION', /points at production/, /use staging/);
    }
    const s = parseSettings(remote({ CAL_API_URL: 'https://api.cal.com', CAL_ALLOW_PRODUCTION: '1' }), null);
    expect(s.target.baseUrl).toBe('https://api.cal.com');
    expect(s.allowProduction).toBe(true);
  });

  test('production spelled as a fully-qualified name (trailing dot) is refused too', () => {
    configError(remote({ CAL_API_URL: 'https://api.cal.com./' }), 'CAL_ALLOW_PRODUCTION', /points at production/);
  });

  test('a malformed CONTRACT_SELFTEST_TARGETS entry is a ConfigError', () => {
    const file = join(tmp, 'bad-targets.json');
    writeFileSync(file, JSON.stringify([{ name: 'x', baseUrl: 'http://127.0.0.1:1' }]));
    configError({ CONTRACT_SELFTEST_TARGETS: file }, 'CONTRACT_SELFTEST_TARGETS');
  });

  test('unreadable or empty CONTRACT_SELFTEST_TARGETS', () => {
    configError({ CONTRACT_SELFTEST_TARGETS: join(tmp, 'missing.json') }, 'CONTRACT_SELFTEST_TARGETS', /cannot be read as JSON/);
    const empty = join(tmp, 'empty-targets.json');
    writeFileSync(empty, '[]');
    configError({ CONTRACT_SELFTEST_TARGETS: empty }, 'CONTRACT_SELFTEST_TARGETS', /non-empty JSON array/);
  });
});

// ── happy paths ─────────────────────────────────────────────────────────

test.describe('parseSettings: what a valid environment gives', () => {
  test('base URL: trailing slash trimmed, path prefix kept', () => {
    const base = (url: string) => parseSettings(remote({ CAL_API_URL: url }), null).target.baseUrl;
    expect(base('http://h:1/api/')).toBe('http://h:1/api');
    expect(base('http://h:1/api')).toBe('http://h:1/api');
    expect(base('http://h:1/')).toBe('http://h:1');
    expect(base('https://staging.example.com')).toBe('https://staging.example.com');
    expect(base('  https://staging.example.com/cal/api//  ')).toBe('https://staging.example.com/cal/api');
  });

  test('defaults for a configured server', () => {
    const s: Settings = parseSettings(remote(), null);
    expect(s).toMatchObject({
      embedded: false,
      seed: 0,
      namespace: 'ctr',
      emailDomain: 'example.com',
      strict: false,
      spec: DEFAULT_SPEC,
      requestTimeoutMs: 15000,
      testTimeoutMs: 180000,
      rateLimitMaxWaitMs: 90000,
      rateLimit: undefined,
      allowProduction: false,
      selftest: null,
    });
    expect(s.target).toEqual({
      name: 'configured',
      baseUrl: 'http://127.0.0.1:5555/api',
      client: { id: CLIENT, secret: SECRET, secretVar: 'CAL_OAUTH_CLIENT_SECRET' },
      other: null,
      mustPass: true,
    });
    expect(s.runId).toMatch(/^[0-9a-z]{10}$/);
    expect(DEFAULT_SPEC).toBe(join(ROOT, 'schemas', 'managed-users.openapi.json'));
  });

  test('explicit values are taken as given', () => {
    const s = parseSettings(
      remote({
        CAL_OTHER_OAUTH_CLIENT_ID: OTHER,
        CAL_OTHER_OAUTH_CLIENT_SECRET: OTHER_SECRET,
        FAKER_SEED: '2147483647',
        CONTRACT_NAMESPACE: 'qa7',
        CONTRACT_EMAIL_DOMAIN: 'Mail.Example.ORG',
        CONTRACT_STRICT: 'yes',
        CONTRACT_RUN_ID: '0t5abcd123',
        CONTRACT_SPEC: join(ROOT, 'schemas', 'managed-users.openapi.json'),
        CONTRACT_REQUEST_TIMEOUT_MS: '100',
        CONTRACT_TEST_TIMEOUT_MS: '3600000',
        CONTRACT_RATE_LIMIT_MAX_WAIT_MS: '0',
      }),
      null,
    );
    expect(s.target.other).toEqual({ id: OTHER, secret: OTHER_SECRET, secretVar: 'CAL_OTHER_OAUTH_CLIENT_SECRET' });
    expect(s).toMatchObject({ seed: 2147483647, namespace: 'qa7', emailDomain: 'mail.example.org', strict: true, runId: '0t5abcd123' });
    expect([s.requestTimeoutMs, s.testTimeoutMs, s.rateLimitMaxWaitMs]).toEqual([100, 3600000, 0]);
    expect(parseSettings(remote({ CONTRACT_SPEC: 'https://example.com/openapi.json' }), null).spec).toBe('https://example.com/openapi.json');
    for (const v of ['1', 'true', 'YES', 'on']) expect(parseSettings(remote({ CONTRACT_STRICT: v }), null).strict).toBe(true);
    for (const v of ['0', 'false', 'No', 'off', '']) expect(parseSettings(remote({ CONTRACT_STRICT: v }), null).strict).toBe(false);
  });

  test('embedded: the target is the embedded server with its two clients', () => {
    const s = parseSettings({}, EMBEDDED);
    expect(s.embedded).toBe(true);
    expect(s.target).toEqual({
      name: 'embedded',
      baseUrl: 'http://127.0.0.1:41234',
      client: { id: EMBEDDED.clients[0]!.id, secret: EMBEDDED.clients[0]!.secret, secretVar: 'CAL_OAUTH_CLIENT_SECRET' },
      other: { id: EMBEDDED.clients[1]!.id, secret: EMBEDDED.clients[1]!.secret, secretVar: 'CAL_OTHER_OAUTH_CLIENT_SECRET' },
      mustPass: true,
    });
    // Without CAL_API_URL and without a prepared embedded server there is nothing to test.
    configError({}, 'CAL_API_URL', /not set and no embedded server was prepared/);
  });

  test('CONTRACT_SELFTEST_TARGETS: every target read, the first one is the target', () => {
    const file = join(tmp, 'targets.json');
    const targets = [
      { name: 'clean', baseUrl: 'http://127.0.0.1:40001/', clients: EMBEDDED.clients, mustPass: true },
      { name: 'fault-a', baseUrl: 'http://127.0.0.1:40002', clients: [EMBEDDED.clients[0]] },
    ];
    writeFileSync(file, JSON.stringify(targets));
    const s = parseSettings({ CONTRACT_SELFTEST_TARGETS: file, CAL_API_URL: 'http://ignored.example.com' }, null);
    expect(s.embedded).toBe(false);
    expect(s.selftest?.transport).toBe('node');
    expect(s.selftest?.targets).toEqual([
      {
        name: 'clean', baseUrl: 'http://127.0.0.1:40001', mustPass: true,
        client: { id: EMBEDDED.clients[0]!.id, secret: EMBEDDED.clients[0]!.secret, secretVar: 'CAL_OAUTH_CLIENT_SECRET' },
        other: { id: EMBEDDED.clients[1]!.id, secret: EMBEDDED.clients[1]!.secret, secretVar: 'CAL_OTHER_OAUTH_CLIENT_SECRET' },
      },
      {
        name: 'fault-a', baseUrl: 'http://127.0.0.1:40002', mustPass: false,
        client: { id: EMBEDDED.clients[0]!.id, secret: EMBEDDED.clients[0]!.secret, secretVar: 'CAL_OAUTH_CLIENT_SECRET' },
        other: null,
      },
    ]);
    expect(s.target).toBe(s.selftest!.targets[0]);
  });
});

// ── reading settings: no side effects ───────────────────────────────────

test.describe('reading settings changes nothing; activate() puts them to use', () => {
  const PURE_SECRET = 'sk-pure-7e1d0c9b8a7f6e5d4c3b2a1908f7e6d5';
  const envFile = (name: string, lines: string[]) => {
    const file = join(tmp, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };

  test('reading the settings twice changes nothing in process.env, nor in the environment given', () => {
    const file = envFile('pure.env', ['CAL_API_URL=http://127.0.0.1:5555/api', `CAL_OAUTH_CLIENT_ID=${CLIENT}`, `CAL_OAUTH_CLIENT_SECRET=${PURE_SECRET}`, 'FAKER_SEED=77', 'CONTRACT_NAMESPACE=fromfile']);
    const before = { ...process.env };
    const base = { CONTRACT_ENV_FILE: file, CONTRACT_RUN_ID: '0t9pure777', CONTRACT_NAMESPACE: 'fromenv' };
    const given = { ...base };
    const first = currentSettings(base);
    const second = currentSettings(base);
    expect(second).toBe(first); // cached by input
    expect({ ...process.env }).toEqual(before);
    expect(base).toEqual(given);
    // The file's values apply where the environment has none; it never overrides what is set.
    expect(first).toMatchObject({ seed: 77, namespace: 'fromenv', runId: '0t9pure777', target: { baseUrl: 'http://127.0.0.1:5555/api' } });
    // Acting on them is activate()'s: a run context whose redactor holds every configured secret; nothing global changes.
    const ctx = activate(first);
    expect(ctx.settings).toBe(first);
    expect(ctx.redactor.redact(`key ${PURE_SECRET}`)).toBe('key <redacted>');
    expect(activate(first).redactor).not.toBe(ctx.redactor);
    expect({ ...process.env }).toEqual(before);
    // Other variables, other settings.
    expect(currentSettings({ ...base, CONTRACT_NAMESPACE: 'other' })).not.toBe(first);
  });

  test('environment(): a merged, frozen copy; a blank variable still wins over the file; a missing CONTRACT_ENV_FILE is a ConfigError', () => {
    const file = envFile('merge.env', ['CONTRACT_STRICT=1', 'CONTRACT_NAMESPACE=fromfile', 'FAKER_SEED=5']);
    const env = environment({ base: { CONTRACT_ENV_FILE: file, CONTRACT_NAMESPACE: '' } });
    expect(env).toMatchObject({ CONTRACT_STRICT: '1', CONTRACT_NAMESPACE: '', FAKER_SEED: '5' });
    expect(Object.isFrozen(env)).toBe(true);
    expect(environment({ base: { CONTRACT_ENV_FILE: file }, dotenv: false })).toEqual({ CONTRACT_ENV_FILE: file });
    expect(() => environment({ base: { CONTRACT_ENV_FILE: join(tmp, 'absent.env') } })).toThrow(ConfigError);
    expect(() => environment({ base: { CONTRACT_ENV_FILE: join(tmp, 'absent.env') } })).toThrow(/CONTRACT_ENV_FILE points at .*absent\.env, which does not exist/);
  });

  test('the runner fixes the seed, the run id and the embedded clients once, and only what is missing (a .env FAKER_SEED is honoured)', () => {
    const fresh = runFixes({});
    expect(Number(fresh.FAKER_SEED)).toBeGreaterThan(0);
    expect(fresh[INTERNAL_VARS.runId]).toMatch(/^[0-9a-z]{10}$/);
    expect((JSON.parse(fresh[INTERNAL_VARS.embedded]!) as { clients: unknown[] }).clients).toHaveLength(2);
    const file = envFile('seed.env', ['FAKER_SEED=4711']);
    expect(runFixes(environment({ base: { CONTRACT_ENV_FILE: file } })).FAKER_SEED).toBeUndefined();
    // Inherited by a worker: nothing left to fix.
    expect(runFixes({ FAKER_SEED: '1', CONTRACT_RUN_ID: '0t5abcd123', CONTRACT_EMBEDDED: fresh[INTERNAL_VARS.embedded] })).toEqual({});
    expect(runFixes(remote({ FAKER_SEED: '1', CONTRACT_RUN_ID: '0t5abcd123' }))).toEqual({});
    expect(() => runFixes({ FAKER_SEED: 'x' })).toThrow(/FAKER_SEED="x" is not valid/);
  });

  test('report settings: defaults, and CI/CONTRACT_BLOB on unless 0/false/no/off', () => {
    expect(reportSettings({})).toEqual({ ci: false, reportDir: 'reports', outputDir: 'test-results', blob: false, githubStepSummary: null });
    expect(reportSettings({ CI: 'true', CONTRACT_BLOB: '1', CONTRACT_REPORT_DIR: 'r', CONTRACT_OUTPUT_DIR: 'o', GITHUB_STEP_SUMMARY: '/tmp/s' })).toEqual({ ci: true, reportDir: 'r', outputDir: 'o', blob: true, githubStepSummary: '/tmp/s' });
    expect(reportSettings({ CI: 'false', CONTRACT_BLOB: '0' })).toMatchObject({ ci: false, blob: false });
  });

  test('childEnv: the suite\'s, CI\'s and Playwright\'s variables dropped, no dotenv file, then the extras', () => {
    const base = {
      PATH: '/bin', HOME: '/home/x', NODE_OPTIONS: '--max-old-space-size=512',
      CAL_API_URL: 'http://x', CAL_EMBEDDED_CLIENTS: '[]', CONTRACT_STRICT: '1', CONTRACT_ENV_FILE: '/home/x/.env', FAKER_SEED: '3', CI: 'true',
      GITHUB_STEP_SUMMARY: '/s', TEST_WORKER_INDEX: '0', TEST_PARALLEL_INDEX: '1', PLAYWRIGHT_JSON_OUTPUT_NAME: 'r.json',
      CIRCLE: 'kept', FAKER_SEEDS: 'kept',
    };
    const env = childEnv({ CONTRACT_STATE_DIR: '/tmp/state', NODE_OPTIONS: undefined }, base);
    expect(env).toEqual({ PATH: '/bin', HOME: '/home/x', CIRCLE: 'kept', FAKER_SEEDS: 'kept', CONTRACT_ENV_FILE: expect.any(String), CONTRACT_STATE_DIR: '/tmp/state' });
    expect(readFileSync(env.CONTRACT_ENV_FILE!, 'utf8')).toBe('');
    expect(childEnv({ CONTRACT_ENV_FILE: '/x.env' }, base).CONTRACT_ENV_FILE).toBe('/x.env');
  });
});

test('tracing is refused in one place: the runner\'s --trace flag and a project\'s use.trace alike', () => {
  expect(traceFlag(['test', '--project=contract'])).toBeUndefined();
  expect(traceFlag(['test', '--trace', 'retain-on-failure'])).toBe('retain-on-failure');
  expect(traceFlag(['test', '--trace=off'])).toBe('off');
  for (const mode of [undefined, null, 'off', { mode: 'off' }]) expect(() => refuseTracing(mode), JSON.stringify(mode)).not.toThrow();
  for (const mode of ['on', 'retain-on-failure', { mode: 'on-first-retry' }]) {
    expect(() => refuseTracing(mode), JSON.stringify(mode)).toThrow(ConfigError);
    expect(() => refuseTracing(mode)).toThrow(/^--trace records request headers, the client secret among them: run the contract suite without --trace$/);
  }
});

// ── run ids and our e-mails ─────────────────────────────────────────────

test.describe('newRunId and parseOwnEmail', () => {
  test('a run id is 10 base36 chars: 7 of epoch seconds, 3 random', () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0, 987);
    const ids = Array.from({ length: 200 }, () => newRunId(now));
    expect(ids.filter((id) => !/^[0-9a-z]{10}$/.test(id))).toEqual([]);
    expect(new Set(ids.map((id) => parseInt(id.slice(0, 7), 36)))).toEqual(new Set([Math.floor(now / 1000)]));
    expect(new Set(ids).size).toBeGreaterThan(150); // 3 random base36 chars: 46 656 values
    expect(newRunId(0).slice(0, 7)).toBe('0000000');
    expect(newRunId().slice(0, 7) >= newRunId(Date.now() - 1000).slice(0, 7)).toBe(true);
  });

  test('parseOwnEmail: raw and +clientId-suffixed addresses round-trip; foreign ones are null', () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0);
    const runId = newRunId(now);
    const expected = { runId, createdAt: now };
    expect(parseOwnEmail(`ctr-${runId}-3k9x1-ann@example.com`, 'ctr')).toEqual(expected);
    expect(parseOwnEmail(`ctr-${runId}-3k9x1-ann+${CLIENT}@example.com`, 'ctr')).toEqual(expected);
    expect(parseOwnEmail(`CTR-${runId.toUpperCase()}-3K9X1-Ann+${CLIENT}@Example.com`, 'ctr')).toEqual(expected);
    expect(parseOwnEmail(`qa7-${runId}-3k9x1-ann@example.com`, 'qa7')).toEqual(expected);
    for (const foreign of [
      'alice@example.com',
      `alice+${CLIENT}@example.com`,
      `qa7-${runId}-3k9x1-ann@example.com`, // another namespace
      `xctr-${runId}-3k9x1-ann@example.com`,
      `ctr-${runId}@example.com`, // no per-test part
      `ctr-${runId.slice(0, 9)}-3k9x1-ann@example.com`, // run id too short
      `ctr-${runId}-3k9x1_ann@example.com`,
      `bob+ctr-${runId}-3k9x1-ann@example.com`,
    ]) {
      expect(parseOwnEmail(foreign, 'ctr'), foreign).toBeNull();
    }
  });
});

// ── the runner ──────────────────────────────────────────────────────────

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The Playwright CLI of this project, with a clean environment (nothing inherited but PATH and HOME). */
function playwright(args: string[], env: Env): Promise<Run> {
  const envFile = join(tmp, 'empty.env');
  writeFileSync(envFile, '');
  const cli = join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, 'test', ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        // Nothing of the run may land in the project: no .env read, state, reports and output in the temp dir.
        CONTRACT_ENV_FILE: envFile,
        CONTRACT_STATE_DIR: join(tmp, 'state'),
        CONTRACT_REPORT_DIR: join(tmp, 'reports'),
        CONTRACT_OUTPUT_DIR: join(tmp, 'output'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

function expectOneLineExit2(run: Run, pattern: RegExp): void {
  expect(run.code, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toBe(2);
  const err = run.stderr.replace(/\n$/, '');
  expect(err).not.toContain('\n');
  expect(err).toMatch(/^contract suite: /);
  expect(err).toMatch(pattern);
  expect(run.stdout + run.stderr).not.toContain('    at ');
  expect(run.stdout + run.stderr).not.toContain(SECRET);
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

test('the dotenv file applies in the runner and in its workers, and its FAKER_SEED is honoured', async () => {
  const file = join(tmp, 'workers.env');
  writeFileSync(file, 'FAKER_SEED=4711\nCONTRACT_NAMESPACE=envns\n');
  const state = join(tmp, 'state-dotenv');
  const run = await playwright(['--project=contract', '--grep', 'a user can be created, read, found', '--reporter=./fixtures/report/redact-reporter.ts,line', '--output', join(tmp, 'out-dotenv')], {
    CONTRACT_ENV_FILE: file,
    CONTRACT_STATE_DIR: state,
  });
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  const runId = /^contract run ([0-9a-z]{10}) against the embedded reference server: profile published \(the target behaves like published\), strict off, rate budget [^,]+, FAKER_SEED=4711$/m.exec(run.stdout)?.[1];
  expect(runId, run.stdout).toBeDefined();
  // The worker read the namespace from the same file: its ledger names e-mails of it.
  const ledgers = readdirSync(join(state, runId!)).filter((n) => n.startsWith('ledger-'));
  const emails = ledgers.flatMap((n) => readFileSync(join(state, runId!, n), 'utf8').trim().split('\n')).map((l) => (JSON.parse(l) as { email?: string }).email).filter(Boolean);
  expect(emails.length).toBeGreaterThan(0);
  for (const e of emails) expect(e).toMatch(new RegExp(`^envns-${runId}-`, 'i')); // the fingerprint sends one in capitals
});

test.describe('the runner on a bad setting: exit 2, one line, no stack, no secret', () => {
  test('CAL_API_URL=notaurl stops the run while the config loads (even --list)', async () => {
    const run = await playwright(['--project=contract', '--list'], { CAL_API_URL: 'notaurl', CAL_OAUTH_CLIENT_ID: CLIENT, CAL_OAUTH_CLIENT_SECRET: SECRET });
    expectOneLineExit2(run, /CAL_API_URL="notaurl" is not a URL/);
    expect(run.stdout).toBe('');
  });

  // `--list` loads the config but never runs global setup, so the preflight is
  // only reached by a real run; one that matches no test is enough.
  test('an unreachable server stops the run in global setup', async () => {
    const { server, port } = await listen(() => {});
    await new Promise((r) => server.close(r)); // a loopback port that was just free: connection refused
    const run = await playwright(['--project=contract', '--grep', 'nothing-matches-this', '--output', join(tmp, 'out-unreachable')], {
      CAL_API_URL: `http://127.0.0.1:${port}`,
      CAL_OAUTH_CLIENT_ID: CLIENT,
      CAL_OAUTH_CLIENT_SECRET: SECRET,
    });
    expectOneLineExit2(run, new RegExp(`^contract suite: cannot reach CAL_API_URL=http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): check the URL and that the server is up$`));
    expect(run.stdout).toMatch(/^contract run [0-9a-z]{10} against http:\/\/127\.0\.0\.1:\d+: profile published, strict off, rate budget .*, FAKER_SEED=\d+/);
  });

  test('a server that is blocking the client right now stops the run with what to do', async () => {
    const { server, port } = await listen((req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '60' });
      res.end(JSON.stringify({ status: 'error', error: { code: 'ThrottlerException', message: 'Too Many Requests' } }));
    });
    try {
      const run = await playwright(['--project=contract', '--grep', 'nothing-matches-this', '--output', join(tmp, 'out-429')], { CAL_API_URL: `http://127.0.0.1:${port}`, CAL_OAUTH_CLIENT_ID: CLIENT, CAL_OAUTH_CLIENT_SECRET: SECRET });
      expectOneLineExit2(run, /is rate-limiting client clsx38nbl0001vkhlwin9fmt0 right now \(429\): wait for the block to end \(Cal\.com: 60 s\) and run again$/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('a server that refuses the secret stops the run and names the variables, not the value', async () => {
    const seen: (string | undefined)[] = [];
    const { server, port } = await listen((req, res) => {
      seen.push(req.headers['x-cal-secret-key'] as string | undefined);
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', timestamp: new Date().toISOString(), path: req.url, error: { code: 'UnauthorizedException', message: 'Invalid secret' } }));
    });
    try {
      const run = await playwright(['--project=contract', '--grep', 'nothing-matches-this', '--output', join(tmp, 'out-401')], {
        CAL_API_URL: `http://127.0.0.1:${port}/api/`,
        CAL_OAUTH_CLIENT_ID: CLIENT,
        CAL_OAUTH_CLIENT_SECRET: SECRET,
      });
      expectOneLineExit2(run, /refused CAL_OAUTH_CLIENT_SECRET for client clsx38nbl0001vkhlwin9fmt0 \(401\): check CAL_OAUTH_CLIENT_ID and CAL_OAUTH_CLIENT_SECRET$/);
      expect(seen).toEqual([SECRET]); // the secret was really in play
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
