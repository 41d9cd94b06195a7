/**
 * Users that exist before the suite runs: seeded into the store at start-up
 * (straight into the store, past every seam: they were made before any bug),
 * watched for changes, and offered to the ownership faults as the wrong rows
 * they answer with.
 */
import type { InstanceConfig } from './config';
import { seedLookalikes, seedUsers } from './population';
import { createRng, subSeed } from './rng';
import { newUserRow, type Store, suffixEmail, type UserRecord } from './store';

export interface PreexistingUser {
  rec: UserRecord;
  /** The e-mail as seeded (stored form), to name the user even after a change. */
  email: string;
  lookalike: boolean;
  data: string;
  tokenGeneration: number;
}

export type ChangeKind = 'deleted' | 'changed' | 'refreshed';

export interface PreexistingReport {
  count: number;
  intact: boolean;
  changed: number[];
  changedUsers: { id: number; email: string; how: ChangeKind }[];
  users: { id: number; clientId: string; email: string; lookalike: boolean }[];
}

export interface Preexisting {
  /** Whether the user was seeded at start-up (even if deleted since). */
  has(rec: UserRecord): boolean;
  /** Pre-existing users still there (not deleted), oldest first, that pass `keep`. */
  where(keep: (p: PreexistingUser) => boolean): UserRecord[];
  /** The answer of GET /__control/preexisting. */
  report(): PreexistingReport;
}

const dataOf = (r: UserRecord) =>
  JSON.stringify([
    r.clientId, r.email, r.username, r.name, r.bio, r.timeZone, r.weekStart, r.createdDate, r.timeFormat,
    r.defaultScheduleId, r.locale, r.avatarUrl, r.metadata ?? null,
  ]);

export function seedPreexisting(cfg: InstanceConfig, store: Store): Preexisting {
  /** In id order. */
  const seeded: PreexistingUser[] = [];
  const perClientCount = cfg.preexistingPerClient;
  if (perClientCount > 0) {
    const popRng = createRng(subSeed(cfg.seed, 'population'));
    const lookRng = createRng(subSeed(cfg.seed, 'lookalikes'));
    const now = Date.now();
    const lookalikes = cfg.lookalikesPerClient;
    const perClient = cfg.clients.map((c) => ({
      clientId: c.id,
      list: [...seedUsers(popRng, perClientCount - lookalikes, now), ...seedLookalikes(lookRng, lookalikes, now)],
    }));
    // Interleave clients and insert oldest first, as a real database would have grown.
    const all = perClient.flatMap(({ clientId, list }) => list.map((u) => ({ clientId, u })));
    all.sort((a, b) => a.u.createdAtMs - b.u.createdAtMs);
    for (const { clientId, u } of all) {
      const raw = u.email.toLowerCase();
      if (store.byEmail(clientId, suffixEmail(raw, clientId)) !== undefined) continue;
      const fields = { name: u.name, timeZone: u.timeZone, weekStart: u.weekStart, timeFormat: u.timeFormat, locale: u.locale, bio: u.bio, avatarUrl: u.avatarUrl, metadata: u.metadata };
      const rec = store.insert(clientId, newUserRow(fields, suffixEmail(raw, clientId)), u.createdAtMs);
      seeded.push({ rec, email: rec.email, lookalike: u.lookalike === true, data: dataOf(rec), tokenGeneration: rec.tokenGeneration });
    }
  }

  const alive = (p: PreexistingUser) => store.get(p.rec.id) === p.rec;
  const recs = new WeakSet(seeded.map((p) => p.rec));

  /** deleted, changed (data), refreshed (tokens issued for it), or null when intact. */
  function howChanged(p: PreexistingUser): ChangeKind | null {
    if (!alive(p)) return 'deleted';
    if (dataOf(p.rec) !== p.data) return 'changed';
    if (p.rec.tokenGeneration !== p.tokenGeneration) return 'refreshed';
    return null;
  }

  return {
    has: (rec) => recs.has(rec),
    where(keep) {
      const out: UserRecord[] = [];
      for (const p of seeded) if (alive(p) && keep(p)) out.push(p.rec);
      return out;
    },
    report() {
      const changedUsers: PreexistingReport['changedUsers'] = [];
      for (const p of seeded) {
        const how = howChanged(p);
        if (how !== null) changedUsers.push({ id: p.rec.id, email: p.email, how });
      }
      return {
        count: seeded.length,
        intact: changedUsers.length === 0,
        changed: changedUsers.map((c) => c.id),
        changedUsers,
        users: seeded.map((p) => ({ id: p.rec.id, clientId: p.rec.clientId, email: p.email, lookalike: p.lookalike })),
      };
    },
  };
}
