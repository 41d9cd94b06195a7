import { check } from '../fixtures/harness/test';
import { expectEqual, expectError, expectStatus, expectThat, expectStoredEmail } from '../fixtures/harness/checks';

check.describe('lifecycle', () => {
  check('a user can be created, read, found, changed, re-keyed and deleted, then is gone', { tag: ['@upstream', '@list', '@create', '@get', '@update', '@delete', '@forceRefresh', '@smoke'] }, async ({ api, inputs }) => {
    const input = inputs.createBody({ every: true });
    const created = await api.createUser(input);
    expectStatus(created, 201, 'creating a user with every optional field');
    const id = created.data.user.id;
    expectStoredEmail(created, created.data.user.email, input.email, api.clientId, 'the created user carries the suffixed e-mail');

    const read = await api.getUserById(id);
    expectStatus(read, 200, 'reading the user just created');
    expectEqual(read, read.data.email, created.data.user.email, 'the user read back has the e-mail it was created with');

    const found = await api.getManagedUsers({ emails: [input.email] });
    expectStatus(found, 200, 'listing with emails=<the raw e-mail>');
    expectThat(found, found.data.length === 1 && found.data[0]!.id === id, `the list filtered by the user's raw e-mail holds exactly that user (got ids ${found.data.map((u) => u.id).join(', ') || 'none'})`);

    const change = inputs.updateBody(['name', 'bio']);
    const updated = await api.updateUser(id, change);
    expectStatus(updated, 200, 'updating name and bio');
    expectEqual(updated, { name: updated.data.name, bio: updated.data.bio }, change, 'the update answer carries the new name and bio');

    const keys = await api.forceRefresh(id);
    expectStatus(keys, 200, 'force-refreshing the tokens');
    expectThat(keys, keys.data.accessToken !== created.data.accessToken, 'force-refresh returned the access token issued at creation');

    const deleted = await api.deleteUser(id);
    expectStatus(deleted, 200, 'deleting the user');
    expectEqual(deleted, deleted.data.id, id, 'the delete answer carries the deleted user');

    const gone = await api.getUserById(id);
    expectError(gone, 404, 'reading the deleted user');
  });

  check("a deleted user's e-mail can be used again: creating it anew is a 201, a new user", { tag: ['@inferred', '@create', '@delete'] }, async ({ given, api, inputs }) => {
    const gone = await given.aDeletedUser();
    const again = await api.createUser({ ...inputs.createBody(), email: gone.input.email });
    expectStatus(again, 201, `creating a user with the e-mail of deleted user ${gone.user.id}`);
    expectThat(again, !again.ownership, `the create answered another user than the one sent: ${again.ownership ?? ''}`);
    expectStoredEmail(again, again.data.user.email, gone.input.email, api.clientId, 'the e-mail of the new user');
  });
});
