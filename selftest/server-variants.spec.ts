/**
 * Self-test of the reference server's variants (server/variants/) and of the
 * faults written for the robustness sweep, enum near misses and
 * cross-operation consequences: each variant boots and shows its signature
 * behaviours; each such fault shows its bug in a request or two, and the
 * standard server does not.
 */
import { expect, test } from '@playwright/test';
import { type ClientCredentials, FAULTS, type FaultId, type InstanceOptions, PENDING_FAULTS, type ReferenceServer, startReferenceServer, VARIANT_NAMES, VARIANTS } from '../server';
import { VERSION_BEHAVIOURS } from '../server/variants';
import { BEHAVIOURS } from '../fixtures/contract/profile';

const A: ClientCredentials = { id: 'clsx38nbl0001vkhlwin9fmt0a', secret: 'a'.repeat(40) };
const B: ClientCredentials = { id: 'clsx38nbl0002vkhlwin9fmt0b', secret: 'b'.repeat(40) };

interface Res {
  status: number;
  json: any;
}

let seq = 0;
const email = (tag = 'v') => `${tag}.${process.pid}.${++seq}@example.com`;
const users = (clientId = A.id) => `/v2/oauth-clients/${clientId}/users`;

/** One request: a JSON body, or `raw` text with its content type. */
async function call(base: string, method: string, path: string, body?: unknown, opts: { client?: ClientCredentials; raw?: string; type?: string } = {}): Promise<Res> {
  const headers = { 'x-cal-secret-key': (opts.client ?? A).secret, 'content-type': opts.type ?? 'application/json' };
  const r = await fetch(base + path, { method, headers, body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, json };
}

const create = (base: string, fields: Record<string, unknown> = {}, client = A) => call(base, 'POST', users(client.id), { email: email(), name: 'N', ...fields }, { client });
/** A user to change: its id. */
const aUser = async (base: string, fields: Record<string, unknown> = {}) => ((await create(base, fields)).json.data.user as { id: number }).id;
const patch = (base: string, id: number, body: unknown) => call(base, 'PATCH', `${users()}/${id}`, body);
const listed = async (base: string, address: string) => (await call(base, 'GET', `${users()}?emails=${encodeURIComponent(address)}`)).json.data as Record<string, unknown>[];
/** A 500 whose body is the framework's, not the envelope. */
const bare500 = (r: Res) => r.status === 500 && r.json?.statusCode === 500 && r.json?.status === undefined;
const deep = (levels: number) => `{"email":"${email('deep')}","name":"x","metadata":{"a":${'['.repeat(levels)}${']'.repeat(levels)}}}`;

const servers: ReferenceServer[] = [];
async function start(options: Partial<InstanceOptions> = {}): Promise<string> {
  const s = await startReferenceServer({ clients: [A, B], port: 0, jitterMs: 0, ...options });
  servers.push(s);
  return s.url;
}
test.afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** How each fault written for the new checks shows its bug: true when it does. */
const PROBES: Partial<Record<FaultId, (base: string) => Promise<boolean>>> = {
  'user-id-int4-500': async (b) => (await call(b, 'GET', `${users()}/2147483648`)).status === 500,
  'user-id-unary-plus': async (b) => (await call(b, 'GET', `${users()}/abc`)).status === 500,
  'schedule-id-int4-500': async (b) => (await patch(b, await aUser(b), { defaultScheduleId: 2 ** 31 })).status === 500,
  'create-null-optional-500': async (b) => (await create(b, { weekStart: null })).status === 500,
  'patch-null-500': async (b) => {
    const id = await aUser(b);
    const before = (await call(b, 'GET', `${users()}/${id}`)).json.data.username;
    const r = await patch(b, id, { email: email('moved'), weekStart: null });
    return r.status === 500 && (await call(b, 'GET', `${users()}/${id}`)).json.data.username !== before;
  },
  'nul-in-text-500': async (b) => (await create(b, { bio: 'a\u0000b' })).status === 500,
  'create-half-created-on-500': async (b) => {
    const address = email('half');
    return (await create(b, { email: address, name: 'a\u0000b' })).status === 500 && (await listed(b, address)).length === 1;
  },
  'client-id-nul-500': async (b) => (await call(b, 'GET', '/v2/oauth-clients/%00/users', undefined, { client: { id: '', secret: 'wrong' } })).status === 500,
  'long-email-500': async (b) => (await create(b, { email: `${'l'.repeat(2000)}@example.com` })).status === 500,
  'metadata-constructor-500': async (b) => bare500(await create(b, { metadata: { constructor: 'x' } })),
  'deep-nesting-500': async (b) => bare500(await call(b, 'POST', users(), undefined, { raw: deep(3000) })),
  'list-emails-object-500': async (b) => bare500(await call(b, 'GET', `${users()}?emails[0][a]=x`)),
  'patch-array-body-500': async (b) => (await call(b, 'PATCH', `${users()}/${await aUser(b)}`, undefined, { raw: '[]' })).status === 500,
  'timezone-capitalised': async (b) => (await create(b, { timeZone: 'America/Port_of_Spain' })).json.data.user.timeZone === 'America/Port_Of_Spain',
  'email-split-at-first-at': async (b) => !(await create(b, { email: `${email('two')}@evil.org` })).json.data.user.email.endsWith('@evil.org'),
  'patch-email-unvalidated': async (b) => (await patch(b, await aUser(b), { email: '' })).json.data?.email === '',
  'non-ascii-latin1-mangled': async (b) => (await create(b, { name: 'Zoë' })).json.data.user.name === 'ZoÃ«',
  'bio-truncated-255': async (b) => (await create(b, { bio: 'b'.repeat(300) })).json.data.user.bio.length === 255,
  'metadata-prototype-keys-dropped': async (b) => !Object.hasOwn((await create(b, { metadata: { toString: 'x', ok: 'y' } })).json.data.user.metadata, 'toString'),
  'locale-case-insensitive': async (b) => (await create(b, { locale: 'EN' })).status === 201,
  'enum-spaces-trimmed': async (b) => (await create(b, { weekStart: ' Monday ' })).status === 201,
  'timeformat-range-checked': async (b) => (await create(b, { timeFormat: 18 })).status === 201,
  'deleted-email-still-indexed': async (b) => {
    const address = email('again');
    const { id } = (await create(b, { email: address })).json.data.user;
    await call(b, 'DELETE', `${users()}/${id}`);
    return (await create(b, { email: address })).status === 409;
  },
  'patch-email-raw-uniqueness': async (b) => {
    const address = email('shared');
    await create(b, { email: address }, B);
    return (await patch(b, await aUser(b), { email: address })).status === 409;
  },
  'username-slug-unique': async (b) => {
    const local = `x_${process.pid}_${++seq}`;
    await create(b, { email: `${local}@example.com` });
    return (await create(b, { email: `${local.replace(/_/g, '-')}@example.com` })).status === 409;
  },
  'create-weekstart-type-only': async (b) => (await create(b, { weekStart: 'Funday' })).status === 201,
  'create-email-trpc-400': async (b) => (await create(b, { email: 'x' })).json.error?.code === 'TRPCError',
  'payload-limit-100kb-bare': async (b) => {
    const r = await create(b, { bio: 'b'.repeat(150 * 1024) });
    return r.status === 413 && r.json?.statusCode === 413;
  },
  'list-params-parseint': async (b) => (await call(b, 'GET', `${users()}?limit=1.5`)).status === 200,
  'list-emails-array-unchecked': async (b) => (await call(b, 'GET', `${users()}?emails=a@example.com&emails=bogus`)).status === 200,
  'patch-unparsed-body-noop': async (b) => (await call(b, 'PATCH', `${users()}/${await aUser(b)}`, undefined, { raw: '{"name":"x"}', type: 'text/plain' })).status === 200,
  'null-stored-as-sent': async (b) => (await create(b, { timeFormat: null })).json.data?.user.timeFormat === null,
  'locale-bn-missing': async (b) => (await create(b, { locale: 'bn' })).status === 400,
};

test('the version behaviours are those of the suite\'s profiles, and every variant layer exists', () => {
  const values = (o: Record<string, object>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Object.keys(v).sort()]));
  expect(values(VERSION_BEHAVIOURS)).toEqual(values(Object.fromEntries(Object.entries(BEHAVIOURS).map(([k, v]) => [k, v.values]))));
  const ids = new Set<string>(FAULTS.map((f) => f.id));
  const known = (l: (typeof VARIANTS)[keyof typeof VARIANTS]['layers'][number]) =>
    'fault' in l ? ids.has(l.fault) : Object.keys(VERSION_BEHAVIOURS[l.behaviour]).includes(l.value);
  expect(VARIANT_NAMES.flatMap((name) => VARIANTS[name].layers.filter((l) => !known(l)).map((l) => `${name}: ${JSON.stringify(l)}`))).toEqual([]);
  expect(Object.keys(PENDING_FAULTS).filter((id) => !ids.has(id))).toEqual([]);
});

