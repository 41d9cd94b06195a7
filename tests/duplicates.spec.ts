import { check } from '../fixtures/harness/test';
import { expectBehaviour, expectError, expectStatus, expectThat } from '../fixtures/harness/checks';
import { shownEmailCase } from '../fixtures/contract/behaviours';

check.describe('duplicates', () => {
  check('creating the same e-mail again is a 409 naming the existing user', { tag: ['@upstream', '@create'] }, async ({ given, api, inputs }) => {
    const first = await given.aUser();
    const again = await api.createUser({ ...inputs.createBody(), email: first.input.email });
    expectError(again, 409, 'creating a second user with the same e-mail');
    const message = String(again.error?.message ?? '');
    expectThat(again, new RegExp(`(^|\\D)${first.user.id}(\\D|$)`).test(message), `the 409 message ${JSON.stringify(message)} does not name the existing user's id ${first.user.id}`);
  });

  check('an e-mail in other letter case is the same user (409) where e-mails are lower-cased, and another user where their case is kept', { tag: ['@inferred', '@create', '@version'] }, async ({ given, api, inputs, profile }) => {
    const raw = inputs.email();
    const upper = raw.toUpperCase();
    const first = await given.aUser({ email: upper });
    const kept = shownEmailCase(upper, first.user.email, api.clientId);
    expectBehaviour(first.call, profile, 'email-case', kept, `create with the e-mail ${upper}`);
    const again = await api.createUser({ ...inputs.createBody(), email: raw });
    if (kept === 'lower-cased') return expectError(again, 409, `creating ${raw} after ${upper}, where e-mails are lower-cased`);
    expectStatus(again, 201, `creating ${raw} after ${upper}, where the case of an e-mail is kept: two e-mails, two users (a 409 is a false duplicate)`);
    expectThat(again, again.data.user.id !== first.user.id, `${raw} and ${upper} got the same user id`);
  });

  // Cal.com derives a username from the e-mail (a slug: ".", "_" and "-" alike); the username is the server's, the
  // e-mail the identity: two e-mails that differ only where the slug does not are two users.
  check('e-mails that differ only in "." against "-" are two users: 201, not a 409', { tag: ['@inferred', '@create'] }, async ({ given, api, inputs }) => {
    const { input, user } = await given.shared.aUser();
    const at = input.email.lastIndexOf('@');
    const dash = input.email.lastIndexOf('-', at);
    const twin = `${input.email.slice(0, dash)}.${input.email.slice(dash + 1)}`;
    const again = await api.createUser({ ...inputs.createBody(), email: twin });
    expectStatus(again, 201, `creating ${twin} beside ${input.email} (a 409 is a false duplicate: the username slug is not the identity)`);
    expectThat(again, !again.ownership, `the create answered another user than the one sent: ${again.ownership ?? ''}`);
    expectThat(again, again.data.user.id !== user.id, `${twin} and ${input.email} got the same user id ${user.id}`);
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
