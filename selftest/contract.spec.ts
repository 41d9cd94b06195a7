/**
 * The contract document reader (fixtures/contract/openapi.ts) and the validator
 * (fixtures/contract/validator.ts): schema normalisation, document checks, how
 * responses are judged, and that failure text never carries a secret.
 * Plain unit tests: no server, no browser, no run settings.
 */
import { test, expect } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { OPERATION_IDS, SpecError, normaliseSchema, parseContractDocument, type OperationId } from '../fixtures/contract/openapi';
import { ContractValidator, describe as describeWith, formatErrors, type ResponseFacts } from '../fixtures/contract/validator';
import { Redactor } from '../fixtures/settings/redact';

const ROOT = resolve(__dirname, '..');
const CONTRACT_FILE = join(ROOT, 'schemas', 'managed-users.openapi.json');
const PUBLISHED = resolve(ROOT, '..', 'shared', 'reference', 'calcom-api-v2-openapi.json');
const NO_PUBLISHED = 'the shared reference data (../shared/reference) is not present in this clone';

const contractText = readFileSync(CONTRACT_FILE, 'utf8');
const contractJson = JSON.parse(contractText);
const contract = parseContractDocument(contractText, 'contract.json');

const JSON_CT = 'application/json; charset=utf-8';
const op = (name: string) => `OAuthClientUsersController_${name}` as OperationId;
const CREATE = op('createUser');
const DELETE = op('deleteUser');
const GET = op('getUserById');

/** Expect `fn` to throw a SpecError with a one-line message matching every pattern. */
function specError(fn: () => unknown, ...patterns: RegExp[]): string {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SpecError);
  const message = (error as Error).message;
  expect(message, 'a SpecError message is one line').not.toContain('\n');
  for (const p of patterns) expect(message).toMatch(p);
  return message;
}

function variantText(mutate: (doc: any) => void): string {
  const doc = structuredClone(contractJson);
  mutate(doc);
  return JSON.stringify(doc);
}

// ── bodies ──────────────────────────────────────────────────────────────

function user(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 17,
    email: 'ctr-0t5abcd123-abc1-ann+clsx38nbl0001vkhlwin9fmt0@example.com',
    username: 'ctr-0t5abcd123-abc1-ann-clsx38nbl0001vkhlwin9fmt0-example-com',
    name: 'Ann Example',
    bio: null,
    timeZone: 'America/New_York',
    weekStart: 'Sunday',
    createdDate: '2024-04-01T00:00:00.000Z',
    timeFormat: 12,
    defaultScheduleId: 3,
    locale: 'fr',
    avatarUrl: null,
    metadata: { plan: 'gold', seats: 3, beta: true },
    ...overrides,
  };
}

function createdBody(userOverrides: Record<string, unknown> = {}, dataOverrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: 'success',
    data: {
      accessToken: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXBlIjoiYWNjZXNzX3Rva2VuIn0.c2lnbmF0dXJl',
      refreshToken: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXBlIjoicmVmcmVzaF90b2tlbiJ9.c2lnbmF0dXJl',
      accessTokenExpiresAt: 1711933200000,
      refreshTokenExpiresAt: 1743465600000,
      user: user(userOverrides),
      ...dataOverrides,
    },
  };
}

function envelope(code: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: 'error',
    timestamp: '2024-04-01T00:00:00.000Z',
    path: '/v2/oauth-clients/clsx38nbl0001vkhlwin9fmt0/users',
    error: { code, message: 'some text', details: {} },
    ...overrides,
  };
}

/** Response facts; pass null for "no Content-Type header". */
/** One validator for the whole file (compiling costs ~100 ms). */
const validator = new ContractValidator(contract);

const facts = (status: number, body: unknown, contentType: string | null = JSON_CT): ResponseFacts => ({
  status,
  contentType: contentType ?? undefined,
  text: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
});

// ── normaliseSchema ─────────────────────────────────────────────────────

