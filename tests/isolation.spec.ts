import { check } from '../fixtures/harness/test';
import { expectEqual, expectError, expectStatus, expectThat, expectUnchanged, expectStoredEmail } from '../fixtures/harness/checks';

// Client A is the configured client; client B the second one. A user of B must
// not exist for A: not readable, not changeable, not deletable, not listed.

check.describe('isolation between OAuth clients', () => {

  check("another client's user is a 404 on get", { tag: ['@inferred', '@get'] }, async ({ given, api }) => {
    const theirs = await given.shared.aUserOfTheOtherClient();
    expectError(await api.getUserById(theirs.user.id), 404, "reading the other client's user");
  });

  check("another client's user is a 404 on update, and stays unchanged", { tag: ['@inferred', '@update', '@get'] }, async ({ given, api, otherApi }) => {
    const theirs = await given.aUserOfTheOtherClient();
    expectError(await api.updateUser(theirs.user.id, { name: 'taken over', bio: 'taken over' }), 404, "updating the other client's user");
    const read = await otherApi.getUserById(theirs.user.id);
    expectStatus(read, 200, 'its own client reading it');
    expectUnchanged(read, read.data, theirs.user, "another client's update attempt changed the user");
  });

  check("another client's user is a 404 on delete, and still exists", { tag: ['@inferred', '@delete', '@get'] }, async ({ given, api, otherApi }) => {
    const theirs = await given.aUserOfTheOtherClient();
    expectError(await api.deleteUser(theirs.user.id), 404, "deleting the other client's user");
    expectStatus(await otherApi.getUserById(theirs.user.id), 200, 'its own client reading it after the delete attempt');
  });

  check("another client's user is a 404 on force-refresh", { tag: ['@inferred', '@forceRefresh'] }, async ({ given, api }) => {
    const theirs = await given.shared.aUserOfTheOtherClient(); // a wrong 200 would renew its tokens, which no other check reads
    expectError(await api.forceRefresh(theirs.user.id), 404, "force-refreshing the other client's user");
  });

  check("another client's user is absent from this client's list", { tag: ['@inferred', '@list'] }, async ({ given, api }) => {
    const theirs = await given.shared.aUserOfTheOtherClient();
    const page = await api.getManagedUsers({ limit: 250 });
    expectStatus(page, 200, 'listing');
    expectThat(page, !page.data.some((u) => u.id === theirs.user.id), `the list shows the other client's user ${theirs.user.id}`);
    const byEmail = await api.getManagedUsers({ emails: [theirs.input.email] });
    expectStatus(byEmail, 200, "listing by the other client's user's raw e-mail");
    expectThat(byEmail, byEmail.data.length === 0, `emails=<the other client's user's e-mail> returned ${byEmail.data.map((u) => u.id).join(', ')}`);
  });

  check("the client's suffix keeps clients apart on PATCH as on create: a user PATCHed to the raw e-mail a user of the other client has is a 200, and both stay", { tag: ['@inferred', '@update', '@get'] }, async ({ given, api, otherApi }) => {
    const theirs = await given.shared.aUserOfTheOtherClient(); // only read
    const mine = await given.aUser();
    const moved = await api.updateUser(mine.user.id, { email: theirs.input.email });
    expectStatus(moved, 200, "PATCHing our user to the raw e-mail of the other client's user");
    expectStoredEmail(moved, moved.data.email, theirs.input.email, api.clientId, 'the PATCHed e-mail, suffixed with this client');
    const still = await otherApi.getUserById(theirs.user.id);
    expectStatus(still, 200, "the other client reading its user after the PATCH");
    expectEqual(still, still.data.email, theirs.user.email, "the other client's user's e-mail");
  });
});
