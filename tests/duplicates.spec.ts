import { check } from '../fixtures/harness/test';
import { expectError, expectStatus, expectThat } from '../fixtures/harness/checks';

check.describe('duplicates', () => {
  check('creating the same e-mail again is a 409 naming the existing user', { tag: ['@upstream', '@create'] }, async ({ given, api, inputs }) => {
    const first = await given.aUser();
    const again = await api.createUser({ ...inputs.createBody(), email: first.input.email });
    expectError(again, 409, 'creating a second user with the same e-mail');
    const message = String(again.error?.message ?? '');
    expectThat(again, new RegExp(`(^|\\D)${first.user.id}(\\D|$)`).test(message), `the 409 message ${JSON.stringify(message)} does not name the existing user's id ${first.user.id}`);
  });

  check('the same e-mail in other letter case is the same user (409)', { tag: ['@inferred', '@create', '@v-lowercase-emails', '@later-versions'] }, async ({ given, api, inputs }) => {
    const first = await given.aUser();
    const again = await api.createUser({ ...inputs.createBody(), email: first.input.email.toUpperCase() });
    expectError(again, 409, 'creating a user whose e-mail differs only in letter case');
  });

  check('concurrent creates of one e-mail yield exactly one user', { tag: ['@inferred', '@create'] }, async ({ api, inputs }) => {
    const email = inputs.email();
    const calls = await Promise.all(Array.from({ length: 4 }, () => api.createUser({ ...inputs.createBody(), email })));
    const statuses = calls.map((c) => c.status).sort();
    const winner = calls.find((c) => c.status === 201) ?? calls[0]!;
    expectThat(winner, statuses.filter((s) => s === 201).length === 1 && statuses.filter((s) => s === 409).length === 3, `4 concurrent creates of one e-mail answered ${statuses.join(', ')}, expected one 201 and three 409`);
  });
});

check.describe('duplicates across clients', () => {

  check('the same raw e-mail under the other client is a different user', { tag: ['@inferred', '@create'] }, async ({ given, otherApi, inputs }) => {
    // Both created at once (a create is the slow call of a real server): the same raw e-mail under each client.
    const email = inputs.email();
    const [mine, theirs] = await Promise.all([given.aUser({ email }), otherApi.createUser({ ...inputs.createBody(), email })]);
    expectStatus(theirs, 201, "creating the other client's user with the same raw e-mail");
    expectThat(theirs, theirs.data.user.id !== mine.user.id, 'both clients got the same user id for their users');
  });
});