test('every fault with a probe shows its bug, and the standard server does not', async () => {
  const standard = await start();
  const found: string[] = [];
  for (const [id, probe] of Object.entries(PROBES) as [FaultId, (base: string) => Promise<boolean>][]) {
    expect(await probe(standard), `standard server shows ${id}`).toBe(false);
    if (await probe(await start({ fault: id }))) found.push(id);
  }
  expect(Object.keys(PROBES).filter((id) => !found.includes(id))).toEqual([]);
  // Every pending fault has a probe here: it is seen failing until its check lands.
  expect(Object.keys(PENDING_FAULTS).filter((id) => !(id in PROBES))).toEqual([]);
});

test('variant standard and legal: the published document; legal keeps an own-suffixed e-mail', async () => {
  for (const base of [await start(), await start({ variant: 'legal' })]) {
    expect((await call(base, 'GET', `${users()}/abc`)).status).toBe(400);
    expect((await create(base, { locale: 'bn' })).status).toBe(201);
    expect((await create(base, { timeFormat: '24' })).json.data.user.timeFormat).toBe(24);
    expect((await create(base, { weekStart: 'Funday' })).status).toBe(400);
    expect((await create(base, { timeZone: null })).json.data.user.timeZone).toBe('Europe/London');
  }
  const legal = await start({ variant: 'legal' });
  const own = `own.${++seq}+${A.id}@example.com`;
  expect((await create(legal, { email: own })).json.data.user.email).toBe(own);
});

