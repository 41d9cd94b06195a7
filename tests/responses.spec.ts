import { check, type Scope } from '../fixtures/harness/test';
import type { ApiCall } from '../fixtures/client/client';
import { atCall, ContractViolation } from '../fixtures/client/errors';
import { OPERATION_TAGS } from '../fixtures/contract/operations';
import { acceptedFor, describeDeviation, deviationBrief, groupDeviations } from '../fixtures/contract/deviations';

// One deviation, one finding. Every answer of every check is judged against its schema, but a field that
// breaks its schema does not fail the check that happened to receive it (it goes on with its own assertions,
// and notes the deviation). This check is where deviations are judged: it asks for every documented answer of
// the six operations (success and error, on a user with every field and one with the fewest) and fails once,
// listing each deviation it saw once, unless the profile in force (or CONTRACT_ACCEPT) accepts it with a reason.

/** Every documented answer of the six operations, each asked for once; the calls, in order. */
async function everyAnswer({ api, given, inputs }: Pick<Scope, 'api' | 'given' | 'inputs'>): Promise<ApiCall[]> {
  const noSecret = { secret: null };
  const [full, few] = await Promise.all([given.aUserWithEveryField(), given.aUser({ timeZone: undefined })]);
  const calls: ApiCall[] = [full.call, few.call];
  calls.push(
    ...(await Promise.all([
      api.createUser({ ...inputs.createBody(), email: few.input.email }), // 409
      api.createUser({ ...inputs.createBody(), timeZone: 'invalid-timezone' }), // 400
      api.createUser(inputs.createBody(), noSecret), // 401
      api.getManagedUsers({ emails: [full.input.email, few.input.email] }),
      api.getManagedUsers({ limit: 0 }),
      api.getManagedUsers({}, noSecret),
      api.getUserById(full.user.id),
      api.getUserById(full.user.id, noSecret),
    ])),
  );
  calls.push(await api.updateUser(few.user.id, inputs.updateBody()), await api.updateUser(few.user.id, { timeFormat: 100 }), await api.updateUser(few.user.id, {}, noSecret));
  calls.push(await api.forceRefresh(few.user.id), await api.forceRefresh(few.user.id, noSecret), await api.deleteUser(few.user.id, noSecret));
  calls.push(await api.deleteUser(full.user.id));
  calls.push(...(await Promise.all([api.getUserById(full.user.id), api.updateUser(full.user.id, { name: 'gone' }), api.forceRefresh(full.user.id), api.deleteUser(full.user.id)])));
  return calls;
}

/** Each deviation the check received, once, unless accepted (noted then): the check fails listing the rest. */
function expectNoOpenDeviation(calls: ApiCall[], { profile, deviations, note }: Pick<Scope, 'profile' | 'deviations' | 'note'>): void {
  const accepted = profile.accepted;
  const grouped = groupDeviations(deviations());
  for (const d of grouped) {
    const a = acceptedFor(d, accepted);
    if (a) note('accepted deviation', `${describeDeviation(d)} — accepted: ${a.reason}${a.expires ? ` (until ${a.expires})` : ''}`);
  }
  const open = grouped.filter((d) => !acceptedFor(d, accepted));
  if (!open.length) return;
  const first = calls.find((c) => c.summary === open[0]!.example.request) ?? calls[0];
  const what = open.length === 1 ? `an answer deviates from its documented schema: ${deviationBrief(open[0]!)}` : `the server's answers deviate from their documented schemas in ${open.length} ways, each listed once`;
  throw atCall(new ContractViolation(`${what} (${open.reduce((n, d) => n + d.count, 0)} responses)`, first, open.map(describeDeviation)), first);
}

check.describe('responses', () => {
  check('every documented answer matches its schema (each deviation reported once)', { tag: ['@spec', ...OPERATION_TAGS] }, async ({ api, given, inputs, profile, deviations, note }) => {
    expectNoOpenDeviation(await everyAnswer({ api, given, inputs }), { profile, deviations, note });
  });
});
