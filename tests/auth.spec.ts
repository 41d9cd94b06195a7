import { check, type Scope } from '../fixtures/harness/test';
import type { ApiCall, CallOptions } from '../fixtures/client/client';
import { expectError } from '../fixtures/harness/checks';

/** Each operation, called as the test's own client on a user the test created. */
function operations({ api, inputs }: Pick<Scope, 'api' | 'inputs'>, userId: number): [string, (o: CallOptions) => Promise<ApiCall>][] {
  return [
    ['list', (o) => api.getManagedUsers({}, o)],
    ['create', (o) => api.createUser(inputs.createBody(), o)],
    ['get', (o) => api.getUserById(userId, o)],
    ['update', (o) => api.updateUser(userId, { name: 'unauthorised' }, o)],
    ['force-refresh', (o) => api.forceRefresh(userId, o)],
    ['delete', (o) => api.deleteUser(userId, o)],
  ];
}

async function expectEveryOperationRefuses(scope: Pick<Scope, 'api' | 'inputs' | 'given'>, options: CallOptions, how: string): Promise<void> {
  // Every request is refused on a correct server: the worker's scratch user will do (a new one if a broken server deleted it).
  const { user } = await scope.given.worker.aUser();
  const ops = operations(scope, user.id);
  const answers = await Promise.all(ops.map(([, call]) => call(options)));
  answers.forEach((answer, i) => expectError(answer, 401, `${ops[i]![0]} ${how}`));
}

check.describe('auth', () => {
  check('every operation answers 401 without the secret', { tag: ['@upstream', '@list', '@create', '@get', '@update', '@delete', '@forceRefresh'] }, ({ api, inputs, given }) => expectEveryOperationRefuses({ api, inputs, given }, { secret: null }, 'without x-cal-secret-key'));

  check('every operation answers 401 to a wrong secret', { tag: ['@inferred', '@list', '@create', '@get', '@update', '@delete', '@forceRefresh'] }, ({ api, inputs, given }) => expectEveryOperationRefuses({ api, inputs, given }, { secret: `wrong-${inputs.faker.string.alphanumeric(24)}` }, 'with a wrong secret'));

  check('an unknown client id is a 401, even with a real secret', { tag: ['@inferred', '@list', '@create'] }, async ({ api, inputs }) => {
    const clientId = `cl${inputs.faker.string.alphanumeric(23).toLowerCase()}`;
    expectError(await api.getManagedUsers({}, { clientId }), 401, `list for unknown client ${clientId}`);
    expectError(await api.createUser(inputs.createBody(), { clientId }), 401, `create for unknown client ${clientId}`);
  });

  check('auth comes before validation: an invalid body without the secret is a 401', { tag: ['@inferred', '@create', '@update'] }, async ({ api, given }) => {
    const { user } = await given.worker.aUser();
    expectError(await api.createUser({ timeZone: 'invalid-timezone' }, { secret: null }), 401, 'create with an invalid body and no secret');
    expectError(await api.updateUser(user.id, { timeFormat: 100 }, { secret: null }), 401, 'update with an invalid body and no secret');
  });

  check('the list refuses a missing or wrong secret', { tag: ['@upstream', '@list', '@smoke'] }, async ({ api }) => {
    expectError(await api.getManagedUsers({}, { secret: null }), 401, 'list without x-cal-secret-key');
    expectError(await api.getManagedUsers({}, { secret: 'definitely-not-the-secret' }), 401, 'list with a wrong secret');
  });
});

check.describe('auth across clients', () => {

  check("every operation answers 401 to the other client's secret", { tag: ['@inferred', '@list', '@create', '@get', '@update', '@delete', '@forceRefresh'] }, ({ api, inputs, given, otherApi }) => expectEveryOperationRefuses({ api, inputs, given }, { secret: otherApi.credentials.secret }, "with the other client's secret"));
});
