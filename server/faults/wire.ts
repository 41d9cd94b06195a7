/** Faults of the answer's form: status codes, the user object, envelopes, content types. */
import { randomBytes } from 'node:crypto';
import type { UserRecord } from '../store';
import { type FaultDef, renameKey, withStatus } from './fault';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
};
const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function fakeBcrypt(): string {
  let s = '$2b$10$';
  for (const b of randomBytes(53)) s += BCRYPT_ALPHABET[b & 63];
  return s;
}

export const WIRE_FAULTS = [
  // ── status codes ──────────────────────────────────────────────────────────
  {
    id: 'create-200', operation: 'create', kind: 'status', description: 'Create answers 200 instead of 201.',
    patch: (s) => ({ create: (ctx, body) => withStatus(s.create(ctx, body), 200) }),
  },
  {
    id: 'refresh-201', operation: 'refresh', kind: 'status', description: 'Force-refresh answers 201 instead of 200.',
    patch: (s) => ({ refresh: (ctx, id) => withStatus(s.refresh(ctx, id), 201) }),
  },
  {
    id: 'delete-204', operation: 'delete', kind: 'status', description: 'Delete answers 204 with an empty body (the user is still deleted).',
    patch: (s) => ({
      delete(ctx, id) {
        const a = s.delete(ctx, id);
        return a.kind === 'success' ? { kind: 'empty', status: 204 } : a;
      },
    }),
  },

  // ── body shape ────────────────────────────────────────────────────────────
  {
    id: 'user-id-string', operation: 'all', kind: 'body-shape', description: 'user.id is serialised as a string in every user object.',
    patch: (s) => ({ userObject: (rec) => ({ ...s.userObject(rec), id: String(rec.id) }) }),
  },
  {
    id: 'user-missing-createdDate', operation: 'all', kind: 'body-shape', description: 'User objects lack createdDate.',
    patch: (s) => ({ userObject: (rec) => ({ ...s.userObject(rec), createdDate: undefined }) }),
  },
  {
    id: 'user-timezone-renamed', operation: 'all', kind: 'body-shape', description: 'User objects carry `timezone` instead of `timeZone`.',
    patch: (s) => ({ userObject: (rec) => renameKey(s.userObject(rec), 'timeZone', 'timezone') }),
  },
  {
    id: 'user-email-null', operation: 'all', kind: 'body-shape', description: 'User objects carry email: null.',
    patch: (s) => ({ userObject: (rec) => ({ ...s.userObject(rec), email: null }) }),
  },
  {
    id: 'user-timeformat-string', operation: 'all', kind: 'body-shape', description: 'timeFormat is serialised as a string ("12").',
    patch: (s) => ({ userObject: (rec) => ({ ...s.userObject(rec), timeFormat: rec.timeFormat === null ? null : String(rec.timeFormat) }) }),
  },
  {
    id: 'list-data-object', operation: 'list', kind: 'body-shape', description: 'List data is an object { users: [...] } instead of an array.',
    patch: (s) => ({
      list(ctx, rawQuery) {
        const a = s.list(ctx, rawQuery);
        return a.kind === 'success' ? { ...a, data: `{"users":${a.data}}` } : a;
      },
    }),
  },
  {
    id: 'expiry-seconds', operation: 'all', kind: 'body-shape', description: 'Token expiries (create and refresh) are epoch seconds; the JWT expiresAt claims use seconds too, so they still match.',
    patch: (s) => ({
      expiries(now) {
        const e = s.expiries(now);
        return { access: Math.floor(e.access / 1000), refresh: Math.floor(e.refresh / 1000) };
      },
    }),
  },
  {
    id: 'refresh-missing-refresh-expiry', operation: 'refresh', kind: 'body-shape', description: 'Force-refresh omits refreshTokenExpiresAt.',
    patch: () => ({ tokensJson: ({ accessToken, refreshToken, accessTokenExpiresAt }) => JSON.stringify({ accessToken, refreshToken, accessTokenExpiresAt }) }),
  },
  {
    id: 'success-status-ok', operation: 'all', kind: 'body-shape', description: 'Success envelopes carry status "ok" instead of "success".',
    patch: (s) => ({ successBody: (data) => s.successBody(data).replace(/^\{"status":"success"/, '{"status":"ok"') }),
  },
  {
    id: 'content-type-text', operation: 'all', kind: 'body-shape', description: 'Success responses are sent as text/plain (same JSON text).',
    patch: (s) => ({ contentType: (a) => (a.kind === 'success' ? 'text/plain; charset=utf-8' : s.contentType(a)) }),
  },
  {
    id: 'error-no-envelope', operation: 'all', kind: 'body-shape', description: '4xx bodies are framework defaults { statusCode, message, error } without the error envelope.',
    patch: (s) => ({
      errorBody: (x, f) =>
        f.status < 500
          ? { statusCode: f.status, message: f.errors?.map((e) => (typeof e === 'string' ? e : e.message)) ?? f.message, error: REASONS[f.status] ?? 'Error' }
          : s.errorBody(x, f),
    }),
  },
  {
    id: 'not-found-code-wrong', operation: 'all', kind: 'body-shape', description: 'Every 404 envelope carries error.code BadRequestException.',
    patch: (s) => ({ errorBody: (x, f) => s.errorBody(x, f.status === 404 ? { ...f, code: 'BadRequestException' } : f) }),
  },
  {
    id: 'sensitive-field-leak', operation: 'all', kind: 'body-shape', description: 'User objects include a bcrypt-looking "password" field.',
    patch: (s) => {
      const passwords = new WeakMap<UserRecord, string>();
      return {
        insertUser(ctx, row, body) {
          const rec = s.insertUser(ctx, row, body);
          passwords.set(rec, fakeBcrypt());
          return rec;
        },
        userObject: (rec) => ({ ...s.userObject(rec), password: passwords.get(rec) }),
      };
    },
  },
] as const satisfies readonly FaultDef[];