test.describe('normaliseSchema', () => {
  const n = (schema: unknown) => normaliseSchema(schema, 'here', 'test.json');

  test('nullable with a type becomes a type array', () => {
    expect(n({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
    expect(n({ type: 'integer', nullable: true, minimum: 1 })).toEqual({ type: ['integer', 'null'], minimum: 1 });
    expect(n({ type: 'string', nullable: false })).toEqual({ type: 'string' });
  });

  test('nullable without a type (allOf, or $ref) allows null beside the schema', () => {
    expect(n({ allOf: [{ $ref: '#/components/schemas/Weekday' }], nullable: true })).toEqual({
      anyOf: [{ allOf: [{ $ref: '#/definitions/Weekday' }] }, { type: 'null' }],
    });
    expect(n({ $ref: '#/components/schemas/Weekday', nullable: true })).toEqual({
      anyOf: [{ $ref: '#/definitions/Weekday' }, { type: 'null' }],
    });
  });

  test('nullable on an enum adds null to the enum (typed and untyped)', () => {
    expect(n({ type: 'integer', enum: [12, 24], nullable: true })).toEqual({ type: ['integer', 'null'], enum: [12, 24, null] });
    expect(n({ enum: ['a', 'b'], nullable: true })).toEqual({ enum: ['a', 'b', null] });
    expect(n({ enum: ['a', null], nullable: true })).toEqual({ enum: ['a', null] });
  });

  test('$ref siblings are dropped; only nullable keeps a meaning', () => {
    expect(n({ $ref: '#/components/schemas/Locale', description: 'the locale', example: 'en' })).toEqual({ $ref: '#/definitions/Locale' });
    expect(n({ $ref: '#/components/schemas/Locale', nullable: true, description: 'd', example: 'en' })).toEqual({
      anyOf: [{ $ref: '#/definitions/Locale' }, { type: 'null' }],
    });
  });

  test('boolean exclusiveMinimum/exclusiveMaximum (3.0) become numeric bounds (draft-07)', () => {
    expect(n({ type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: true })).toEqual({
      type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 10,
    });
    expect(n({ type: 'number', minimum: 0, exclusiveMinimum: false, maximum: 10, exclusiveMaximum: false })).toEqual({
      type: 'number', minimum: 0, maximum: 10,
    });
    // Key order does not matter: the bound may come after its flag.
    expect(n({ type: 'integer', exclusiveMaximum: true, maximum: 5 })).toEqual({ type: 'integer', exclusiveMaximum: 5 });
    // Already numeric (3.1 / draft-07 style): kept as is.
    expect(n({ type: 'number', exclusiveMinimum: 1 })).toEqual({ type: 'number', exclusiveMinimum: 1 });
  });

  test('OpenAPI-only keywords are dropped, also deep inside', () => {
    const out = n({
      type: 'object',
      example: { a: 1 },
      xml: { name: 'thing' },
      discriminator: { propertyName: 'kind' },
      externalDocs: { url: 'https://example.com' },
      deprecated: true,
      'x-internal': true,
      'x-key-max-length': 40,
      properties: {
        // Property *names* that look like keywords are data, not keywords: kept.
        example: { type: 'string', example: 'x', 'x-format': 'iana-time-zone' },
        'x-id': { type: 'integer', deprecated: true, xml: { attribute: true } },
      },
    });
    expect(out).toEqual({
      type: 'object',
      properties: { example: { type: 'string' }, 'x-id': { type: 'integer' } },
    });
  });

  test('component refs are rewritten to #/definitions, everywhere a schema can be', () => {
    const out = n({
      type: 'object',
      properties: { a: { $ref: '#/components/schemas/A' } },
      additionalProperties: { $ref: '#/components/schemas/B' },
      items: { $ref: '#/components/schemas/C' },
      oneOf: [{ $ref: '#/components/schemas/D' }],
      not: { $ref: '#/components/schemas/E' },
    });
    expect(out).toEqual({
      type: 'object',
      properties: { a: { $ref: '#/definitions/A' } },
      additionalProperties: { $ref: '#/definitions/B' },
      items: { $ref: '#/definitions/C' },
      oneOf: [{ $ref: '#/definitions/D' }],
      not: { $ref: '#/definitions/E' },
    });
  });

  test('an external $ref is a one-line SpecError that says to bundle', () => {
    specError(() => n({ $ref: 'common.json#/components/schemas/User' }), /external \$ref "common\.json#\/components\/schemas\/User"/, /at here/, /bundle/);
    specError(() => n({ type: 'object', properties: { u: { $ref: 'https://example.com/s.json' } } }), /external \$ref "https:\/\/example\.com\/s\.json"/, /here\.u/);
    // …and through a whole document, naming the operation and the file.
    specError(
      () => parseContractDocument(variantText((d) => (d.components.schemas.ManagedUserOutput.properties.locale = { $ref: './locale.json' })), 'ext.json'),
      /^the contract document ext\.json uses the external \$ref "\.\/locale\.json"/,
    );
  });

  test('the normalised form of every 3.0 feature at once compiles in ajv strict mode', () => {
    const definitions = {
      Weekday: n({ type: 'string', enum: ['Monday', 'Sunday'], example: 'Monday' }),
      Thing: n({
        type: 'object',
        required: ['id'],
        'x-tag': 1,
        discriminator: { propertyName: 'kind' },
        externalDocs: { url: 'https://example.com' },
        xml: { name: 'thing' },
        deprecated: true,
        properties: {
          id: { type: 'integer', minimum: 0, exclusiveMinimum: true, example: 3 },
          ratio: { type: 'number', maximum: 1, exclusiveMaximum: true, nullable: true },
          kind: { type: 'string', enum: ['a', 'b'], nullable: true },
          loose: { enum: [1, 2], nullable: true },
          day: { $ref: '#/components/schemas/Weekday', nullable: true, description: 'ignored', example: 'Monday' },
          plain: { $ref: '#/components/schemas/Weekday', description: 'ignored' },
          composed: { allOf: [{ $ref: '#/components/schemas/Weekday' }], nullable: true },
          when: { type: 'string', format: 'date-time' },
          tags: { type: 'array', items: { type: 'string', 'x-foo': 1 } },
        },
      }),
    };
    const ajv = new Ajv({ strict: true, strictTypes: false });
    addFormats(ajv);
    const validate = ajv.compile({ $id: 'https://contract.invalid/all.json', definitions, $ref: '#/definitions/Thing' });
    const ok = { id: 1, ratio: null, kind: null, loose: null, day: null, plain: 'Sunday', composed: null, when: '2024-04-01T00:00:00Z', tags: ['x'] };
    expect(validate(ok), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...ok, id: 0 })).toBe(false); // exclusive minimum 0
    expect(validate({ ...ok, ratio: 1 })).toBe(false); // exclusive maximum 1
    expect(validate({ ...ok, ratio: 0.5, kind: 'a', loose: 2, day: 'Monday', composed: 'Sunday' })).toBe(true);
    expect(validate({ ...ok, kind: 'c' })).toBe(false);
    expect(validate({ ...ok, plain: null })).toBe(false); // not nullable
    expect(validate({ ...ok, composed: 'Tuesday' })).toBe(false);
  });
});

// ── parseContractDocument ───────────────────────────────────────────────

test.describe('parseContractDocument', () => {
  test('the committed contract has the six operations with their methods and paths', () => {
    const LIST = '/v2/oauth-clients/{clientId}/users';
    const ONE = '/v2/oauth-clients/{clientId}/users/{userId}';
    const expected: Record<string, [string, string]> = {
      [op('getManagedUsers')]: ['GET', LIST],
      [op('createUser')]: ['POST', LIST],
      [op('getUserById')]: ['GET', ONE],
      [op('updateUser')]: ['PATCH', ONE],
      [op('deleteUser')]: ['DELETE', ONE],
      [op('forceRefresh')]: ['POST', `${ONE}/force-refresh`],
    };
    expect([...contract.operations.keys()].sort()).toEqual([...OPERATION_IDS].sort());
    for (const [id, [method, path]] of Object.entries(expected)) {
      const spec = contract.operations.get(id as OperationId)!;
      expect([spec.method, spec.path], id).toEqual([method, path]);
    }
    expect(contract.operations.get(CREATE)!.requestBody?.required).toBe(true);
    expect([...contract.operations.get(DELETE)!.responses.keys()]).toEqual(['200', '400', '401', '404']);
    // Path-level parameters (via $ref) reach every operation: the secret header, the client id.
    const params = contract.operations.get(op('forceRefresh'))!.parameters.map((p) => `${p.in}:${p.name}:${p.required}`);
    expect(params.sort()).toEqual(['header:x-cal-secret-key:true', 'path:clientId:true', 'path:userId:true']);
  });

  test('a document missing an operation names it', () => {
    specError(
      () => parseContractDocument(variantText((d) => delete d.paths['/v2/oauth-clients/{clientId}/users/{userId}/force-refresh']), 'short.json'),
      /^the contract document short\.json lacks operation OAuthClientUsersController_forceRefresh: /,
    );
    specError(
      () => parseContractDocument(variantText((d) => delete d.paths['/v2/oauth-clients/{clientId}/users']), 'shorter.json'),
      /lacks operations OAuthClientUsersController_getManagedUsers, OAuthClientUsersController_createUser:/,
    );
  });

  test('not JSON: one line naming the file', () => {
    specError(() => parseContractDocument('this is not json', 'doc.txt'), /^the contract document doc\.txt is not valid JSON \(.+\): fix or replace it$/);
    specError(() => parseContractDocument('', 'empty.json'), /^the contract document empty\.json is not valid JSON/);
  });

  test('a YAML document (or any multi-line broken JSON) is still a one-line SpecError', () => {
    specError(() => parseContractDocument('# v2\nopenapi: 3.0.3\ninfo:\n  title: x\n', 'openapi.yaml'), /openapi\.yaml is not valid JSON/);
    specError(() => parseContractDocument('{\n  "openapi": x\n}', 'broken.json'), /broken\.json is not valid JSON/);
  });

  test('not OpenAPI 3.0: swagger 2.0, openapi 3.1, no version, not an object', () => {
    specError(() => parseContractDocument(JSON.stringify({ swagger: '2.0', paths: {} }), 's2.json'), /s2\.json is not OpenAPI 3\.0 \(swagger 2\.0\)/);
    specError(() => parseContractDocument(variantText((d) => (d.openapi = '3.1.0')), 'o31.json'), /o31\.json is not OpenAPI 3\.0 \(openapi 3\.1\.0\)/);
    specError(() => parseContractDocument(JSON.stringify({ info: {}, paths: {} }), 'nov.json'), /nov\.json is not OpenAPI 3\.0 \(no "openapi" field\)/);
    specError(() => parseContractDocument('[1,2]', 'arr.json'), /arr\.json is not an OpenAPI object/);
    specError(() => parseContractDocument('null', 'null.json'), /null\.json is not an OpenAPI object/);
  });

  test('no paths: says it describes no operations', () => {
    specError(() => parseContractDocument(JSON.stringify({ openapi: '3.0.3', info: { title: 't', version: '1' } }), 'np.json'), /np\.json has no "paths": it describes no operations/);
    // An empty paths object is not "no paths", but lacks all six operations.
    specError(() => parseContractDocument(JSON.stringify({ openapi: '3.0.3', paths: {} }), 'ep.json'), /ep\.json lacks operations .*OAuthClientUsersController_forceRefresh:/);
  });

  test('a broken local $ref and a $ref cycle are one-line SpecErrors', () => {
    specError(
      () => parseContractDocument(variantText((d) => (d.components.responses.OneUser = { $ref: '#/components/responses/Nope' })), 'b.json'),
      /b\.json has a broken \$ref "#\/components\/responses\/Nope"/,
    );
    specError(
      () => parseContractDocument(variantText((d) => (d.components.responses.OneUser = { $ref: '#/components/responses/OneUser' })), 'c.json'),
      /c\.json has a \$ref cycle at /,
    );
  });

  test('the published excerpt parses and its schemas compile', () => {
    test.skip(!existsSync(PUBLISHED), NO_PUBLISHED);
    const doc = parseContractDocument(readFileSync(PUBLISHED, 'utf8'), PUBLISHED);
    expect([...doc.operations.keys()].sort()).toEqual([...OPERATION_IDS].sort());
    expect(doc.operations.get(op('forceRefresh'))!.method).toBe('POST');
    expect(doc.operations.get(op('updateUser'))!.method).toBe('PATCH');
    // `example` was dropped, nullable became a type array.
    expect(doc.definitions.ManagedUserOutput!.properties.username).toEqual({ type: ['string', 'null'] });
    expect(() => new ContractValidator(doc).compileAll()).not.toThrow();
  });
});

// ── ContractValidator.judge ─────────────────────────────────────────────

test.describe('ContractValidator.judge on the committed contract', () => {

  test('a correct 201 create body passes, nothing undocumented', () => {
    const j = validator.judge(CREATE, facts(201, createdBody()));
    expect(j).toMatchObject({ violations: [], undocumented: [], documentedAs: '201' });
    expect((j.body as any).data.user.id).toBe(17);
  });

  test('an undocumented success status is one violation naming the documented statuses', () => {
    expect(validator.judge(CREATE, facts(200, createdBody())).violations).toEqual([
      'answered 200, which the contract does not document for OAuthClientUsersController_createUser (documented: 201, 400, 401, 409)',
    ]);
    expect(validator.judge(op('forceRefresh'), facts(201, { status: 'success', data: {} })).violations).toEqual([
      'answered 201, which the contract does not document for OAuthClientUsersController_forceRefresh (documented: 200, 400, 401, 404)',
    ]);
  });

  test('an undocumented 403 (with a well-formed envelope) is one violation', () => {
    expect(validator.judge(GET, facts(403, envelope('ForbiddenException'))).violations).toEqual([
      'answered 403, which the contract does not document for OAuthClientUsersController_getUserById (documented: 200, 400, 401, 404)',
    ]);
  });

  test('DELETE answering 204 No Content is one violation naming the documented statuses', () => {
    expect(validator.judge(DELETE, facts(204, undefined, null)).violations).toEqual([
      'answered 204, which the contract does not document for OAuthClientUsersController_deleteUser (documented: 200, 400, 401, 404)',
    ]);
  });

  test('a 5xx is always a violation', () => {
    const j = validator.judge(GET, facts(500, envelope('InternalServerErrorException')));
    expect(j.violations).toEqual(['answered 500: a server error is never part of the contract (documented: 200, 400, 401, 404)']);
    expect(validator.judge(GET, facts(503, '<html>down</html>', 'text/html')).violations[0]).toMatch(/^answered 503: a server error/);
  });

  test('a JSON body with a non-JSON content type is a violation; +json types are fine', () => {
    expect(validator.judge(CREATE, facts(201, createdBody(), 'text/plain')).violations).toEqual(['Content-Type is "text/plain", not application/json']);
    expect(validator.judge(CREATE, facts(201, createdBody(), null)).violations).toEqual(['Content-Type is "(none)", not application/json']);
    expect(validator.judge(CREATE, facts(201, createdBody(), 'application/vnd.cal+json')).violations).toEqual([]);
    expect(validator.judge(CREATE, facts(201, createdBody(), 'Application/JSON')).violations).toEqual([]);
  });

  test('an empty body where JSON is documented is a violation; a non-JSON body too', () => {
    expect(validator.judge(GET, facts(200, '')).violations).toEqual(['the body is empty, where a JSON body is documented']);
    expect(validator.judge(GET, facts(200, '{"status":')).violations).toEqual(['the body is not JSON: "{\\"status\\":"']);
  });

  test('schema errors: every violation, each with its JSON pointer', () => {
    const body = createdBody(
      { id: '17', email: undefined, timeZone: '', weekStart: 3, timeFormat: 13, locale: 'xx', createdDate: 'yesterday' },
      { accessTokenExpiresAt: 'soon' },
    );
    delete (body.data as any).user.email;
    delete (body.data as any).refreshToken;
    const { violations } = validator.judge(CREATE, facts(201, body));
    expect(violations.sort()).toEqual([
      '/data/accessTokenExpiresAt must be integer, got "soon" (a string)',
      '/data/refreshToken is required but missing',
      '/data/user/createdDate must match format "date-time", got "yesterday"',
      '/data/user/email is required but missing',
      '/data/user/id must be integer, got "17" (a string)',
      `/data/user/locale must be one of ${JSON.stringify(contractJson.components.schemas.Locale.enum)}, got "xx"`,
      '/data/user/timeFormat must be one of [12,24,null], got 13',
      '/data/user/timeZone must NOT have fewer than 1 characters',
      '/data/user/weekStart must be string, got 3 (a number)',
    ]);
  });

  test('a wrong envelope at the root is reported against the root', () => {
    expect(validator.judge(GET, facts(200, { data: user() })).violations).toEqual(['/status is required but missing']);
    expect(validator.judge(GET, facts(200, [])).violations).toEqual(['/ must be object, got an array of 0']);
  });

  test('an undocumented harmless field is reported, not a violation — unless strict', () => {
    const body = createdBody({ nickname: 'annie', theme: { dark: true } }, { scope: 'users' });
    const j = validator.judge(CREATE, facts(201, body));
    expect(j.violations).toEqual([]);
    expect(j.undocumented.sort()).toEqual(['/data/scope', '/data/user/nickname', '/data/user/theme']);

    const strict = new ContractValidator(contract, true);
    const s = strict.judge(CREATE, facts(201, body));
    expect(s.violations.sort()).toEqual([
      '/data/scope is not documented (CONTRACT_STRICT=1 forbids undocumented fields)',
      '/data/user/nickname is not documented (CONTRACT_STRICT=1 forbids undocumented fields)',
      '/data/user/theme is not documented (CONTRACT_STRICT=1 forbids undocumented fields)',
    ]);
    // Metadata is free-form: its keys are the user's, never "undocumented".
    expect(strict.judge(CREATE, facts(201, createdBody({ metadata: { anything: 'goes' } }))).violations).toEqual([]);
  });

  test('an undocumented sensitive-looking field is always a violation', () => {
    for (const name of ['password', 'passwordHash', 'apiKey', 'secret', 'refresh_token']) {
      const j = validator.judge(CREATE, facts(201, createdBody({ [name]: 'x' })));
      expect(j.violations, name).toEqual([
        `/data/user/${name} is an undocumented field whose name looks sensitive ("${name}"): it must never be sent`,
      ]);
      expect(j.undocumented, name).toEqual([]);
    }
    // Also in a list, at any index.
    const list = validator.judge(op('getManagedUsers'), facts(200, { status: 'success', data: [user(), user({ id: 18, twoFactorSecret: 's' })] }));
    expect(list.violations).toEqual(['/data/1/twoFactorSecret is an undocumented field whose name looks sensitive ("twoFactorSecret"): it must never be sent']);
  });

  test('harmless names that merely contain a sensitive substring are only "undocumented"', () => {
    for (const name of ['footprint', 'notPublished', 'bypassConfirmation', 'hashtags']) {
      const j = validator.judge(CREATE, facts(201, createdBody({ [name]: 1 })));
      expect(j.violations, name).toEqual([]);
      expect(j.undocumented, name).toEqual([`/data/user/${name}`]);
    }
  });

  test('error statuses are validated against the envelope, and error.code must fit the status', () => {
    expect(validator.judge(CREATE, facts(409, envelope('ConflictException'))).violations).toEqual([]);
    expect(validator.judge(CREATE, facts(409, envelope('CONFLICT', { error: { code: 'CONFLICT', message: 'db' } }))).violations).toEqual([]);
    expect(validator.judge(CREATE, facts(401, envelope('NotFoundException'))).violations).toEqual([
      '/error/code must be one of ["UnauthorizedException"], got "NotFoundException"',
    ]);
    expect(validator.judge(GET, facts(404, { message: 'Not Found', statusCode: 404 })).violations.sort()).toEqual([
      '/error is required but missing',
      '/path is required but missing',
      '/status is required but missing',
      '/timestamp is required but missing',
    ]);
    expect(validator.judge(CREATE, facts(400, envelope('BadRequestException', { timestamp: 'now' }))).violations).toEqual([
      '/timestamp must match format "date-time", got "now"',
    ]);
  });

  test('compileAll compiles each schema once: judging never asks ajv again', () => {
    const v = new ContractValidator(contract);
    const ajv = (v as any).ajv as Ajv;
    const original = ajv.getSchema.bind(ajv);
    const asked: string[] = [];
    ajv.getSchema = ((ref: string) => {
      asked.push(ref);
      return original(ref);
    }) as Ajv['getSchema'];
    v.compileAll();
    const documented = [...contract.operations.values()].reduce((n, o) => n + [...o.responses.values()].filter((r) => r.schema).length, 0);
    expect(asked).toHaveLength(documented + 1); // + the fallback error envelope
    expect(new Set(asked).size).toBe(asked.length);
    const t0 = performance.now();
    const ok = facts(201, createdBody());
    const bad = facts(401, envelope('UnauthorizedException'));
    let violations = 0;
    for (let i = 0; i < 250; i++) violations += v.judge(CREATE, ok).violations.length + v.judge(CREATE, bad).violations.length;
    expect(violations).toBe(0);
    expect(asked).toHaveLength(documented + 1);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

test.describe('ContractValidator.judge on the published excerpt (which documents no 4xx)', () => {
  test('a 401 with the facts\' envelope passes; a 401 without it fails', () => {
    test.skip(!existsSync(PUBLISHED), NO_PUBLISHED);
    const v = new ContractValidator(parseContractDocument(readFileSync(PUBLISHED, 'utf8'), 'published.json'));
    v.compileAll();
    const good = v.judge(CREATE, facts(401, envelope('UnauthorizedException')));
    expect(good.violations).toEqual([]);
    expect(good.documentedAs).toBeNull();
    const nest = v.judge(CREATE, facts(401, { message: 'Unauthorized', statusCode: 401 }));
    expect(nest.violations.sort()).toEqual([
      '/error is required but missing',
      '/path is required but missing',
      '/status is required but missing',
      '/timestamp is required but missing',
    ]);
    // Statuses it does document still apply; an undocumented 2xx still fails.
    expect(v.judge(CREATE, facts(201, createdBody())).violations).toEqual([]);
    expect(v.judge(DELETE, facts(204, '', null)).violations[0]).toMatch(/^answered 204, which the contract does not document .*\(documented: 200\)$/);
    expect(v.judge(GET, facts(500, envelope('X'))).violations).toEqual(['answered 500: a server error is never part of the contract (documented: 200)']);
  });
});

// ── secrets in failure text ────────────────────────────────────────────

test.describe('describe() and formatErrors() never show a token or a registered secret', () => {
  const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXBlIjoiYWNjZXNzX3Rva2VuIiwiY2xpZW50SWQiOiJjMSIsIm93bmVySWQiOjF9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
  const SHORT_SECRET = 'shh-0123456789abcdef-shh'; // 24 chars: never truncated
  const LONG_SECRET = `ls-${'0a1b2c3d4e5f6789'.repeat(4)}`; // 67 chars: longer than describe's cut
  const redactor = new Redactor([SHORT_SECRET, LONG_SECRET]);
  const redact = (text: string) => redactor.redact(text);
  const describeValue = (value: unknown) => describeWith(value, redact);

  test('describe: JWTs and short registered secrets are redacted', () => {
    expect(describeValue(JWT)).not.toMatch(/eyJhbGci/);
    expect(describeValue(`Bearer ${JWT.slice(0, 50)}.x.y`)).not.toContain('eyJ');
    expect(describeValue(SHORT_SECRET)).toBe('"<redacted>"');
    expect(describeValue(`${SHORT_SECRET}!`)).toBe('"<redacted>!"');
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue([1, 2])).toBe('an array of 2');
    expect(describeValue({ secret: SHORT_SECRET })).toBe('an object');
  });

  test('describe: a long registered secret is not printed, not even its beginning', () => {
    const shown = describeValue(LONG_SECRET);
    expect(shown).not.toContain(LONG_SECRET.slice(0, 16));
  });

  test('formatErrors: type/enum/format errors show redacted values', () => {
    const v = validator;
    const body = createdBody({ id: JWT, locale: SHORT_SECRET, createdDate: SHORT_SECRET }, { accessTokenExpiresAt: JWT });
    const { violations } = v.judge(CREATE, facts(201, body), redact);
    expect(violations).toHaveLength(4);
    const text = violations.join('\n');
    expect(text).not.toContain('eyJhbGci');
    expect(text).not.toContain(SHORT_SECRET);
    expect(text).toContain('/data/user/id must be integer, got "<redacted-jwt>');
    expect(text).toContain('/data/user/createdDate must match format "date-time", got "<redacted>"');
    // formatErrors directly, with a hand-made ajv error.
    const lines = formatErrors([{ instancePath: '/a', schemaPath: '#/type', keyword: 'type', params: { type: 'integer' }, message: 'must be integer' }], { a: SHORT_SECRET }, redact);
    expect(lines).toEqual(['/a must be integer, got "<redacted>" (a string)']);
  });

  test('a non-JSON body that echoes a long registered secret does not leak it', () => {
    const v = validator;
    const page = `<html><body>bad request; you sent the key ${LONG_SECRET}</body></html>`;
    const { violations } = v.judge(GET, facts(200, page, 'text/html'), redact);
    expect(violations.join('\n')).not.toContain(LONG_SECRET.slice(0, 16));
  });

  test('a message composed with a long secret cut short shows no beginning of it', () => {
    const cut = `got "${LONG_SECRET.slice(0, 57)}..." and "${LONG_SECRET.slice(0, 30)}…"`;
    expect(redactor.redact(cut)).toBe('got "<redacted>..." and "<redacted>…"');
  });
});
