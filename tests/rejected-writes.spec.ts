import { check } from '../fixtures/test';
import { expectError, expectStatus, expectThat, expectUnchanged } from '../fixtures/checks';

check.describe('rejected writes leave no trace', () => {
  check('a create rejected for its time zone leaves no user behind', async ({ api, inputs, users }) => {
    const input = { ...inputs.createBody({ every: true }), timeZone: 'invalid-timezone' };
    expectError(await api.createUser(input), 400, 'create with an invalid time zone');
    const found = await api.getManagedUsers({ emails: [input.email] });
    expectStatus(found, 200, 'looking the rejected e-mail up');
    for (const u of found.data) users.track(u, api); // a server that kept it must not keep it after this test
    expectThat(found, found.data.length === 0, `a rejected create still created user(s) ${found.data.map((u) => u.id).join(', ')}`);
  });

  check('a create rejected for its metadata leaves no user behind', async ({ api, inputs, users }) => {
    const input = { ...inputs.createBody(), metadata: { tooLong: 'x'.repeat(501) } };
    expectError(await api.createUser(input), 400, 'create with a 501-character metadata value');
    const found = await api.getManagedUsers({ emails: [input.email] });
    expectStatus(found, 200, 'looking the rejected e-mail up');
    for (const u of found.data) users.track(u, api); // a server that kept it must not keep it after this test
    expectThat(found, found.data.length === 0, `a rejected create still created user(s) ${found.data.map((u) => u.id).join(', ')}`);
  });

  check('an update rejected for one field changes none of the others', async ({ given, api, inputs }) => {
    const created = await given.aUserWithEveryField();
    const change = { ...inputs.updateBody(['name', 'bio', 'locale']), timeZone: 'invalid-timezone' };
    expectError(await api.updateUser(created.user.id, change), 400, 'update with valid fields and an invalid time zone');
    const read = await api.getUserById(created.user.id);
    expectStatus(read, 200, 'reading the user after the rejected update');
    expectUnchanged(read, read.data, created.user, 'a rejected update changed the user');
  });

  check('an update rejected for its metadata changes nothing', async ({ given, api, inputs }) => {
    const created = await given.aUserWithEveryField();
    const change = { ...inputs.updateBody(['name', 'weekStart']), metadata: { nested: { no: true } } };
    expectError(await api.updateUser(created.user.id, change), 400, 'update with valid fields and nested metadata');
    const read = await api.getUserById(created.user.id);
    expectStatus(read, 200, 'reading the user after the rejected update');
    expectUnchanged(read, read.data, created.user, 'a rejected update changed the user');
  });
});
