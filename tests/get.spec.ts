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

  // The document's id is an integer: anything else is a 400. Cal.com before 2025-10-28 answered 500, a server
  // error, which is a failure on every version (no version tag).
  check('a non-integer id is a 400 on every operation that takes one', { tag: ['@inferred', '@get', '@update', '@delete', '@forceRefresh'] }, async ({ api, given }) => {
    // "<our id>.25": a server that parses leniently would act on our own user, never on someone else's.
    const { user } = await given.worker.aUser(); // every request here is refused on a correct server
    const calls = ['abc', `${user.id}.25`].flatMap((id) => [
      [`GET by id "${id}"`, api.getUserById(id)] as const,
      [`PATCH id "${id}"`, api.updateUser(id, { name: 'x' })] as const,
      [`DELETE id "${id}"`, api.deleteUser(id)] as const,
      [`force-refresh id "${id}"`, api.forceRefresh(id)] as const,
    ]);
    const answers = await Promise.all(calls.map(([, call]) => call));
    answers.forEach((answer, i) => expectError(answer, 400, calls[i]![0]));
  });
});
