import { check } from '../fixtures/harness/test';
import { expectError, expectStatus, expectThat } from '../fixtures/harness/checks';

/** Postgres' largest int: a valid id that no user of a real deployment has. */
const UNUSED_ID = 2147483647;

check.describe('get by id', () => {
  check('a user is read by its id', { tag: ['@upstream', '@get'] }, async ({ given, api }) => {
    const created = await given.shared.aUser();
    const read = await api.getUserById(created.user.id);
    expectStatus(read, 200, 'reading a user by id');
    expectThat(read, read.data.id === created.user.id && read.data.email === created.user.email, `GET by id ${created.user.id} returned user ${read.data.id} <${read.data.email}>`);
  });

  check('an id no user has is a 404', { tag: ['@inferred', '@get'] }, async ({ api }) => {
    expectError(await api.getUserById(UNUSED_ID), 404, `reading user ${UNUSED_ID}`);
  });

  // A non-integer id on every operation that takes one: the rule catalogue's path case ("abc", 400 on all four:
  // tests/rules.spec.ts) and the robustness sweep (%00 and "<our id>.25", a 4xx and never a 5xx:
  // tests/robustness.spec.ts) check it; it is not asserted here a third time.
});