test('variant legal-alt: e-mail case kept, "24" and timeZone null refused, an own suffix suffixed again', async () => {
  const base = await start({ variant: 'legal-alt' });
  const shouted = email('Case').toUpperCase();
  expect((await create(base, { email: shouted })).json.data.user.email).toBe(shouted.replace('@', `+${A.id}@`));
  expect((await create(base, { timeFormat: '24' })).status).toBe(400);
  expect((await patch(base, await aUser(base), { timeFormat: '24' })).status).toBe(400);
  expect((await create(base, { timeZone: null })).status).toBe(400);
  const own = `own.${++seq}+${A.id}@example.com`;
  expect((await create(base, { email: own })).json.data.user.email).toBe(own.replace('@', `+${A.id}@`));
});

test('variant calcom-2025-05: its version behaviours, deviations and server bugs', async () => {
  const base = await start({ variant: 'calcom-2025-05' });
  const id = await aUser(base);
  for (const [method, path] of [['GET', 'abc'], ['PATCH', 'abc'], ['DELETE', 'abc'], ['POST', 'abc/force-refresh']] as const) {
    expect((await call(base, method, `${users()}/${path}`, method === 'PATCH' ? {} : undefined)).status, `${method} ${path}`).toBe(500); // R1
  }
  expect((await call(base, 'GET', `${users()}/%20${id}`)).json.data.id).toBe(id); // D9
  expect((await call(base, 'GET', `${users()}/2147483648`)).status).toBe(500); // R2
  expect((await create(base, { locale: 'bn' })).status).toBe(400); // D3
  expect((await create(base, { timeFormat: '24' })).status).toBe(400); // D4
  expect((await create(base, { timeZone: null })).status).toBe(500); // R3
  expect((await patch(base, id, { timeZone: null })).status).toBe(500); // R3
  const funday = (await create(base, { weekStart: 'Funday' })).json.data.user; // D2
  expect([funday.weekStart, funday.locale]).toEqual(['Funday', null]); // D1
  const own = `Own.${++seq}+${A.id}@Example.com`;
  expect((await create(base, { email: own })).json.data.user.email).toBe(own.replace('@', `+${A.id}@`)); // D5, case kept
  expect((await create(base, { timeZone: 'America/Port_of_Spain' })).json.data.user.timeZone).toBe('America/Port_Of_Spain'); // S1
  expect((await create(base, { email: 'x' })).json.error.code).toBe('TRPCError'); // D7
  const half = email('half');
  expect((await create(base, { email: half, name: 'a\u0000b' })).status).toBe(500); // R4
  expect((await listed(base, half)).map((u) => u.name)).toEqual([null]); // half-created
  expect(bare500(await create(base, { metadata: { constructor: 'x' } }))).toBe(true); // R7
  expect(bare500(await call(base, 'GET', `${users()}?emails[0][a]=x`))).toBe(true); // R9
  expect((await call(base, 'PATCH', `${users()}/${id}`, undefined, { raw: '[]' })).status).toBe(500); // R10
  expect((await patch(base, id, { defaultScheduleId: 2 ** 31 })).status).toBe(500); // R6
  expect((await patch(base, id, { email: '' })).json.data.email).toBe(''); // S2
  const local = `s4_${process.pid}_${++seq}`;
  await create(base, { email: `${local}@example.com` });
  expect((await create(base, { email: `${local}@EXAMPLE.COM` })).json.error.code).toBe('CONFLICT'); // S4
  expect((await call(base, 'GET', '/v2/oauth-clients/%00/users')).status).toBe(500); // R4, before the guard
});

