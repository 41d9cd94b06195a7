import { check } from '../fixtures/harness/test';
import type { ApiCall } from '../fixtures/client/client';
import type { ManagedUser } from '../fixtures/contract/types';
import { expectError, expectStatus, expectThat, suffixed } from '../fixtures/harness/checks';

// The list has no order and no total, and a shared server holds users we did
// not create: every check here speaks only about users it created, found
// through emails=, never about positions or counts of the whole list.

const ids = (call: ApiCall<ManagedUser[]>) => call.data.map((u) => u.id);
const sameSet = (a: number[], b: number[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

check.describe('list', () => {
  check('limit caps the number of users returned', { tag: ['@upstream', '@list'] }, async ({ given, api }) => {
    const three = await given.shared.someUsers(3); // only listed
    const one = await api.getManagedUsers({ limit: 1 });
    expectStatus(one, 200, 'listing with limit=1');
    expectThat(one, one.data.length <= 1, `limit=1 returned ${one.data.length} users`);
    const page = await api.getManagedUsers({ limit: 2, emails: three.map((c) => c.input.email) });
    expectStatus(page, 200, 'listing three of our users with limit=2');
    expectThat(page, page.data.length === 2, `limit=2 over three matching users returned ${page.data.length}`);
  });

  check('offset pages over our users do not overlap and together hold all of them', { tag: ['@upstream', '@list'] }, async ({ given, api }) => {
    const three = await given.shared.someUsers(3); // only listed
    const emails = three.map((c) => c.input.email);
    const first = await api.getManagedUsers({ limit: 2, offset: 0, emails });
    const second = await api.getManagedUsers({ limit: 2, offset: 2, emails });
    expectStatus(first, 200, 'first page (limit=2, offset=0)');
    expectStatus(second, 200, 'second page (limit=2, offset=2)');
    const overlap = ids(first).filter((id) => ids(second).includes(id));
    expectThat(second, overlap.length === 0, `pages at offset 0 and 2 both hold user(s) ${overlap.join(', ')}`);
    expectThat(second, sameSet([...ids(first), ...ids(second)], three.map((c) => c.user.id)), `pages at offset 0 and 2 hold ${[...ids(first), ...ids(second)].join(', ') || 'nothing'}, expected exactly our users ${three.map((c) => c.user.id).join(', ')}`);
  });

  check('emails= with a raw address finds exactly that user', { tag: ['@upstream', '@list'] }, async ({ given, api }) => {
    const [a] = await given.shared.someUsers(2); // only listed
    const found = await api.getManagedUsers({ emails: [a!.input.email] });
    expectStatus(found, 200, 'listing by a raw e-mail');
    expectThat(found, sameSet(ids(found), [a!.user.id]), `emails=<raw address of user ${a!.user.id}> returned ${ids(found).join(', ') || 'nothing'}`);
  });

  check('emails= with the suffixed address (percent-encoded +) finds the same user', { tag: ['@upstream', '@list'] }, async ({ given, api }) => {
    const a = await given.shared.aUser(); // only listed
    const found = await api.getManagedUsers({ emails: [suffixed(a.input.email, api.clientId)] });
    expectStatus(found, 200, 'listing by a suffixed e-mail');
    expectThat(found, sameSet(ids(found), [a.user.id]), `emails=<suffixed address of user ${a.user.id}> returned ${ids(found).join(', ') || 'nothing'}`);
  });

  check('emails= with several addresses finds each of them and no other', { tag: ['@upstream', '@list'] }, async ({ given, api }) => {
    const [a, b, c] = await given.shared.someUsers(3); // only listed
    const found = await api.getManagedUsers({ emails: [a!.input.email, suffixed(b!.input.email, api.clientId)] });
    expectStatus(found, 200, 'listing by two e-mails');
    expectThat(found, sameSet(ids(found), [a!.user.id, b!.user.id]), `emails=<two of our users> returned ${ids(found).join(', ') || 'nothing'}, expected ${a!.user.id}, ${b!.user.id} (not ${c!.user.id})`);
  });

  check('an invalid address in emails= is a 400 naming it', { tag: ['@upstream', '@list'] }, async ({ api, inputs }) => {
    const bad = `not-an-email-${inputs.faker.string.alpha(5).toLowerCase()}`;
    const res = await api.getManagedUsers({ emails: [inputs.email(), bad] });
    expectError(res, 400, `listing with emails=<valid>,${bad}`);
    expectThat(res, String(res.error?.message ?? '').includes(bad), `the 400 message ${JSON.stringify(res.error?.message)} does not name the invalid address ${bad}`);
  });

  check('limit outside 1..250 or not a number is a 400', { tag: ['@inferred', '@list'] }, async ({ api }) => {
    const limits = ['0', '251', 'abc'];
    const answers = await Promise.all(limits.map((limit) => api.getManagedUsers({ limit })));
    answers.forEach((answer, i) => expectError(answer, 400, `listing with limit=${limits[i]}`));
  });

  check('offset outside 0..250 is a 400', { tag: ['@inferred', '@list'] }, async ({ api }) => {
    const offsets = ['-1', '251'];
    const answers = await Promise.all(offsets.map((offset) => api.getManagedUsers({ offset })));
    answers.forEach((answer, i) => expectError(answer, 400, `listing with offset=${offsets[i]}`));
  });
});
