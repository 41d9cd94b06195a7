import { check, type Scope } from '../fixtures/harness/test';
import type { ApiCall } from '../fixtures/client/client';
import { ERROR_CODES, expectEqual, expectError, expectStatus, expectThat, expectStoredEmail } from '../fixtures/harness/checks';
import { expectValidationError, malformedEmail } from '../fixtures/harness/rule-cases';
import { DEFAULT_TIME_ZONE } from '../fixtures/contract/inputs';
import { describe } from '../fixtures/contract/validator';
import { acceptance } from '../fixtures/contract/profile';

// Rules the contract states and the document cannot: an accepted e-mail stored by the suffix rule, the
// defaults a shared server lets us observe without assuming totals or order, and the error envelope.
// What versions do differently (a numeric timeFormat string, timeZone null, e-mail case) is not here:
// tests/versions.spec.ts. Each check records the rule sides it exercises (fixtures/report/rule-coverage.ts).

/** Users the run's other checks may remove between two lists of one check (two workers, one delete in flight each). */
const CHURN = 2;

/** Postgres' largest int: a valid id that no user of a real deployment has. */
const UNUSED_ID = 2147483647;

check.describe('facts: e-mails', () => {
  check('an e-mail the server accepts is stored by the suffix rule with its own domain, well-formed or not; one it refuses is a 400 in the documented envelope [create.email.stored]', { tag: ['@inferred', '@create'] }, async ({ api, inputs, sides, profile, note }) => {
    sides([['create.email.stored', 'holds']]);
    // A malformed address (".." in the local part, a domain without a dot) may be refused or not (the document gives
    // no format; a refusal is a 400 in the documented envelope); a subdomain is kept.
    for (const email of [malformedEmail(inputs.email()), inputs.email().replace(/@.*$/, '@localhost'), inputs.email().replace('@', '@mail.')]) {
      const created = await api.createUser({ ...inputs.createBody(), email });
      if (created.status === 400) {
        const code = created.error?.code;
        const accepted = acceptance(profile, { in: 'response', operation: 'create', pointer: '/error/code', kind: 'enum' });
        if (accepted && code !== undefined && !ERROR_CODES[400]!.includes(code)) note('accepted deviation', `create refused ${email} with error.code ${describe(code)}: ${accepted.reason}`);
        else expectError(created, 400, `create refusing the e-mail ${email}`);
        continue;
      }
      expectStatus(created, 201, `create with the e-mail ${email}`);
      expectStoredEmail(created, created.data.user.email, email, api.clientId, `the e-mail created as ${email}`);
    }
  });
});

check.describe('facts: defaults', () => {
  check('a user created without timeZone has Europe/London [create.timeZone.default]', { tag: ['@spec', '@create'] }, async ({ given, sides }) => {
    sides([['create.timeZone.default', 'holds']]);
    const without = await given.aUser({ timeZone: undefined });
    expectEqual(without.call, without.user.timeZone, DEFAULT_TIME_ZONE, 'the time zone of a user created without timeZone');
  });

  check('a user created without a time zone has no default schedule (defaultScheduleId null) [create.defaultScheduleId.default]', { tag: ['@spec', '@create'] }, async ({ given, sides }) => {
    sides([['create.defaultScheduleId.default', 'holds']]);
    const created = await given.aUser({ timeZone: undefined });
    expectEqual(created.call, created.user.defaultScheduleId, null, 'defaultScheduleId of a user created without a time zone');
  });

  check('a user created without weekStart starts the week on Sunday [create.weekStart.default]', { tag: ['@inferred', '@create'] }, async ({ given, sides }) => {
    sides([['create.weekStart.default', 'holds']]);
    const created = await given.aUser({ weekStart: undefined });
    expectEqual(created.call, created.user.weekStart, 'Sunday', 'weekStart of a user created without one');
  });

  check('a user created without timeFormat has the 12-hour format [create.timeFormat.default]', { tag: ['@inferred', '@create'] }, async ({ given, sides }) => {
    sides([['create.timeFormat.default', 'holds']]);
    const created = await given.aUser({ timeFormat: undefined });
    expectEqual(created.call, created.user.timeFormat, 12, 'timeFormat of a user created without one');
  });

  check('without limit, a page holds 50 users when the client has more, and all of them when it has fewer [list.limit.default]', { tag: ['@inferred', '@list'] }, async ({ api, sides, note }) => {
    sides([['list.limit.default', 'holds']]);
    // The users that exist anyway (other people's, and this run's): how many there are is read, never assumed. Counted
    // before and after the page, so users that come and go meanwhile (other checks, other people) cannot fake a short page.
    const before = await api.getManagedUsers({ limit: 250 });
    const page = await api.getManagedUsers({});
    const after = await api.getManagedUsers({ limit: 250 });
    for (const c of [before, page, after]) expectStatus(c, 200, 'listing the client\'s users');
    const least = Math.min(before.data.length, after.data.length);
    expectThat(page, page.data.length <= 50, `without limit, a page held ${page.data.length} users, more than the default of 50`);
    expectThat(page, page.data.length >= Math.min(50, least) - CHURN, `without limit, a page held ${page.data.length} users, though the client had at least ${least} (limit=250): the default is 50`);
    if (least < 50) note('observation', `the client had only ${least} users: the default of 50 showed only as "all of them"`);
  });

  check('without offset, a page starts at the first matching user [list.offset.default]', { tag: ['@inferred', '@list'] }, async ({ given, api, sides }) => {
    sides([['list.offset.default', 'holds']]);
    const mine = await given.aUser();
    const page = await api.getManagedUsers({ emails: [mine.input.email] });
    expectStatus(page, 200, 'listing one of our users by e-mail without offset');
    expectThat(page, page.data.length === 1 && page.data[0]!.id === mine.user.id, `without offset, emails=<user ${mine.user.id}> returned ${page.data.map((u) => u.id).join(', ') || 'nothing'}`);
  });
});

