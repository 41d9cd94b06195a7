/**
 * The ownership gate (fixtures/client/ownership.ts) against a canned server that
 * lies in every way the gate must survive: another user's id in a create
 * answer, a GET that answers another user, a stranger's or a lookalike's
 * e-mail, ids that a lenient parser could read out of a malformed path.
 * The gate must refuse each, say why, and let nothing through.
 */
import { test, expect, request, type APIRequestContext } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { ManagedUsersClient } from '../fixtures/client/client';
import type { Settings, Target } from '../fixtures/settings/config';
import { Redactor } from '../fixtures/settings/redact';
import { clientsFor, contractOf } from '../fixtures/client/context';
import { parseContractDocument } from '../fixtures/contract/openapi';
import { OwnershipGate, OwnershipRefused } from '../fixtures/client/ownership';
import { UNPACED } from '../fixtures/settings/budget';
import { parseOwnEmail } from '../fixtures/contract/inputs';

const ROOT = resolve(__dirname, '..');
const contract = contractOf(parseContractDocument(readFileSync(join(ROOT, 'schemas', 'managed-users.openapi.json'), 'utf8'), 'contract.json'), false);
const CLIENT = 'clsx38nbl0001vkhlwin9fmt0';
const RUN = '0t5abcd123';
const OTHER_RUN = '0t5abcc999';
const ours = (n: number, run = RUN) => `ctr-${run}-tag${n}-ann@example.com`;
const suffixed = (e: string) => e.replace('@', `+${CLIENT}@`);

