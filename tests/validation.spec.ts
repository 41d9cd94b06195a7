import { check } from '../fixtures/harness/test';
import { expectError } from '../fixtures/harness/checks';

// Bodies that are not JSON objects at all. Everything a field may or may not
// hold is derived from the document: both sides of every rule in
// tests/rules.spec.ts (the field limits, enums, formats, required fields and a
// JSON array body that were asserted here a second time are its cases now), and
// the values a server stumbled on in tests/robustness.spec.ts.

check.describe('validation: bodies that are not JSON objects', () => {
  check('malformed JSON is a 400, never a server error', { tag: ['@inferred', '@create', '@update'] }, async ({ api, given }) => {
    expectError(await api.createUser({}, { rawBody: '{"email": "a@b.c", "name": ' }), 400, 'create with a truncated JSON body');
    const { user } = await given.worker.aUser(); // the PATCH is refused
    expectError(await api.updateUser(user.id, {}, { rawBody: '{name: nope}' }), 400, 'update with a malformed JSON body');
  });

  check('a JSON string instead of an object is a 400', { tag: ['@inferred', '@create'] }, async ({ api }) => {
    expectError(await api.createUser({}, { rawBody: '"hello"' }), 400, 'create with a JSON string body');
  });
});