/** One answer of each kind of 4xx the API gives, labelled. */
async function errorAnswers({ api, given, inputs }: Pick<Scope, 'api' | 'given' | 'inputs'>): Promise<{ what: string; status: number; validation: boolean; call: ApiCall }[]> {
  // Every request here is refused (a PATCH with an invalid timeFormat, a create with a taken e-mail): the worker's read-only user will do.
  const mine = await given.shared.aUser();
  const [create400, patch400, list400, list401, get404, create409] = await Promise.all([
    api.createUser({ ...inputs.createBody(), timeZone: 'invalid-timezone' }),
    api.updateUser(mine.user.id, { timeFormat: 100 }),
    api.getManagedUsers({ limit: '0' }),
    api.getManagedUsers({}, { secret: null }),
    api.getUserById(UNUSED_ID),
    api.createUser({ ...inputs.createBody(), email: mine.input.email }),
  ]);
  return [
    { what: 'create with an invalid time zone', status: 400, validation: true, call: create400 },
    { what: 'PATCH with timeFormat 100', status: 400, validation: true, call: patch400 },
    { what: 'list with limit=0', status: 400, validation: false, call: list400 },
    { what: 'list without the secret', status: 401, validation: false, call: list401 },
    { what: `GET user ${UNUSED_ID}`, status: 404, validation: false, call: get404 },
    { what: 'create with a taken e-mail', status: 409, validation: false, call: create409 },
  ];
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

// One set of refused requests serves every part of the envelope (six requests, not six per part): a part a server
// breaks fails this check with the part's name and the answer that broke it.
check.describe('facts: the error envelope', () => {
  check('every 4xx body carries the envelope: status "error", an ISO-8601 timestamp, the request path, error.code naming the exception, a non-empty error.message, and for a validation 400 error.details.errors [response.error.*]', { tag: ['@inferred', '@list', '@create', '@get', '@update'] }, async ({ api, given, inputs, sides, target }) => {
    sides([['response.error.status', 'holds'], ['response.error.timestamp', 'holds'], ['response.error.path', 'holds'], ['response.error.code', 'holds'], ['response.error.message', 'holds'], ['response.error.details.errors', 'holds']]);
    // A server behind a proxy may see the path without the deployment's prefix: both are the request's path.
    const prefix = new URL(target.baseUrl).pathname.replace(/\/+$/, '');
    for (const a of await errorAnswers({ api, given, inputs })) {
      expectStatus(a.call, a.status, a.what);
      expectEqual(a.call, a.call.body?.status, 'error', `${a.what}: the envelope's status`);
      const t: unknown = a.call.body?.timestamp;
      expectThat(a.call, typeof t === 'string' && ISO_8601.test(t) && Number.isFinite(Date.parse(t)), `${a.what}: the envelope's timestamp ${describe(t)} is not an ISO-8601 date-time`);
      const sent = new URL(a.call.sent.url);
      const path = String(a.call.body?.path ?? '');
      const [pathname = '', query] = path.split('?');
      const samePath = (pathname === sent.pathname || (prefix !== '' && `${prefix}${pathname}` === sent.pathname)) && (query === undefined || `?${query}` === sent.search);
      expectThat(a.call, samePath, `${a.what}: the envelope's path ${describe(path)} is not the request path ${sent.pathname}${sent.search}`);
      expectError(a.call, a.status, a.what);
      const m: unknown = a.call.error?.message;
      expectThat(a.call, typeof m === 'string' && m.trim().length > 0, `${a.what}: error.message is ${describe(m)}`);
      if (a.validation) expectValidationError(a.call, a.what);
    }
  });
});
