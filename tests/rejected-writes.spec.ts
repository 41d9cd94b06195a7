import { check, type Scope } from '../fixtures/harness/test';
import type { CreateManagedUserInput } from '../fixtures/contract/types';
import { expectError, expectStatus, expectThat, expectUnchanged } from '../fixtures/harness/checks';

/**
 * The create is a 400, and its e-mail finds no user afterwards. (A list never
 * makes a user ours: a user a broken server kept is removed by the run's
 * cleanup, which finds it by the e-mail in the ledger and reads it by id first.)
 */
async function expectRejectedCreateLeavesNoUser({ api }: Pick<Scope, 'api'>, input: CreateManagedUserInput, what: string): Promise<void> {
  expectError(await api.createUser(input), 400, what);
  const found = await api.getManagedUsers({ emails: [input.email] });
  expectStatus(found, 200, 'looking the rejected e-mail up');
  expectThat(found, found.data.length === 0, `a rejected create still created user(s) ${found.data.map((u) => u.id).join(', ')}`);
}

// One rejected create and one rejected PATCH suffice for the promise: the metadata variants that were here
// failed together with the metadata rule cases (tests/rules.spec.ts) for one root cause, a third and fourth time.
check.describe('rejected writes leave no trace', () => {
  check('a create rejected for its time zone leaves no user behind', { tag: ['@inferred', '@create', '@list'] }, async ({ api, inputs }) => {
    await expectRejectedCreateLeavesNoUser({ api }, { ...inputs.createBody({ every: true }), timeZone: 'invalid-timezone' }, 'create with an invalid time zone');
  });

  check('an update rejected for one field changes none of the others', { tag: ['@inferred', '@update', '@get'] }, async ({ given, api, inputs }) => {
    const created = await given.aUserWithEveryField();
    const change = { ...inputs.updateBody(['name', 'bio', 'locale']), timeZone: 'invalid-timezone' };
    expectError(await api.updateUser(created.user.id, change), 400, 'update with valid fields and an invalid time zone');
    const read = await api.getUserById(created.user.id);
    expectStatus(read, 200, 'reading the user after the rejected update');
    expectUnchanged(read, read.data, created.user, 'a rejected update changed the user');
  });
});
