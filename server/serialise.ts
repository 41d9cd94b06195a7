/**
 * What goes on the wire: the user object, token pairs, the success and error
 * envelopes, and the write itself. The faults that live in serialisation
 * (field types and names, envelope shapes, content types) are decided here.
 */
import { DEFAULT_LOCALE } from './constants';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InstanceConfig } from './config';
import type { UserRecord } from './store';
import type { TokenPair } from './tokens';
import type { FieldError } from './validation';

type Req = IncomingMessage;
type Res = ServerResponse;

export interface Serialiser {
  /** The user object as JSON; cached on the record unless `cache` is false or another `id` is shown. */
  userJson(rec: UserRecord, cache?: boolean, id?: number): string;
  /** `{accessToken, refreshToken, accessTokenExpiresAt[, refreshTokenExpiresAt]}` */
  tokensJson(t: TokenPair, withRefreshExpiry: boolean): string;
  /** The create answer's data: the user and a token pair. */
  createdJson(rec: UserRecord, t: TokenPair): string;
  send(res: Res, status: number, body: string, type: string): void;
  sendJson(res: Res, status: number, body: string): void;
  sendSuccess(res: Res, status: number, dataJson: string): void;
  sendError(req: Req, res: Res, status: number, code: string, message: string, errors?: (FieldError | string)[]): void;
  badRequest(req: Req, res: Res, message: string, errors?: (FieldError | string)[]): void;
  notFoundUser(req: Req, res: Res, id: number): void;
  internalError(req: Req, res: Res): void;
  validationFailed(req: Req, res: Res, errors: FieldError[]): void;
  tooManyRequests(req: Req, res: Res): void;
}

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
const OUTPUT_KEYS = new Set([
  'id', 'email', 'username', 'name', 'bio', 'timeZone', 'timezone', 'weekStart', 'createdDate', 'timeFormat',
  'defaultScheduleId', 'locale', 'avatarUrl', 'metadata', 'theme', 'brandColor', 'createdAt', 'password',
]);

/** `/api/v2/oauth-clients/c1/users/5?x` → `/api/v2/oauth-clients/:clientId/users/:userId` (fault error-path-template). */
function routeTemplate(url: string): string {
  return (url.split('?')[0] ?? '').replace(/\/oauth-clients\/[^/]+/, '/oauth-clients/:clientId').replace(/\/users\/[^/]+/, '/users/:userId');
}

