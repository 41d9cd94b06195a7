/** HS256 access/refresh token pairs signed with a per-process random key. */
import { hash, randomBytes, randomUUID } from 'node:crypto';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './constants';
import type { FaultId } from './faults';

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

export interface TokenIssuerOptions {
  legal: boolean;
  fault: FaultId | null;
}

export type TokenIssuer = (clientId: string, ownerId: number, now: number) => TokenPair;

export function createTokenIssuer({ legal, fault }: TokenIssuerOptions): TokenIssuer {
  const accessLifetime = fault === 'access-expiry-day' ? DAY_MS : HOUR_MS;
  const refreshLifetime = fault === 'refresh-expiry-month' ? 30 * DAY_MS : 365 * DAY_MS;

  return (clientId, ownerId, now) => {
    // The legal variant reports exact expiries; the standard one cuts them like upstream.
    let accessExp = legal ? now + accessLifetime : floorTo(now + accessLifetime, MINUTE_MS);
    let refreshExp = legal ? now + refreshLifetime : floorTo(now + refreshLifetime, DAY_MS);
    if (fault === 'expiry-seconds') {
      accessExp = Math.floor(accessExp / 1000);
      refreshExp = Math.floor(refreshExp / 1000);
    }

    if (fault === 'token-not-jwt') {
      return {
        accessToken: randomBytes(32).toString('hex'),
        refreshToken: randomBytes(32).toString('hex'),
        accessTokenExpiresAt: accessExp,
        refreshTokenExpiresAt: refreshExp,
      };
    }

    const skew = fault === 'token-expiry-mismatch' ? 60_000 : 0;
    const owner = fault === 'token-owner-wrong' ? 1 : ownerId;
    const iat = Math.floor(now / 1000);
    const client = JSON.stringify(clientId);
    const claims = (type: string, expiresAt: number): string =>
      `{"type":"${type}","clientId":${client},"ownerId":${owner},"expiresAt":${expiresAt + skew},"iat":${iat},` +
      `"jti":"${randomUUID()}"${legal ? ',"iss":"cal-platform"' : ''}}`;

    const accessToken = sign(claims('access_token', accessExp));
    const refreshToken =
      fault === 'access-equals-refresh'
        ? accessToken
        : sign(claims(fault === 'token-type-wrong' ? 'access_token' : 'refresh_token', refreshExp));
    return { accessToken, refreshToken, accessTokenExpiresAt: accessExp, refreshTokenExpiresAt: refreshExp };
  };
}
