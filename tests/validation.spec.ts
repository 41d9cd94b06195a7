import { check, type Scope } from '../fixtures/harness/test';
import type { ApiCall } from '../fixtures/client/client';
import { expectError, expectThat } from '../fixtures/harness/checks';

/** A rejected body: 400, the error envelope, BadRequestException, and details.errors listing what was wrong. */
function expectValidationError(call: ApiCall, what: string): void {
  expectError(call, 400, what);
  const errors = call.error?.details?.errors;
  expectThat(call, Array.isArray(errors), `${what}: the 400 carries no details.errors array`);
}

/** POST a create body that is valid except for `bad`, and expect a validation error. */
async function rejectCreate({ api, inputs }: Pick<Scope, 'api' | 'inputs'>, bad: Record<string, unknown>, what: string): Promise<void> {
  const body: Record<string, unknown> = { ...inputs.createBody(), ...bad };
  for (const [k, v] of Object.entries(bad)) if (v === undefined) delete body[k];
  expectValidationError(await api.createUser(body), what);
}

const manyKeys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

check.describe('validation: create', () => {
  check('an empty timeZone is rejected', { tag: ['@upstream', '@create'] }, ({ api, inputs }) => rejectCreate({ api, inputs }, { timeZone: '' }, 'create with timeZone ""'));
  check('an unknown timeZone is rejected', { tag: ['@upstream', '@create'] }, ({ api, inputs }) => rejectCreate({ api, inputs }, { timeZone: 'invalid-timezone' }, 'create with timeZone "invalid-timezone"'));
  check('a timeFormat other than 12 or 24 is rejected', { tag: ['@upstream', '@create'] }, ({ api, inputs }) => rejectCreate({ api, inputs }, { timeFormat: 100 }, 'create with timeFormat 100'));
  check('a locale outside the enum is rejected', { tag: ['@spec', '@create'] }, ({ api, inputs }) => rejectCreate({ api, inputs }, { locale: 'xx-XX' }, 'create with locale "xx-XX"'));
  check('an avatarUrl that is not a URL is rejected', { tag: ['@inferred', '@create'] }, ({ api, inputs }) => rejectCreate({ api, inputs }, { avatarUrl: 'not a url' }, 'create with avatarUrl "not a url"'));
  check('metadata with 51 keys is rejected', { tag: ['@inferred', '@create'] }, ({ api, inputs }) => rejectCreate({ api, inputs }, { metadata: manyKeys(51) }, 'create with 51 metadata keys'));
  check('a metadata key of 41 characters is rejected', { tag: ['@inferred', '@create'] }, ({ api, inputs }) => rejectCreate({ api, inputs }, { metadata: { ['k'.repeat(41)]: 'v' } }, 'create with a 41-character metadata key'));
  check('a metadata value of 501 characters is rejected', { tag: ['@inferred', '@create'] }, ({ api, inputs }) => rejectCreate({ api, inputs }, { metadata: { note: 'v'.repeat(501) } }, 'create with a 501-character metadata value'));
  check('a nested metadata value is rejected', { tag: ['@inferred', '@create'] }, ({ api, inputs }) => rejectCreate({ api, inputs }, { metadata: { nested: { a: 1 } } }, 'create with a nested metadata value'));
  check('a body without email is rejected', { tag: ['@spec', '@create'] }, ({ api, inputs }) => rejectCreate({ api, inputs }, { email: undefined }, 'create without email'));
  check('a body without name is rejected', { tag: ['@spec', '@create'] }, ({ api, inputs }) => rejectCreate({ api, inputs }, { name: undefined }, 'create without name'));
  check('wrongly typed fields are rejected', { tag: ['@spec', '@create'] }, async ({ api, inputs }) => {
    const s = { api, inputs };
    await rejectCreate(s, { name: 123 }, 'create with name: 123');
    await rejectCreate(s, { bio: ['a'] }, 'create with bio: ["a"]');
    await rejectCreate(s, { email: 42 }, 'create with email: 42');
  });
});

check.describe('validation: update', () => {
  check('a weekStart that is not a weekday is rejected', { tag: ['@spec', '@update'] }, async ({ given, api }) => {
    const { user } = await given.worker.aUser(); // only the 400 is asserted
    expectValidationError(await api.updateUser(user.id, { weekStart: 'Funday' }), 'update with weekStart "Funday"');
  });

  check('an unknown timeZone is rejected', { tag: ['@inferred', '@update'] }, async ({ given, api }) => {
    const { user } = await given.worker.aUser(); // only the 400 is asserted
    expectValidationError(await api.updateUser(user.id, { timeZone: 'Mars/Olympus_Mons' }), 'update with timeZone "Mars/Olympus_Mons"');
  });

  check('metadata beyond the limits is rejected', { tag: ['@inferred', '@update'] }, async ({ given, api }) => {
    const { user } = await given.worker.aUser(); // only the 400 is asserted
    expectValidationError(await api.updateUser(user.id, { metadata: manyKeys(51) }), 'update with 51 metadata keys');
    expectValidationError(await api.updateUser(user.id, { metadata: { nested: [1] } }), 'update with an array metadata value');
  });
});

check.describe('validation: bodies that are not JSON objects', () => {
  check('malformed JSON is a 400, never a server error', { tag: ['@inferred', '@create', '@update'] }, async ({ api, given }) => {
    expectError(await api.createUser({}, { rawBody: '{"email": "a@b.c", "name": ' }), 400, 'create with a truncated JSON body');
    const { user } = await given.worker.aUser(); // the PATCH is refused
    expectError(await api.updateUser(user.id, {}, { rawBody: '{name: nope}' }), 400, 'update with a malformed JSON body');
  });

  check('a JSON array or string instead of an object is a 400', { tag: ['@inferred', '@create'] }, async ({ api }) => {
    expectError(await api.createUser({}, { rawBody: '[]' }), 400, 'create with a JSON array body');
    expectError(await api.createUser({}, { rawBody: '"hello"' }), 400, 'create with a JSON string body');
  });
});
