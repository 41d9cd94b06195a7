/**
 * What goes on the wire: the user object, token pairs, the success and error
 * envelopes, the content type and the write itself.
 */
import type { ServerResponse } from 'node:http';
import type { Failure } from './answers';
import { DEFAULT_LOCALE } from './constants';
import type { SeamsOf } from './seams';
import type { UserRecord } from './store';
import type { FieldError } from './validation';

/** Writes a whole answer, unless the response is gone or answered already. */
export function write(res: ServerResponse, status: number, body: string, type: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

type SerialiseSeams = 'userObject' | 'userJson' | 'createdJson' | 'tokensJson' | 'successBody' | 'errorBody' | 'contentType' | 'send';

export const serialiseSeams: SeamsOf<SerialiseSeams> = ({ cfg }, self) => {
  const { legal, msgs, jsonType } = cfg;
  const successTail = legal ? ',"meta":{"apiVersion":"legal"}}' : '}';
  const detail = (e: FieldError | string) =>
    typeof e === 'string' ? (legal ? { field: null, problem: e } : e) : legal ? { field: e.field, problem: e.message } : e.message;

  return {
    userObject: (rec) => ({
      id: rec.id,
      email: rec.email,
      username: rec.username,
      name: rec.name,
      bio: rec.bio,
      timeZone: rec.timeZone,
      weekStart: rec.weekStart,
      createdDate: rec.createdDate,
      timeFormat: rec.timeFormat,
      defaultScheduleId: rec.defaultScheduleId,
      // The published document declares locale a string, not required, with no default: the standard
      // variant shows one when the user has none, the legal variant leaves the key out.
      locale: rec.locale ?? (legal ? undefined : DEFAULT_LOCALE),
      avatarUrl: rec.avatarUrl,
      metadata: rec.metadata,
      ...(legal ? { theme: null, brandColor: '#292929', createdAt: rec.createdAtIso } : {}),
    }),

    userJson(ctx, rec: UserRecord) {
      if (rec.json !== null) return rec.json;
      const json = JSON.stringify(self.userObject(rec));
      // Cached on the record until it changes; a create's answer is seldom read again.
      if (ctx.op !== 'create') rec.json = json;
      return json;
    },

    createdJson: (ctx, rec, t) =>
      `{"user":${self.userJson(ctx, rec)},"accessToken":${JSON.stringify(t.accessToken)},"accessTokenExpiresAt":${t.accessTokenExpiresAt},` +
      `"refreshToken":${JSON.stringify(t.refreshToken)},"refreshTokenExpiresAt":${t.refreshTokenExpiresAt}}`,

    tokensJson: (t) =>
      JSON.stringify({ accessToken: t.accessToken, refreshToken: t.refreshToken, accessTokenExpiresAt: t.accessTokenExpiresAt, refreshTokenExpiresAt: t.refreshTokenExpiresAt }),

    successBody: (data) => `{"status":"success","data":${data}${successTail}`,

    errorBody(x, f: Failure) {
      const details: Record<string, unknown> = {};
      if (f.errors !== undefined) details.errors = f.errors.map(detail);
      if (legal) details.hint = msgs.hint(f.status);
      return { status: 'error', timestamp: new Date().toISOString(), path: x.req.url ?? '/', error: { code: f.code, message: f.message, details } };
    },

    contentType: () => jsonType,

    send(x, a) {
      if (a.kind === 'empty') {
        if (x.res.headersSent || x.res.destroyed) return;
        x.res.writeHead(a.status);
        x.res.end();
        return;
      }
      const body = a.kind === 'success' ? self.successBody(a.data) : a.kind === 'raw' ? a.body : JSON.stringify(self.errorBody(x, a));
      write(x.res, a.status, body, self.contentType(a));
    },
  };
};
