import { check } from '../fixtures/harness/test';
import { evidence, expectEqual, expectStatus, expectThat, sameJson, expectStoredEmail } from '../fixtures/harness/checks';
import { describe } from '../fixtures/contract/validator';
import { DEFAULT_TIME_ZONE } from '../fixtures/contract/inputs';
import { ContractViolation } from '../fixtures/client/errors';
import {
  expectAccessExpiry,
  expectDistinctTokens,
  expectExpiryClaims,
  expectJwtTypes,
  expectOwnerClaims,
  expectRefreshExpiry,
} from '../fixtures/harness/tokens';

check.describe('create', () => {
  check('every optional field sent is echoed in the created user', { tag: ['@upstream', '@create'] }, async ({ api, inputs, validator }) => {
    const input = inputs.createBody({ every: true });
    const created = await api.createUser(input);
    expectStatus(created, 201, 'creating a user with every optional field');
    const user = created.data.user as Record<string, unknown>;
    const declared = validator.doc.definitions.ManagedUserOutput?.properties ?? user;
    const echoed = Object.keys(input).filter((k) => k !== 'email' && k in declared);
    const wrong = echoed.filter((k) => !sameJson(user[k], input[k]));
    if (wrong.length) {
      const k = wrong[0]!;
      const [got, sent] = evidence(user[k], input[k], (t) => created.presenter.redact(t));
      throw new ContractViolation(`create did not echo ${wrong.join(', ')} (${k}: sent ${sent}, got ${got})`, created);
    }
  });

  check('a time zone in any letter case is stored in its canonical spelling', { tag: ['@inferred', '@create', '@get'] }, async ({ given, api }) => {
    const created = await given.aUser({ timeZone: 'america/new_york' });
    expectEqual(created.call, created.user.timeZone, 'America/New_York', 'timeZone "america/new_york" is normalised');
    const read = await api.getUserById(created.user.id);
    expectEqual(read, read.data.timeZone, 'America/New_York', 'the normalised time zone is what is stored');
  });

  check('without a time zone the user gets Europe/London and no default schedule', { tag: ['@inferred', '@create'] }, async ({ given }) => {
    const created = await given.aUser({ timeZone: undefined });
    expectEqual(created.call, created.user.timeZone, DEFAULT_TIME_ZONE, 'the default time zone');
    expectEqual(created.call, created.user.defaultScheduleId, null, 'defaultScheduleId of a user created without a time zone');
  });

  check('with a time zone the user gets a default schedule', { tag: ['@inferred', '@create'] }, async ({ given, inputs }) => {
    const created = await given.aUser({ timeZone: inputs.value('timeZone', {}) });
    expectThat(created.call, Number.isInteger(created.user.defaultScheduleId), `a user created with a time zone has an integer defaultScheduleId (got ${describe(created.user.defaultScheduleId)})`);
  });

  check('the stored e-mail is the raw one with +<clientId> before the @', { tag: ['@upstream', '@create'] }, async ({ given, api }) => {
    const created = await given.shared.aUser();
    expectStoredEmail(created.call, created.user.email, created.input.email, api.clientId, 'the e-mail of the created user');
  });

  check('the username is derived from the suffixed e-mail', { tag: ['@upstream', '@create'] }, async ({ given, api }) => {
    const created = await given.shared.aUser();
    const username = String(created.user.username ?? '').toLowerCase();
    const domain = created.input.email.split('@')[1]!.split('.')[0]!;
    expectThat(created.call, username.includes(api.clientId.toLowerCase()) && username.includes(domain), `the username ${describe(created.user.username)} contains neither the client id nor the e-mail's domain name`);
  });

  check('unknown input properties are ignored: 201, and not echoed', { tag: ['@inferred', '@create'] }, async ({ api, inputs }) => {
    const probe = `contractProbe${inputs.faker.string.alpha(6)}`;
    const input = { ...inputs.createBody(), [probe]: 'x', isPlatformAdmin: true, role: 'ADMIN' };
    const created = await api.createUser(input);
    expectStatus(created, 201, 'creating a user with unknown properties');
    const echoed = [probe, 'isPlatformAdmin', 'role'].filter((k) => k in created.data.user);
    expectThat(created, echoed.length === 0, `create echoed the unknown input properties ${echoed.join(', ')}`);
  });

  check('a created user reads back exactly as the create answer showed it', { tag: ['@inferred', '@create', '@get'] }, async ({ given, api }) => {
    const created = await given.aUserWithEveryField();
    const read = await api.getUserById(created.user.id);
    expectStatus(read, 200, 'reading the user just created');
    const differs = Object.keys(created.user).filter((k) => !sameJson(read.data[k], created.user[k]));
    expectThat(read, differs.length === 0, `the user read back differs from the create answer in ${differs.join(', ')}`);
  });
});

check.describe('create: tokens', () => {
  check('both tokens are JWTs typed access_token and refresh_token', { tag: ['@upstream', '@create'] }, async ({ given }) => {
    const c = await given.shared.aUser(); // the create answer is only read
    expectJwtTypes(c.call, c);
  });

  check('both tokens name the OAuth client and the new user', { tag: ['@upstream', '@create'] }, async ({ given, api }) => {
    const c = await given.shared.aUser(); // the create answer is only read
    expectOwnerClaims(c.call, c, api.clientId, c.user.id);
  });

  check("each token's expiresAt claim equals the expiry in the response", { tag: ['@upstream', '@create'] }, async ({ given }) => {
    const c = await given.shared.aUser(); // the create answer is only read
    expectExpiryClaims(c.call, c);
  });

  check('the access token expires in about 60 minutes (epoch milliseconds)', { tag: ['@inferred', '@create'] }, async ({ given }) => {
    const c = await given.shared.aUser(); // the create answer is only read
    expectAccessExpiry(c.call, c);
  });

  check('the refresh token expires in about one year (epoch milliseconds)', { tag: ['@inferred', '@create'] }, async ({ given }) => {
    const c = await given.shared.aUser(); // the create answer is only read
    expectRefreshExpiry(c.call, c);
  });

  check('the access and refresh tokens differ', { tag: ['@inferred', '@create'] }, async ({ given }) => {
    const c = await given.shared.aUser(); // the create answer is only read
    expectDistinctTokens(c.call, c);
  });
});