export function createSerialiser(cfg: InstanceConfig): Serialiser {
  const { fault, legal, msgs, jsonType } = cfg;
  const successType = fault === 'content-type-text' ? 'text/plain; charset=utf-8' : jsonType;
  const successHead = `{"status":"${fault === 'success-status-ok' ? 'ok' : 'success'}","data":`;
  const successTail = legal ? ',"meta":{"apiVersion":"legal"}}' : '}';

  function userJson(rec: UserRecord, cache = true, id = rec.id): string {
    if (rec.json !== null && id === rec.id) return rec.json;
    const o: Record<string, unknown> = {
      id: fault === 'user-id-string' ? String(id) : id,
      email: fault === 'user-email-null' ? null : rec.email,
      username: rec.username,
      name: rec.name,
      bio: rec.bio,
    };
    if (fault === 'user-timezone-renamed') o.timezone = rec.timeZone;
    else o.timeZone = rec.timeZone;
    o.weekStart = rec.weekStart;
    if (fault !== 'user-missing-createdDate') o.createdDate = rec.createdDate;
    o.timeFormat = fault === 'user-timeformat-string' && rec.timeFormat !== null ? String(rec.timeFormat) : rec.timeFormat;
    o.defaultScheduleId = rec.defaultScheduleId;
    // The published document declares locale a string, not required, with no default: the standard variant shows
    // one when the user has none, the legal variant leaves the key out, and the mid-2025 fault answers null.
    if (rec.locale !== undefined) o.locale = rec.locale;
    else if (fault === 'locale-null-when-unset') o.locale = null;
    else if (!legal) o.locale = DEFAULT_LOCALE;
    o.avatarUrl = rec.avatarUrl;
    if (rec.metadata !== undefined) o.metadata = rec.metadata;
    if (legal) {
      o.theme = null;
      o.brandColor = '#292929';
      o.createdAt = rec.createdAtIso;
    }
    if (rec.extras !== undefined) {
      for (const key of Object.keys(rec.extras)) {
        if (OUTPUT_KEYS.has(key)) continue;
        Object.defineProperty(o, key, { value: rec.extras[key], enumerable: true, writable: true, configurable: true });
      }
    }
    if (rec.password !== undefined) o.password = rec.password;
    const json = JSON.stringify(o);
    if (cache && id === rec.id) rec.json = json;
    return json;
  }

  const tokensJson = (t: TokenPair, withRefreshExpiry: boolean) =>
    `{"accessToken":${JSON.stringify(t.accessToken)},"refreshToken":${JSON.stringify(t.refreshToken)},` +
    `"accessTokenExpiresAt":${t.accessTokenExpiresAt}` +
    (withRefreshExpiry ? `,"refreshTokenExpiresAt":${t.refreshTokenExpiresAt}}` : '}');

  const createdJson = (rec: UserRecord, t: TokenPair) =>
    `{"user":${userJson(rec, false)},"accessToken":${JSON.stringify(t.accessToken)},"accessTokenExpiresAt":${t.accessTokenExpiresAt},` +
    `"refreshToken":${JSON.stringify(t.refreshToken)},"refreshTokenExpiresAt":${t.refreshTokenExpiresAt}}`;

  function send(res: Res, status: number, body: string, type: string): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  function sendSuccess(res: Res, status: number, dataJson: string): void {
    send(res, status, successHead + dataJson + successTail, successType);
  }

  function sendError(req: Req, res: Res, status: number, code: string, message: string, errors?: (FieldError | string)[]): void {
    let body: string;
    if (status < 500 && fault === 'error-no-envelope') {
      const list = errors?.map((e) => (typeof e === 'string' ? e : e.message));
      body = JSON.stringify({ statusCode: status, message: list ?? message, error: REASONS[status] ?? 'Error' });
    } else {
      if (status === 404 && fault === 'not-found-code-wrong') code = 'BadRequestException';
      const details: Record<string, unknown> = {};
      if (errors !== undefined) {
        details.errors = errors.map((e) =>
          typeof e === 'string' ? (legal ? { field: null, problem: e } : e) : legal ? { field: e.field, problem: e.message } : e.message,
        );
      }
      if (legal) details.hint = msgs.hint(status);
      body = JSON.stringify({
        status: 'error',
        timestamp: new Date().toISOString(),
        path: fault === 'error-path-template' ? routeTemplate(req.url ?? '/') : (req.url ?? '/'),
        error: { code, message, details },
      });
    }
    send(res, status, body, jsonType);
  }

  const badRequest = (req: Req, res: Res, message: string, errors?: (FieldError | string)[]) =>
    sendError(req, res, 400, 'BadRequestException', message, errors ?? [message]);

  return {
    userJson,
    tokensJson,
    createdJson,
    send,
    sendJson: (res, status, body) => send(res, status, body, jsonType),
    sendSuccess,
    sendError,
    badRequest,
    notFoundUser: (req, res, id) => sendError(req, res, 404, 'NotFoundException', msgs.userNotFound(id)),
    internalError: (req, res) => sendError(req, res, 500, 'InternalServerErrorException', msgs.internal),
    validationFailed: (req, res, errors) => badRequest(req, res, msgs.validationSummary(errors.map((e) => e.message)), errors),
    tooManyRequests: (req, res) => sendError(req, res, 429, 'ThrottlerException', 'ThrottlerException: Too Many Requests'),
  };
}
