import { check } from '../fixtures/harness/test';
import { evidence, expectEqual, expectError, expectStatus, expectThat, expectUnchanged, sameJson, expectStoredEmail, USER_STATE_FIELDS } from '../fixtures/harness/checks';
import { ContractViolation } from '../fixtures/client/errors';

check.describe('update', () => {
  check('an update changes exactly the fields sent, and the change persists', { tag: ['@upstream', '@update', '@get'] }, async ({ given, api, inputs }) => {
    const created = await given.aUserWithEveryField();
    const change = inputs.updateBody(['name', 'locale']);
    const updated = await api.updateUser(created.user.id, change);
    expectStatus(updated, 200, 'updating name and locale');
    const read = await api.getUserById(created.user.id);
    expectStatus(read, 200, 'reading the updated user');
    for (const [k, v] of Object.entries(change)) {
      expectEqual(updated, updated.data[k], v, `the update answer's ${k}`);
      expectEqual(read, read.data[k], v, `${k} read back after the update`);
    }
    const untouched = USER_STATE_FIELDS.filter((f) => !(f in change));
    const moved = untouched.filter((f) => !sameJson(read.data[f], created.user[f]));
    if (moved.length) {
      const f = moved[0]!;
      const [was, is] = evidence(created.user[f], read.data[f], (x) => read.presenter.redact(x));
      throw new ContractViolation(`an update of name and locale also changed ${moved.join(', ')} (${f}: ${was} → ${is})`, read);
    }
  });

  check('every updatable field sent is echoed', { tag: ['@inferred', '@update'] }, async ({ given, api, inputs }) => {
    const { user } = await given.aUser();
    const change = inputs.updateBody();
    delete change.email; // covered below: e-mails come back suffixed
    const updated = await api.updateUser(user.id, change);
    expectStatus(updated, 200, 'updating every field');
    const wrong = Object.keys(change).filter((k) => !sameJson(updated.data[k], (change as Record<string, unknown>)[k]));
    if (wrong.length) {
      const k = wrong[0]!;
      const [got, sent] = evidence(updated.data[k], (change as Record<string, unknown>)[k], (x) => updated.presenter.redact(x));
      throw new ContractViolation(`update did not apply ${wrong.join(', ')} (${k}: sent ${sent}, got ${got})`, updated);
    }
  });

  check('a new e-mail is suffixed again and regenerates the username', { tag: ['@upstream', '@update'] }, async ({ given, api, inputs }) => {
    const created = await given.aUser();
    const email = inputs.email();
    const updated = await api.updateUser(created.user.id, { email });
    expectStatus(updated, 200, 'changing the e-mail');
    expectStoredEmail(updated, updated.data.email, email, api.clientId, 'the new e-mail');
    expectThat(updated, updated.data.username !== created.user.username, `the username stayed ${JSON.stringify(created.user.username)} after the e-mail changed`);
  });

  check("changing the e-mail to one another user already has is a 409, and changes nothing", { tag: ['@inferred', '@update', '@get'] }, async ({ given, api }) => {
    const [a, b] = await given.someUsers(2);
    const clash = await api.updateUser(b!.user.id, { email: a!.input.email });
    expectError(clash, 409, "changing a user's e-mail to another user's");
    const read = await api.getUserById(b!.user.id);
    expectStatus(read, 200, 'reading the user after the refused change');
    expectUnchanged(read, read.data, b!.user, 'a refused e-mail change changed the user');
  });

  check('an empty update changes nothing', { tag: ['@inferred', '@update'] }, async ({ given, api }) => {
    const created = await given.aUserWithEveryField();
    const updated = await api.updateUser(created.user.id, {});
    expectStatus(updated, 200, 'an empty update');
    expectUnchanged(updated, updated.data, created.user, 'an empty update changed the user');
  });
});
