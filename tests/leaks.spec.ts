import { check } from '../fixtures/harness/test';
import { expectStatus, expectThat } from '../fixtures/harness/checks';

// The always-on no_sensitive_fields response check records any undocumented field whose name looks
// sensitive (reported once for the run); this check makes the promise explicit, and fails on the spot,
// on every user-returning operation.

check.describe('no leaks', () => {
  check('no user object carries an undocumented sensitive-looking field', { tag: ['@inferred', '@create', '@get', '@list', '@update'] }, async ({ given, api }) => {
    const created = await given.aUserWithEveryField();
    const calls = [
      created.call,
      await api.getUserById(created.user.id),
      await api.getManagedUsers({ emails: [created.input.email] }),
      await api.updateUser(created.user.id, { bio: 'leak check' }),
    ];
    for (const call of calls) {
      expectStatus(call, [200, 201], 'a user-returning call');
      const leaked = (call.judgement.findings ?? []).filter((f) => f.check === 'no_sensitive_fields').map((f) => f.pointer);
      expectThat(call, leaked.length === 0, `undocumented sensitive field(s) ${leaked.join(', ')}`);
    }
  });
});