/** What the canned server holds: id → e-mail (the user GET by id shows); `getAnswers` may lie. */
let users = new Map<number, string>();
let getAnswers: (id: number) => { id: number; email: string } | null = (id) => (users.has(id) ? { id, email: users.get(id)! } : null);
let writes: string[] = [];
/** How the canned server answers a write, and how many GETs it answered. */
let writeStatus = 200;
let reads = 0;
let server: Server;
let ctx: APIRequestContext;
let target: Target;

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const id = Number((req.url ?? '').split('/')[5]);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    req.on('end', () => {
      if (req.method !== 'GET') {
        writes.push(`${req.method} ${req.url}`);
        return send(writeStatus, writeStatus < 300 ? { status: 'success', data: {} } : { status: 'error', error: { code: 'BadRequestException', message: 'no' } });
      }
      reads++;
      const u = getAnswers(id);
      if (!u) return send(404, { status: 'error', error: { code: 'NotFoundException', message: 'no' } });
      send(200, { status: 'success', data: { ...u, name: 'Ann' } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  target = { name: 'canned', baseUrl: `http://127.0.0.1:${port}`, client: { id: CLIENT, secret: 'sk-canned-secret', secretVar: 'CAL_OAUTH_CLIENT_SECRET' }, other: null, mustPass: true };
  ctx = await request.newContext();
});

test.afterAll(async () => {
  await ctx?.dispose();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

test.beforeEach(() => {
  users = new Map();
  getAnswers = (id) => (users.has(id) ? { id, email: users.get(id)! } : null);
  writes = [];
  writeStatus = 200;
  reads = 0;
});

function setup(): { gate: OwnershipGate; api: ManagedUsersClient } {
  const gate = new OwnershipGate((email) => parseOwnEmail(email, 'ctr')?.runId === RUN, "this run's");
  const settings = { target, requestTimeoutMs: 3000, rateLimitMaxWaitMs: 0 } as Settings;
  const { api } = clientsFor({ settings, redactor: new Redactor(), contract, budget: UNPACED }, { http: ctx, gate });
  return { gate, api };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(OwnershipRefused);
    return (e as OwnershipRefused).what;
  }
  throw new Error('expected the gate to refuse');
}

test.describe('claiming a created user', () => {
  test('a 201 carrying the e-mail we sent (raw or suffixed) makes the user ours', () => {
    const { gate } = setup();
    expect(gate.claim(target.baseUrl, CLIENT, ours(1), { id: 5, email: suffixed(ours(1)) })).toBeNull();
    expect(gate.claim(target.baseUrl, CLIENT, ours(2), { id: 6, email: ours(2) })).toBeNull();
    expect(gate.claim(target.baseUrl, CLIENT, ours(3).toUpperCase(), { id: 7, email: suffixed(ours(3)) })).toBeNull();
    expect(gate.live().map((o) => o.id)).toEqual([5, 6, 7]);
  });

  test("a 201 carrying someone else's e-mail, a lookalike's, or no integer id claims nothing", () => {
    const { gate } = setup();
    expect(gate.claim(target.baseUrl, CLIENT, ours(1), { id: 5, email: suffixed('olivia.smith@acme-corp.com') })).toMatch(/not the one sent/);
    expect(gate.claim(target.baseUrl, CLIENT, ours(1), { id: 6, email: suffixed(ours(1, OTHER_RUN)) })).toMatch(/not the one sent/);
    expect(gate.claim(target.baseUrl, CLIENT, ours(1, OTHER_RUN), { id: 7, email: suffixed(ours(1, OTHER_RUN)) })).toMatch(/not this run's/);
    expect(gate.claim(target.baseUrl, CLIENT, ours(1), { id: '5', email: suffixed(ours(1)) })).toBeNull(); // "5" is an integer id in a string
    expect(gate.claim(target.baseUrl, CLIENT, ours(2), { id: 'x', email: suffixed(ours(2)) })).toMatch(/not an integer/);
    expect(gate.live().map((o) => o.id)).toEqual([5]);
  });

  test('the same id answered for a second create while the first is alive is not claimed again', () => {
    const { gate } = setup();
    expect(gate.claim(target.baseUrl, CLIENT, ours(1), { id: 5, email: suffixed(ours(1)) })).toBeNull();
    expect(gate.claim(target.baseUrl, CLIENT, ours(2), { id: 5, email: suffixed(ours(2)) })).toMatch(/already created/);
  });
});

test.describe('admitting a change', () => {
  test('an id this run did not create is refused without a request', async () => {
    const { api } = setup();
    expect(await refusal(api.deleteUser(77))).toBe('refused to DELETE user 77: this run did not create user 77, so it may belong to someone else');
    expect(await refusal(api.updateUser(2147483647, { name: 'x' }))).toMatch(/did not create user 2147483647/);
    expect(writes).toEqual([]);
  });

  test('our user, read back with our e-mail, is admitted: one GET, then the change', async () => {
    const { gate, api } = setup();
    users.set(5, suffixed(ours(1)));
    gate.claim(target.baseUrl, CLIENT, ours(1), { id: 5, email: suffixed(ours(1)) });
    // (The canned answers to writes are not contract bodies: unjudged, as this is about what is sent.)
    await api.forceRefresh(5, { unjudged: true });
    await api.updateUser(5, { name: 'B' }, { unjudged: true });
    await api.deleteUser(5, { unjudged: true });
    expect(writes).toEqual([`POST /v2/oauth-clients/${CLIENT}/users/5/force-refresh`, `PATCH /v2/oauth-clients/${CLIENT}/users/5`, `DELETE /v2/oauth-clients/${CLIENT}/users/5`]);
    expect(gate.live()).toEqual([]);
  });

  test('a GET that answers a different user, a stranger, or a lookalike is refused, and nothing is sent', async () => {
    const { gate, api } = setup();
    users.set(5, suffixed(ours(1)));
    gate.claim(target.baseUrl, CLIENT, ours(1), { id: 5, email: suffixed(ours(1)) });
    getAnswers = () => ({ id: 9, email: suffixed(ours(1)) });
    expect(await refusal(api.deleteUser(5))).toBe('refused to DELETE user 5: GET user 5 answered a different user (id 9)');
    getAnswers = (id) => ({ id, email: suffixed('olivia.smith@acme-corp.com') });
    expect(await refusal(api.updateUser(5, { name: 'x' }))).toMatch(/^refused to PATCH user 5: GET user 5 shows the e-mail ".*olivia.smith.*", which is not this run's$/);
    getAnswers = (id) => ({ id, email: suffixed(ours(4, OTHER_RUN)) });
    expect(await refusal(api.forceRefresh(5))).toMatch(/which is not this run's/);
    getAnswers = (id) => ({ id, email: suffixed(ours(2)) }); // ours, but not the user we created as 5
    expect(await refusal(api.deleteUser(5))).toBe(`refused to DELETE user 5: the server's answers disagree: user 5 was ${suffixed(ours(1)).toLowerCase()}, GET now shows ${suffixed(ours(2)).toLowerCase()}`);
    getAnswers = () => null;
    expect(await refusal(api.deleteUser(5))).toBe('refused to DELETE user 5: reading user 5 first answered 404, so it cannot be shown to be ours');
    expect(writes).toEqual([]);
  });

  test('a user we deleted may be sent to again while nothing is there (404), never once a stranger holds its id', async () => {
    const { gate, api } = setup();
    users.set(5, suffixed(ours(1)));
    gate.claim(target.baseUrl, CLIENT, ours(1), { id: 5, email: suffixed(ours(1)) });
    await api.deleteUser(5, { unjudged: true });
    users.delete(5);
    await api.updateUser(5, { name: 'ghost' }, { unjudged: true });
    users.set(5, suffixed('olivia.smith@acme-corp.com'));
    expect(await refusal(api.deleteUser(5))).toMatch(/not this run's/);
    expect(writes).toEqual([`DELETE /v2/oauth-clients/${CLIENT}/users/5`, `PATCH /v2/oauth-clients/${CLIENT}/users/5`]);
  });

  test('a malformed id is admitted only when every id a lenient parser could read from it is ours', async () => {
    const { gate, api } = setup();
    users.set(12, suffixed(ours(1)));
    gate.claim(target.baseUrl, CLIENT, ours(1), { id: 12, email: suffixed(ours(1)) });
    await api.deleteUser('abc', { unjudged: true }); // no id in it
    await api.updateUser('12.25', { name: 'x' }, { unjudged: true }); // parseInt, floor and round all read 12: ours
    expect(await refusal(api.forceRefresh('12.5'))).toMatch(/refused to force-refresh user 12.5 \(the path holds 13\): this run did not create user 13/);
    expect(await refusal(api.deleteUser('1.5'))).toMatch(/the path holds 1\)/);
    expect(writes).toEqual([`DELETE /v2/oauth-clients/${CLIENT}/users/abc`, `PATCH /v2/oauth-clients/${CLIENT}/users/12.25`]);
  });

  test('a PATCH that answers a new e-mail of ours moves the gate along; one that answers a stranger\'s does not', async () => {
    const { gate } = setup();
    gate.claim(target.baseUrl, CLIENT, ours(1), { id: 5, email: suffixed(ours(1)) });
    gate.updated(target.baseUrl, 5, suffixed(ours(2)));
    expect(gate.get(target.baseUrl, 5)?.email).toBe(suffixed(ours(2)).toLowerCase());
    gate.updated(target.baseUrl, 5, 'olivia@acme-corp.com');
    expect(gate.get(target.baseUrl, 5)?.email).toBe(suffixed(ours(2)).toLowerCase());
  });
});

test.describe('custody and vouching', () => {
  test('custody: a PATCH of ours answered 200 with the e-mail it sent keeps the user ours without the run\'s stamp; a stranger\'s e-mail or another id never', async () => {
    const { gate, api } = setup();
    users.set(5, '');
    gate.claim(target.baseUrl, CLIENT, ours(1), { id: 5, email: suffixed(ours(1)) });
    gate.updated(target.baseUrl, 5, 'olivia@acme-corp.com', { id: 5, sent: ours(2) });
    expect(gate.get(target.baseUrl, 5)?.custody).toBeUndefined();
    gate.updated(target.baseUrl, 5, '', { id: 9, sent: '' });
    expect(gate.get(target.baseUrl, 5)?.custody).toBeUndefined();
    gate.updated(target.baseUrl, 5, '', { id: 5, sent: '' });
    expect(gate.get(target.baseUrl, 5)?.custody).toBe('');
    getAnswers = (id) => ({ id, email: '' });
    gate.answered(target.baseUrl, 5, 500); // no vouch: the read before the PATCH shows "", in our custody
    await api.updateUser(5, { email: ours(1) }, { unjudged: true });
    expect(reads).toBe(1);
    gate.updated(target.baseUrl, 5, suffixed(ours(1)), { id: 5, sent: ours(1) });
    expect(gate.get(target.baseUrl, 5)?.custody).toBeUndefined();
    await api.getUserById(5, { unjudged: true }); // still "": no vouch, and no custody any more
    expect(await refusal(api.deleteUser(5))).toMatch(/shows the e-mail "", which is not this run's/);
    expect(writes).toEqual([`PATCH /v2/oauth-clients/${CLIENT}/users/5`]);
  });

  test('vouched: after a read that showed the user ours, a change goes without another read, a refused PATCH keeps the vouch, a server error or a stranger\'s e-mail ends it', async () => {
    const { gate, api } = setup();
    users.set(5, suffixed(ours(1)));
    gate.claim(target.baseUrl, CLIENT, ours(1), { id: 5, email: suffixed(ours(1)) });
    await api.getUserById(5, { unjudged: true });
    writeStatus = 400;
    await api.updateUser(5, { name: 1 }, { unjudged: true });
    await api.updateUser(5, { name: 2 }, { unjudged: true });
    expect(reads).toBe(1);
    writeStatus = 500;
    await api.updateUser(5, { name: 'x' }, { unjudged: true });
    await api.updateUser(5, { name: 'y' }, { unjudged: true });
    expect(reads).toBe(2);
    getAnswers = (id) => ({ id, email: suffixed(ours(1, OTHER_RUN)) });
    await api.getUserById(5, { unjudged: true });
    expect(await refusal(api.updateUser(5, { name: 'z' }))).toMatch(/not this run's/);
    getAnswers = (id) => ({ id, email: suffixed(ours(1)) });
    await api.getUserById(5, { unjudged: true });
    writeStatus = 200;
    await api.deleteUser(5, { unjudged: true });
    expect(reads).toBe(5);
    expect(writes).toHaveLength(5);
  });
});
