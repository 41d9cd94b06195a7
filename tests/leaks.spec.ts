import { check } from '../fixtures/harness/test';
import { expectStatus, expectThat } from '../fixtures/harness/checks';
import { SENSITIVE_FIELD } from '../fixtures/contract/validator';

// The validator fails any response with an undocumented field whose name looks
// sensitive; this check makes the promise explicit on every user-returning operation.

check.describe('no leaks', () => {
  check('no user object carries an undocumented sensitive-looking field', async ({ given, api }) => {
    const created = await given.aUserWithEveryField();
    const calls = [
      created.call,
      await api.getUserById(created.user.id),
      await api.getManagedUsers({ emails: [created.input.email] }),
      await api.updateUser(created.user.id, { bio: 'leak check' }),
    ];
    for (const call of calls) {
      expectStatus(call, [200, 201], 'a user-returning call');
      const leaked = call.judgement.undocumented.filter((p) => SENSITIVE_FIELD.test(p.slice(p.lastIndexOf('/') + 1)));
      expectThat(call, leaked.length === 0, `undocumented sensitive field(s) ${leaked.join(', ')}`);
    }
  });
});
