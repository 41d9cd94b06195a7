/** HS256 access/refresh token pairs signed with a per-process random key: the token seams. */
import { hash, randomBytes, randomUUID } from 'node:crypto';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './constants';
import type { SeamsOf } from './seams';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: number;
  refreshTokenExpiresAt: number;
}

/*
 * HMAC-SHA256 (RFC 2104) over one-shot hashes: noticeably cheaper per token
 * than a createHmac() object. The per-process random key uses 7-bit bytes so
 * the padded keys are ASCII and can be prepended to the (ASCII) signing input
 * as strings.
 */
const KEY = Buffer.from(randomBytes(32).map((b) => b & 0x7f));
const padded = (pad: number) => {
  const block = Buffer.alloc(64, pad);
  for (let i = 0; i < KEY.length; i++) block[i] = (KEY[i] ?? 0) ^ pad;
  return block.toString('latin1');
};
const INNER_PAD = padded(0x36);
const OUTER_PAD = padded(0x5c);
const JWT_HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');

function hs256(input: string): string {
  const inner = hash('sha256', INNER_PAD + input, 'binary');
  return hash('sha256', Buffer.from(OUTER_PAD + inner, 'latin1'), 'base64url');
}

function sign(payloadJson: string): string {
  const data = `${JWT_HEADER}.${Buffer.from(payloadJson).toString('base64url')}`;
  return `${data}.${hs256(data)}`;
}

/** For self-tests: the signing key of this process (never sent over the wire). */
export function verifyJwtSignature(token: string): boolean {
  const dot = token.lastIndexOf('.');
  return dot > 0 && hs256(token.slice(0, dot)) === token.slice(dot + 1);
}

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;

export type TokenKind = 'access' | 'refresh';
export type TokenType = 'access_token' | 'refresh_token';

/** A token's payload, in the order of its JSON. */
export interface TokenClaims {
  type: string;
  clientId: string;
  ownerId: number;
  expiresAt: number;
  iat: number;
  jti: string;
  iss?: string;
}

const LIFETIMES: Readonly<Record<TokenKind, number>> = { access: HOUR_MS, refresh: 365 * DAY_MS };
/** The standard variant cuts expiries like upstream: access to the minute, refresh to the day. */
const CUT: Readonly<Record<TokenKind, number>> = { access: MINUTE_MS, refresh: DAY_MS };

type TokenSeams = 'lifetime' | 'expiries' | 'claims' | 'issueTokens' | 'tokensFor';

export const tokenSeams: SeamsOf<TokenSeams> = ({ cfg: { legal } }, self) => ({
  lifetime: (kind) => LIFETIMES[kind],
  expiries(now) {
    // The legal variant reports exact expiries.
    const at = (kind: TokenKind) => (legal ? now + self.lifetime(kind) : floorTo(now + self.lifetime(kind), CUT[kind]));
    return { access: at('access'), refresh: at('refresh') };
  },
  claims: (type, clientId, ownerId, expiresAt, iat) =>
    ({ type, clientId, ownerId, expiresAt, iat, jti: randomUUID(), iss: legal ? 'cal-platform' : undefined }),
  issueTokens(clientId, ownerId, now) {
    const e = self.expiries(now);
    const iat = Math.floor(now / 1000);
    return {
      accessToken: sign(JSON.stringify(self.claims('access_token', clientId, ownerId, e.access, iat))),
      refreshToken: sign(JSON.stringify(self.claims('refresh_token', clientId, ownerId, e.refresh, iat))),
      accessTokenExpiresAt: e.access,
      refreshTokenExpiresAt: e.refresh,
    };
  },
  tokensFor(ctx, rec) {
    const pair = self.issueTokens(ctx.clientId, rec.id, Date.now());
    rec.tokenGeneration++;
    return pair;
  },
});
