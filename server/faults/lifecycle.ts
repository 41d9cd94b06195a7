/** Faults of deletes and writes: soft deletes some reads ignore, rejected writes that stick, duplicates. */
import { failure } from '../answers';
import type { Patch, Seams } from '../seams';
import { splitEmail, suffixEmail, type UserRecord } from '../store';
import type { Operation } from '../types';
import type { FaultDef } from './fault';
import * as pg from './postgres';

/** A stored e-mail without its client's suffix. */
const unsuffixed = (stored: string, clientId: string) => {
  const [local, domain] = splitEmail(stored);
  const raw = local.endsWith(`+${clientId}`) ? local.slice(0, -clientId.length - 1) : local;
  return domain === null ? raw : `${raw}@${domain}`;
};

/** Cal.com's username for a stored e-mail: slugify(<local>-<first domain label>-<second domain label>); later labels dropped. */
export function calcomUsername(stored: string): string {
  const [local, domain] = splitEmail(stored);
  const [first = '', second = ''] = (domain ?? '').split('.');
  return `${local}-${first}-${second}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** Delete as a soft delete: the row stays, flagged, and `reads` decide who still sees it. */
const softDelete = (reads: (s: Seams, deleted: ReadonlyMap<number, UserRecord>) => Partial<Seams>): Patch => (s) => {
  const deleted = new Map<number, UserRecord>();
  return {
    removeUser(ctx, rec) {
      s.removeUser(ctx, rec);
      deleted.set(rec.id, rec);
    },
    ...reads(s, deleted),
  };
};

/** The lookup of `op` forgets the deleted flag (the others honour it). */
const deletedFoundBy = (op: Operation) =>
  softDelete((s, deleted) => ({
    findUser(ctx, id) {
      const gone = ctx.op === op ? deleted.get(id) : undefined;
      return s.findUser(ctx, id) ?? (gone?.clientId === ctx.clientId ? gone : undefined);
    },
  }));

export const LIFECYCLE_FAULTS = [
  // ── lifecycle ─────────────────────────────────────────────────────────────
  {
    id: 'deleted-still-readable', operation: 'get', kind: 'lifecycle', description: 'Delete is a soft delete that GET by id ignores: a deleted user still reads 200 (list, PATCH, refresh do honour it).',
    patch: deletedFoundBy('get'),
  },
  {
    id: 'deleted-still-listed', operation: 'list', kind: 'lifecycle', description: 'Delete is a soft delete that list ignores: deleted users still appear in list results.',
    patch: softDelete((s, deleted) => ({
      // In storage order: ids grow with every insert.
      listPool: (ctx) => [...s.listPool(ctx), ...[...deleted.values()].filter((u) => u.clientId === ctx.clientId)].sort((a, b) => a.id - b.id),
    })),
  },
  {
    id: 'delete-noop', operation: 'delete', kind: 'lifecycle', description: 'DELETE answers 200 with the user but deletes nothing.',
    patch: () => ({ removeUser: () => {} }),
  },
  {
    id: 'deleted-refreshable', operation: 'refresh', kind: 'lifecycle', description: 'Delete is a soft delete that force-refresh ignores: refreshing a deleted user answers 200.',
    patch: deletedFoundBy('refresh'),
  },
  {
    id: 'deleted-updatable', operation: 'update', kind: 'lifecycle', description: 'Delete is a soft delete that PATCH ignores: updating a deleted user answers 200.',
    patch: deletedFoundBy('update'),
  },

  // ── writes ────────────────────────────────────────────────────────────────
  {
    id: 'rejected-create-persists', operation: 'create', kind: 'writes', description: 'A create rejected with 400 for an optional-field rule still stores the user, with that field defaulted.',
    patch: (s) => ({
      create(ctx, body) {
        const { errors, valid } = s.validateCreate(body);
        if (errors.length > 0 && valid.email !== undefined && valid.name !== undefined) {
          const raw = s.normaliseEmail(valid.email);
          const stored = s.storedEmail(ctx, raw);
          if (s.findDuplicate(ctx, stored, raw) === undefined) s.insertUser(ctx, s.newUser(ctx, valid, stored), body);
        }
        return s.create(ctx, body);
      },
    }),
  },
  {
    id: 'rejected-patch-partial', operation: 'update', kind: 'writes', description: 'A PATCH rejected with 400 first applies every valid field it carried.',
    patch: (s) => ({
      update(ctx, id, body) {
        const { errors, valid } = s.validatePatch(body);
        const target = errors.length > 0 ? s.findUser(ctx, id) : undefined;
        if (target !== undefined) {
          // An e-mail another user has is skipped; the rest is written.
          const email = valid.email === undefined ? undefined : s.storedEmail(ctx, s.normaliseEmail(valid.email), target);
          const taken = email !== undefined && s.patchConflict(ctx, target, email) !== undefined;
          s.applyPatch(ctx, target, taken ? { ...valid, email: undefined } : valid);
        }
        return s.update(ctx, id, body);
      },
    }),
  },
  {
    id: 'duplicate-accepted', operation: 'create', kind: 'writes', description: 'Create with an existing suffixed e-mail makes a second user (201).',
    patch: () => ({ findDuplicate: () => undefined }),
  },
  {
    id: 'duplicate-500', operation: 'create', kind: 'writes', description: 'Create with an existing suffixed e-mail answers 500 InternalServerErrorException.',
    patch: (s, { answers }) => ({ conflict: (ctx, holder) => (ctx.op === 'create' ? answers.internalError() : s.conflict(ctx, holder)) }),
  },
  {
    id: 'duplicate-message-no-id', operation: 'create', kind: 'writes', description: 'The create 409 message does not mention the existing user id.',
    patch: (s, { cfg }) => ({
      conflict: (ctx, holder) => (ctx.op === 'create' ? failure(409, 'ConflictException', cfg.msgs.conflictNoId) : s.conflict(ctx, holder)),
    }),
  },
  {
    id: 'duplicate-across-clients', operation: 'create', kind: 'writes', description: 'Uniqueness is checked on the raw e-mail across all clients: the same raw e-mail under another client is 409.',
    patch: (_s, { store }) => ({
      findDuplicate(_ctx, _stored, raw) {
        // Any client's user whose stored e-mail is this raw one, suffixed for that client.
        for (const u of store.all()) if (u.email === suffixEmail(raw, u.clientId)) return u;
        return undefined;
      },
    }),
  },
  {
    id: 'create-half-created-on-500', operation: 'create', kind: 'writes', description: 'Create commits the user row first and writes name, bio and metadata in a second statement: when that one fails (U+0000 in one of them), the answer is a 500 and the user stays, name null, no tokens.',
    patch: (s) => ({
      insertUser(ctx, row, body) {
        const rec = s.insertUser(ctx, { ...row, name: null, bio: null, metadata: undefined }, body);
        pg.text(row.name, 'name');
        pg.text(row.bio, 'bio');
        pg.jsonb(row.metadata, 'metadata');
        Object.assign(rec, { name: row.name, bio: row.bio, metadata: row.metadata, json: null });
        return rec;
      },
    }),
  },
  {
    id: 'deleted-email-still-indexed', operation: 'all', kind: 'writes', description: "Delete is a soft delete whose row stays in the e-mail's unique index: creating a user with a deleted user's e-mail, or PATCHing one to it, is a 409 CONFLICT.",
    patch: (s) => {
      const deleted = new Set<string>();
      const unique = (email: string) => {
        if (deleted.has(email)) throw pg.uniqueViolation('email');
      };
      return {
        removeUser(ctx, rec) {
          deleted.add(rec.email);
          s.removeUser(ctx, rec);
        },
        insertUser(ctx, row, body) {
          unique(row.email);
          return s.insertUser(ctx, row, body);
        },
        setEmail(ctx, rec, stored) {
          unique(stored);
          s.setEmail(ctx, rec, stored);
        },
      };
    },
  },
  {
    id: 'patch-email-raw-uniqueness', operation: 'update', kind: 'writes', description: "A PATCH checks the new e-mail's uniqueness on the raw address across all clients: PATCHing to an address another client's user has (with its own suffix) is a 409.",
    patch: (s, { store }) => ({
      patchConflict(ctx, rec, stored) {
        const raw = unsuffixed(stored, rec.clientId);
        const elsewhere = () => [...store.all()].find((u) => u !== rec && u.clientId !== rec.clientId && unsuffixed(u.email, u.clientId) === raw);
        return s.patchConflict(ctx, rec, stored) ?? elsewhere();
      },
    }),
  },
  {
    id: 'username-slug-unique', operation: 'all', kind: 'writes', description: "Usernames are unique and made like Cal.com's (slug of <local>-<1st domain label>-<2nd domain label>): different e-mails with the same slug (x_a@ vs x-a@, mail.example.com vs mail.example.org) are a false 409 CONFLICT on create and PATCH.",
    patch: (s, { store }) => {
      const unique = (stored: string, self?: UserRecord) => {
        const slug = calcomUsername(stored);
        for (const u of store.all()) if (u !== self && calcomUsername(u.email) === slug) throw pg.uniqueViolation('username');
      };
      return {
        insertUser(ctx, row, body) {
          unique(row.email);
          return s.insertUser(ctx, row, body);
        },
        setEmail(ctx, rec, stored) {
          unique(stored, rec);
          s.setEmail(ctx, rec, stored);
        },
      };
    },
  },
  {
    id: 'patch-duplicate-email-accepted', operation: 'update', kind: 'writes', description: 'A PATCH to an e-mail another user of the client already has succeeds (200): two users share one e-mail.',
    patch: () => ({ patchConflict: () => undefined }),
  },
] as const satisfies readonly FaultDef[];
