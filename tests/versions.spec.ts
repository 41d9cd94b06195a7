import { check } from '../fixtures/harness/test';
import { expectBehaviour } from '../fixtures/harness/checks';
import { shownEmailCase, shownOwnSuffix, shownTimeFormatString, shownTimeZoneNull } from '../fixtures/contract/behaviours';
import { suffixed } from '../fixtures/contract/values';

// Version behaviours (fixtures/contract/profile.ts: BEHAVIOURS): where versions differ and the published
// document promises neither. One check each, tagged @version, asserting through the profile in force
// (CONTRACT_PROFILE): under `published` any behaviour a known version shows, under a version's profile
// exactly its own. A server error, or a behaviour no version shows, fails under every profile.

/** `local@domain` in capitals, the local part and the domain alike. */
const shout = (email: string) => email.toUpperCase();

check.describe('version behaviours', () => {
  check('timeFormat sent as "24" (a string) is rejected or coerced to 24, as the version does, on create and PATCH', { tag: ['@inferred', '@create', '@update', '@version'] }, async ({ api, given, inputs, profile }) => {
    const created = await api.createUser({ ...inputs.createBody(), timeFormat: '24' });
    expectBehaviour(created, profile, 'timeFormat-numeric-string', shownTimeFormatString(created.status, created.data?.user), 'create with timeFormat "24"');
    const { user } = await given.worker.aUser(); // changes only timeFormat, where it is coerced
    const patched = await api.updateUser(user.id, { timeFormat: '24' });
    expectBehaviour(patched, profile, 'timeFormat-numeric-string', shownTimeFormatString(patched.status, patched.data), 'PATCH with timeFormat "24"');
  });

  check('timeZone null on create is rejected or taken as absent (Europe/London, no default schedule), as the version does', { tag: ['@inferred', '@create', '@version'] }, async ({ api, inputs, profile }) => {
    const created = await api.createUser({ ...inputs.createBody(), timeZone: null });
    expectBehaviour(created, profile, 'timeZone-null-on-create', shownTimeZoneNull(created.status, created.data?.user), 'create with timeZone null');
  });

  check("an e-mail already carrying this client's suffix is suffixed again or kept, as the version does, on create and PATCH", { tag: ['@inferred', '@create', '@update', '@version'] }, async ({ api, given, inputs, profile }) => {
    const own = suffixed(inputs.email(), api.clientId);
    const created = await given.aUser({ email: own });
    expectBehaviour(created.call, profile, 'email-own-suffix', shownOwnSuffix(own, created.user.email, api.clientId), `create with the e-mail ${own}`);
    const again = suffixed(inputs.email(), api.clientId);
    const patched = await api.updateUser(created.user.id, { email: again });
    expectBehaviour(patched, profile, 'email-own-suffix', shownOwnSuffix(again, patched.data?.email, api.clientId), `PATCH to the e-mail ${again}`);
  });

  check('an upper-case e-mail is stored as the version stores e-mails: as sent or lower-cased, by the suffix rule with its own domain, on create and PATCH', { tag: ['@inferred', '@create', '@update', '@version'] }, async ({ api, given, inputs, profile }) => {
    const email = shout(inputs.email());
    const created = await given.aUser({ email });
    expectBehaviour(created.call, profile, 'email-case', shownEmailCase(email, created.user.email, api.clientId), `create with the e-mail ${email}`);
    const next = shout(inputs.email());
    const patched = await api.updateUser(created.user.id, { email: next });
    expectBehaviour(patched, profile, 'email-case', shownEmailCase(next, patched.data?.email, api.clientId), `PATCH to the e-mail ${next}`);
  });
});
