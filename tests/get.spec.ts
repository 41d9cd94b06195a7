import { check } from '../fixtures/test';
import { expectError, expectStatus, expectThat } from '../fixtures/checks';

/** Postgres' largest int: a valid id that no user of a real deployment has. */
const UNUSED_ID = 2147483647;

check.describe('get by id', () => {
  check('a user is read by its id', async ({ given, api }) => {
    const created = await given.aUser();
    const read = await api.getUserById(created.user.id);
    expectStatus(read, 200, 'reading a user by id');
    expectThat(read, read.data.id === created.user.id && read.data.email === created.user.email, `GET by id ${created.user.id} returned user ${read.data.id} <${read.data.email}>`);
  });

  check('an id no user has is a 404', async ({ api }) => {
    expectError(await api.getUserById(UNUSED_ID), 404, `reading user ${UNUSED_ID}`);
  });

  check('a non-integer id is a 400 on every operation that takes one', async ({ api }) => {
    for (const id of ['abc', '1.5']) {
      expectError(await api.getUserById(id), 400, `GET by id "${id}"`);
      expectError(await api.updateUser(id, { name: 'x' }), 400, `PATCH id "${id}"`);
      expectError(await api.deleteUser(id), 400, `DELETE id "${id}"`);
      expectError(await api.forceRefresh(id), 400, `force-refresh id "${id}"`);
    }
  });
});
