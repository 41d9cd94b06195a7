import { check } from '../fixtures/harness/test';
import { expectError, expectThat } from '../fixtures/harness/checks';

// Bodies as a whole: not JSON objects, not declared JSON, very large. Everything a field may or may not
// hold is derived from the document: both sides of every rule in
// tests/rules.spec.ts (the field limits, enums, formats, required fields and a
// JSON array body that were asserted here a second time are its cases now), and
// the values a server stumbled on in tests/robustness.spec.ts.

check.describe('validation: bodies as a whole', () => {
  check('malformed JSON is a 400, never a server error', { tag: ['@inferred', '@create', '@update'] }, async ({ api, given }) => {
    expectError(await api.createUser({}, { rawBody: '{"email": "a@b.c", "name": ' }), 400, 'create with a truncated JSON body');
    const { user } = await given.worker.aUser(); // the PATCH is refused
    expectError(await api.updateUser(user.id, {}, { rawBody: '{name: nope}' }), 400, 'update with a malformed JSON body');
  });

  check('a JSON string instead of an object is a 400', { tag: ['@inferred', '@create'] }, async ({ api }) => {
    expectError(await api.createUser({}, { rawBody: '"hello"' }), 400, 'create with a JSON string body');
  });

  // The document's request body is application/json. A server may refuse another type (400, 415) or read it
  // anyway; a 200 that changed nothing tells the client its change was made when it was not.
  check('a PATCH body sent as text/plain is refused with a 4xx, or applied: never a 200 that changes nothing', { tag: ['@inferred', '@update'] }, async ({ api, given, inputs }) => {
    const { user } = await given.worker.aUser(); // one field, put back when it was applied
    const name = inputs.updateBody(['name']).name as string;
    const call = await api.updateUser(user.id, {}, { rawBody: JSON.stringify({ name }), headers: { 'content-type': 'text/plain' } });
    if (call.status >= 400 && call.status < 500) return;
    expectThat(call, call.status === 200, `a PATCH with a text/plain body answered ${call.status}: neither refused (4xx) nor applied (200)`);
    const applied = call.data?.name === name;
    if (applied) await api.updateUser(user.id, { name: user.name });
    expectThat(call, applied, `a PATCH with a text/plain body answered 200 but did not change the name to ${JSON.stringify(name)} (it shows ${JSON.stringify(call.data?.name)}): refuse it (400, 415) or apply it`);
  });

  // The document sets no size limit on a body (name has no maxLength). A server may still have one: then its
  // refusal is a 4xx in the documented error envelope, like every other refusal (body-parser's bare 413 is not).
  check('a body over 100 kB is taken, or refused with a 4xx in the error envelope', { tag: ['@inferred', '@update'] }, async ({ api, given }) => {
    const { user } = await given.worker.aUser(); // its name, put back when the long one was taken
    const name = 'n'.repeat(110_000);
    const call = await api.updateUser(user.id, { name });
    if (call.status === 200) {
      await api.updateUser(user.id, { name: user.name });
      return expectThat(call, call.data?.name === name, `a PATCH with a 110 000-character name answered 200 but shows a name of ${String(call.data?.name ?? '').length} characters`);
    }
    expectThat(call, call.status >= 400 && call.status < 500, `a PATCH with a 110 kB body answered ${call.status}: take it (200) or refuse it with a 4xx`);
    const envelope = call.body?.status === 'error' && typeof call.error?.code === 'string' && typeof call.error?.message === 'string';
    expectThat(call, envelope, `a PATCH with a 110 kB body was refused with ${call.status} outside the error envelope (status "error", error.code, error.message)`);
  });
});
