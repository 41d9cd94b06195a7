import { check } from '../fixtures/harness/test';
import { expectError, expectStatus, expectThat, sameJson } from '../fixtures/harness/checks';

check.describe('delete', () => {
  check('delete answers 200 with the user as it was', { tag: ['@upstream', '@delete', '@get'] }, async ({ given, api }) => {
    const created = await given.aUserWithEveryField();
    const before = await api.getUserById(created.user.id);
    const deleted = await api.deleteUser(created.user.id);
    expectStatus(deleted, 200, 'deleting a user');
    const differs = Object.keys(before.data).filter((k) => !sameJson(deleted.data[k], before.data[k]));
    expectThat(deleted, differs.length === 0, `the delete answer differs from the user as it was in ${differs.join(', ')}`);
  });

  check('a deleted user is gone from every endpoint', { tag: ['@inferred', '@delete', '@get', '@update', '@forceRefresh', '@list'] }, async ({ given, api }) => {
    const { user, input } = await given.aDeletedUser();
    expectError(await api.getUserById(user.id), 404, 'reading a deleted user');
    expectError(await api.updateUser(user.id, { name: 'ghost' }), 404, 'updating a deleted user');
    expectError(await api.forceRefresh(user.id), 404, 'force-refreshing a deleted user');
    const listed = await api.getManagedUsers({ emails: [input.email] });
    expectStatus(listed, 200, 'listing a deleted user by e-mail');
    expectThat(listed, listed.data.length === 0, `a deleted user is still listed (ids ${listed.data.map((u) => u.id).join(', ')})`);
    expectError(await api.deleteUser(user.id), 404, 'deleting a deleted user again');
  });
});