test('variant calcom-2025-12: 2025-05 with bn, "24" coerced, own suffix kept, integer ids checked, timeZone null as absent', async () => {
  const base = await start({ variant: 'calcom-2025-12' });
  const id = await aUser(base);
  expect((await call(base, 'GET', `${users()}/abc`)).status).toBe(400);
  expect((await call(base, 'GET', `${users()}/%20${id}`)).status).toBe(400);
  expect((await call(base, 'GET', `${users()}/2147483648`)).status).toBe(500); // R2, not fixed
  expect((await create(base, { locale: 'bn' })).status).toBe(201);
  expect((await create(base, { timeFormat: '24' })).json.data.user.timeFormat).toBe(24);
  expect((await patch(base, id, { timeFormat: '24' })).json.data.timeFormat).toBe(24);
  const absent = (await create(base, { timeZone: null })).json.data.user;
  expect([absent.timeZone, absent.defaultScheduleId]).toEqual(['Europe/London', null]);
  expect((await create(base, { weekStart: null })).status).toBe(500); // R3, not fixed
  const own = `Own.${++seq}+${A.id}@Example.com`;
  expect((await create(base, { email: own })).json.data.user.email).toBe(own);
  expect((await create(base, { timeZone: 'Africa/Dar_es_Salaam' })).json.data.user.timeZone).toBe('Africa/Dar_Es_Salaam'); // S1, not fixed
});

test('a fault injected into a variant is laid over it', async () => {
  const base = await start({ variant: 'calcom-2025-12', fault: 'create-200' });
  const r = await create(base, { locale: 'bn', timeFormat: '24' });
  expect([r.status, r.json.data.user.timeFormat, r.json.data.user.locale]).toEqual([200, 24, 'bn']);
});
