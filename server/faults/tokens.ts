/** Faults of the token pairs: reuse, claims, lifetimes, format. */
import { randomBytes } from 'node:crypto';
import { DAY_MS } from '../constants';
import type { UserRecord } from '../store';
import type { TokenPair } from '../tokens';
import type { FaultDef } from './fault';

export const TOKEN_FAULTS = [
  // ── tokens ────────────────────────────────────────────────────────────────
  {
    id: 'refresh-same-tokens', operation: 'refresh', kind: 'tokens', description: 'Force-refresh returns the tokens (and expiries) issued at creation.',
    patch: (s) => {
      const first = new WeakMap<UserRecord, TokenPair>();
      return {
        tokensFor(ctx, rec) {
          const pair = first.get(rec) ?? s.tokensFor(ctx, rec);
          first.set(rec, pair);
          return pair;
        },
      };
    },
  },
  {
    id: 'token-owner-wrong', operation: 'all', kind: 'tokens', description: 'The JWT ownerId claim is 1 for every user.',
    patch: (s) => ({ claims: (type, clientId, _ownerId, expiresAt, iat) => s.claims(type, clientId, 1, expiresAt, iat) }),
  },
  {
    id: 'token-expiry-mismatch', operation: 'all', kind: 'tokens', description: 'The JWT expiresAt claims are the response expiries + 60000 ms.',
    patch: (s) => ({ claims: (type, clientId, ownerId, expiresAt, iat) => s.claims(type, clientId, ownerId, expiresAt + 60_000, iat) }),
  },
  {
    id: 'access-equals-refresh', operation: 'all', kind: 'tokens', description: 'refreshToken is the same string as accessToken (create and refresh).',
    patch: (s) => ({
      issueTokens(clientId, ownerId, now) {
        const pair = s.issueTokens(clientId, ownerId, now);
        return { ...pair, refreshToken: pair.accessToken };
      },
    }),
  },
  {
    id: 'access-expiry-day', operation: 'all', kind: 'tokens', description: 'Access tokens expire after 24 h instead of 60 min.',
    patch: (s) => ({ lifetime: (kind) => (kind === 'access' ? DAY_MS : s.lifetime(kind)) }),
  },
  {
    id: 'refresh-expiry-month', operation: 'all', kind: 'tokens', description: 'Refresh tokens expire after 30 days instead of a year.',
    patch: (s) => ({ lifetime: (kind) => (kind === 'refresh' ? 30 * DAY_MS : s.lifetime(kind)) }),
  },
  {
    id: 'token-not-jwt', operation: 'all', kind: 'tokens', description: 'Tokens are opaque random hex strings instead of JWTs.',
    patch: (s) => ({
      issueTokens(_clientId, _ownerId, now) {
        const e = s.expiries(now);
        const hex = () => randomBytes(32).toString('hex');
        return { accessToken: hex(), refreshToken: hex(), accessTokenExpiresAt: e.access, refreshTokenExpiresAt: e.refresh };
      },
    }),
  },
  {
    id: 'token-type-wrong', operation: 'all', kind: 'tokens', description: 'Both tokens carry type "access_token".',
    patch: (s) => ({ claims: (_type, clientId, ownerId, expiresAt, iat) => s.claims('access_token', clientId, ownerId, expiresAt, iat) }),
  },
] as const satisfies readonly FaultDef[];
