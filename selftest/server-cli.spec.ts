/**
 * Self-test of the reference server's command line (server/cli.ts): every
 * flag parsed in-process, every mistake a one-line UsageError, --help listing
 * every flag. (server.spec.ts and server-ratelimit.spec.ts check the real
 * process: exit code 2 and one stderr line.)
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { HELP, instanceSpecs, parseCli, UsageError } from '../server/cli';
import { FAULTS } from '../server/faults';
import { VARIANT_NAMES } from '../server/variants';

const ROOT = join(__dirname, '..');

test('defaults, and every flag with a value', () => {
  expect(parseCli([])).toEqual({
    port: 0, host: '127.0.0.1', prefix: undefined, variant: 'standard', fault: undefined, seed: undefined, preexisting: undefined, lookalikes: undefined,
    jitter: undefined, latency: undefined, rateLimit: undefined, quiet: false, verbose: false, exitOnStdinClose: false,
    instances: undefined, listFaults: false, listVariants: false, help: false,
  });
  expect(
    parseCli([
      '--port', '8787', '--host=0.0.0.0', '--prefix', '/api', '--variant', 'legal', '--fault', 'create-200', '--seed', '7',
      '--preexisting', '3', '--lookalikes', '2', '--jitter', '5', '--latency=100', '--quiet', '--verbose', '--exit-on-stdin-close', '--instances', 'clean,legal',
      '--list-faults', '--list-variants', '-h',
    ]),
  ).toEqual({
    port: 8787, host: '0.0.0.0', prefix: '/api', variant: 'legal', fault: 'create-200', seed: 7, preexisting: 3, lookalikes: 2, jitter: 5, latency: 100,
    rateLimit: undefined, quiet: true, verbose: true, exitOnStdinClose: true, instances: 'clean,legal', listFaults: true, listVariants: true, help: true,
  });
  for (const variant of VARIANT_NAMES) expect(parseCli(['--variant', variant]).variant).toBe(variant);
  // The last of a repeated flag wins.
  expect(parseCli(['--port', '1', '--port', '2']).port).toBe(2);
});

test('rate-limit flags: Cal.com defaults, and each override', () => {
  expect(parseCli(['--rate-limit', '500/60s']).rateLimit).toEqual({ limit: 500, windowMs: 60_000, blockMs: 60_000, addressLimit: 120, clientIdTracker: true });
  expect(parseCli(['--rate-limit', '5/500ms', '--block', '700ms']).rateLimit).toEqual({ limit: 5, windowMs: 500, blockMs: 700, addressLimit: 1, clientIdTracker: true });
  expect(parseCli(['--rate-limit=10/1m', '--address-rate-limit', '4', '--block=1h', '--no-client-id-tracker']).rateLimit).toEqual({
    limit: 10, windowMs: 60_000, blockMs: 3_600_000, addressLimit: 4, clientIdTracker: false,
  });
  expect(parseCli(['--rate-limit', '1000/2s']).rateLimit?.addressLimit).toBe(240);
  expect(parseCli(['--rate-limit', '40/1s', '--no-rate-limit-headers']).rateLimit).toMatchObject({ limit: 40, showHeaders: false });
});

test('every mistake is one UsageError line naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [['--nope'], /unknown flag '--nope'/],
    [['stray'], /unexpected argument 'stray'/],
    [['--port'], /--port needs a value/],
    [['--prefix', '--quiet'], /--prefix needs a value/],
    [['--quiet=yes'], /--quiet takes no value/],
    [['--port', 'x'], /--port expects an integer/],
    [['--port', '70000'], /--port must be between 0 and 65535/],
    [['--seed', '1.5'], /--seed expects an integer/],
    [['--variant', 'beta'], new RegExp(`--variant must be one of ${VARIANT_NAMES.join(', ')}, got 'beta'`)],
    [['--lookalikes', '4'], /--lookalikes must be between 0 and 3/],
    [['--fault', 'nope'], new RegExp(`unknown fault id 'nope'.*${FAULTS.length} valid ids`)],
    [['--rate-limit', '500'], /--rate-limit expects <requests>\/<window>/],
    [['--rate-limit', 'x/60s'], /--rate-limit expects an integer/],
    [['--rate-limit', '0/60s'], /--rate-limit must be between 1 and/],
    [['--rate-limit', '5/60'], /--rate-limit expects a duration/],
    [['--rate-limit', '5/2d'], /--rate-limit expects a duration/],
    [['--rate-limit', '5/0ms'], /--rate-limit must be between 1ms and 24h/],
    [['--rate-limit', '5/25h'], /--rate-limit must be between 1ms and 24h/],
    [['--rate-limit'], /--rate-limit needs a value/],
    [['--rate-limit', '5/1s', '--block', 'soon'], /--block expects a duration/],
    [['--rate-limit', '5/1s', '--block', '0s'], /--block must be between/],
    [['--rate-limit', '5/1s', '--address-rate-limit', '0'], /--address-rate-limit must be between 1/],
    [['--rate-limit', '5/1s', '--address-rate-limit', '1.5'], /--address-rate-limit expects an integer/],
    [['--rate-limit', '5/1s', '--no-client-id-tracker=yes'], /--no-client-id-tracker takes no value/],
    [['--block', '2s'], /--block needs --rate-limit/],
    [['--address-rate-limit', '3'], /--address-rate-limit needs --rate-limit/],
    [['--no-client-id-tracker'], /--no-client-id-tracker needs --rate-limit/],
  ];
  for (const [args, pattern] of cases) {
    let error: unknown;
    try {
      parseCli(args);
    } catch (e) {
      error = e;
    }
    expect(error, args.join(' ')).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message, args.join(' ')).toMatch(pattern);
    expect(message.includes('\n'), args.join(' ')).toBe(false);
  }
});

test('--instances: clean and fault instances get 55 pre-existing users (more than a default page) per client, legal keeps its own; 3 lookalikes in each', () => {
  const base = { clients: [{ id: 'c', secret: 's' }] };
  const specs = instanceSpecs('clean, legal,create-200,clean', base);
  expect(specs.map((s) => [s.name, s.options.preexistingUsers, s.options.lookalikes, s.options.variant, s.options.fault])).toEqual([
    ['clean', 55, 3, undefined, undefined],
    ['legal', undefined, 3, 'legal', undefined],
    ['create-200', 55, 3, undefined, 'create-200'],
  ]);
  expect(instanceSpecs('faults', base)).toHaveLength(FAULTS.length);
  expect(instanceSpecs('clean,legal', { ...base, preexistingUsers: 2, lookalikes: 0 }).map((s) => [s.options.preexistingUsers, s.options.lookalikes])).toEqual([[2, 0], [2, 0]]);
  expect(instanceSpecs('legal-alt,calcom-2025-05', base).map((s) => [s.name, s.options.preexistingUsers, s.options.variant, s.options.prefix])).toEqual([
    ['legal-alt', undefined, 'legal-alt', '/api'],
    ['calcom-2025-05', 55, 'calcom-2025-05', undefined],
  ]);
  expect(() => instanceSpecs('clean,bogus', base)).toThrow(/unknown instance 'bogus'/);
  expect(() => instanceSpecs('standard', base)).toThrow(/unknown instance 'standard'.*clean/);
  expect(() => instanceSpecs(' , ', base)).toThrow(/at least one name/);
});

test('--help lists every flag with its meaning and exits 0', async () => {
  const flags = ['--port', '--host', '--prefix', '--variant', '--fault', '--seed', '--preexisting', '--lookalikes', '--jitter', '--latency', '--rate-limit', '--block',
    '--address-rate-limit', '--no-client-id-tracker', '--no-rate-limit-headers', '--instances', '--list-faults', '--list-variants', '--quiet', '--verbose', '--exit-on-stdin-close', '--help'];
  for (const flag of flags) expect(HELP).toMatch(new RegExp(`^  ${flag}\\b.* \\S.{10,}$`, 'm'));
  for (const variant of VARIANT_NAMES) expect(HELP).toMatch(new RegExp(`^  ${variant} +\\S.{20,}$`, 'm'));
  const child = spawn(process.execPath, ['--import', 'tsx', join('server', 'main.ts'), '--help'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  expect([code, stderr, stdout]).toEqual([0, '', `${HELP}\n`]);
});
