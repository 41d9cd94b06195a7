/**
 * Explore-only faults: state-dependent bugs no named check targets (npm run
 * explore finds them). Each remembers, per instance, the history it needs.
 */
import { DEFAULT_LOCALE, DEFAULT_WEEK_START } from '../constants';
import type { UserRecord } from '../store';
import { countingEmailChanges, type FaultDef, staleEmails } from './fault';

export const STATE_FAULTS = [
  // ── explore-only: state-dependent bugs no named check targets (npm run explore finds them) ──
  {
    id: 'schedule-collision-third-user', operation: 'create', kind: 'state', exploreOnly: true, description: 'A user created with a timeZone while its client has exactly two live users with a default schedule (made since start-up) gets the newer one\'s schedule id instead of a schedule of its own.',
    patch: (s, { store, preexisting }) => ({
      newUser(ctx, f, stored) {
        const row = s.newUser(ctx, f, stored);
        if (row.schedule !== 'new') return row;
        // The bug: a client's third live user with a schedule re-reads "the client's latest schedule" instead of the one it made.
        const scheduled = [...store.ofClient(ctx.clientId)].filter((u) => u.defaultScheduleId !== null && !preexisting.has(u));
        return scheduled.length === 2 ? { ...row, schedule: scheduled[1]?.defaultScheduleId ?? 'new' } : row;
      },
    }),
  },
  {
    id: 'patch-after-refresh-resets-locale', operation: 'update', kind: 'state', exploreOnly: true, description: 'A PATCH that does not send locale resets it to "en" once the user has been force-refreshed.',
    patch: (s) => {
      const refreshed = new WeakSet<UserRecord>();
      return {
        tokensFor(ctx, rec) {
          if (ctx.op === 'refresh') refreshed.add(rec);
          return s.tokensFor(ctx, rec);
        },
        applyPatch(ctx, rec, p) {
          s.applyPatch(ctx, rec, p);
          if (p.locale === undefined && refreshed.has(rec)) rec.locale = DEFAULT_LOCALE;
        },
      };
    },
  },
  {
    id: 'list-empty-name-null', operation: 'list', kind: 'state', exploreOnly: true, description: 'In list answers a user whose name is "" shows name null (get, create and PATCH show "").',
    // The list's own mapper turns falsy names into null (`name: u.name || null`).
    patch: (s) => ({
      userJson: (ctx, rec) =>
        ctx.op === 'list' && rec.name === '' ? JSON.stringify({ ...JSON.parse(s.userJson(ctx, rec)), name: null }) : s.userJson(ctx, rec),
    }),
  },
  {
    id: 'patch-email-second-change-raw', operation: 'update', kind: 'state', exploreOnly: true, description: "A user's second (and later) e-mail change stores the raw address, without +<clientId>.",
    patch: (s) => {
      const changes = new WeakMap<UserRecord, number>();
      return {
        ...countingEmailChanges(s, changes),
        storedEmail: (ctx, raw, rec) => (rec !== undefined && (changes.get(rec) ?? 0) >= 1 ? raw : s.storedEmail(ctx, raw, rec)),
      };
    },
  },
  {
    id: 'list-offset-equal-count', operation: 'list', kind: 'state', exploreOnly: true, description: 'When offset equals the number of matching users (> 0), the page holds the last of them instead of none.',
    // An off-by-one that only shows when the offset lands exactly at the end.
    patch: (s) => ({
      page: (ctx, selected, q) => s.page(ctx, selected, q.offset > 0 && q.offset === selected.length ? { ...q, offset: q.offset - 1 } : q),
    }),
  },
  {
    id: 'recreate-deleted-email-conflict', operation: 'create', kind: 'state', description: 'Creating a user with the e-mail of a deleted user of the client is a 409 naming the deleted id.',
    patch: (s) =>
      staleEmails(s, (remember) => ({
        removeUser(ctx, rec) {
          remember(rec);
          s.removeUser(ctx, rec);
        },
      })),
  },
  {
    id: 'patch-own-email-conflict', operation: 'update', kind: 'state', exploreOnly: true, description: 'A PATCH of a user\'s e-mail to the address it already has is a 409 (it conflicts with itself).',
    patch: (_s, { store }) => ({ patchConflict: (_ctx, rec, stored) => store.byEmail(rec.clientId, stored) }),
  },
  {
    id: 'refresh-after-email-change-404', operation: 'refresh', kind: 'state', exploreOnly: true, description: 'Force-refresh of a user whose e-mail was changed by a PATCH is a 404 (looked up by its first e-mail).',
    patch: (s) => {
      const changes = new WeakMap<UserRecord, number>();
      return {
        ...countingEmailChanges(s, changes),
        findUser(ctx, id) {
          const rec = s.findUser(ctx, id);
          return ctx.op === 'refresh' && rec !== undefined && (changes.get(rec) ?? 0) > 0 ? undefined : rec;
        },
      };
    },
  },
  {
    id: 'patch-metadata-merges', operation: 'update', kind: 'state', exploreOnly: true, description: 'metadata in a PATCH is merged into the stored metadata instead of replacing it.',
    patch: (s) => ({
      applyPatch: (ctx, rec, p) => s.applyPatch(ctx, rec, p.metadata === undefined ? p : { ...p, metadata: { ...rec.metadata, ...p.metadata } }),
    }),
  },
  {
    id: 'patch-timeformat-resets-weekstart', operation: 'update', kind: 'state', exploreOnly: true, description: 'A PATCH of timeFormat without weekStart resets weekStart to Sunday.',
    patch: (s) => ({
      applyPatch(ctx, rec, p) {
        s.applyPatch(ctx, rec, p);
        if (p.timeFormat !== undefined && p.weekStart === undefined) rec.weekStart = DEFAULT_WEEK_START;
      },
    }),
  },
  {
    id: 'old-email-still-taken', operation: 'create', kind: 'state', exploreOnly: true, description: 'After a PATCH moved a user to a new e-mail, creating a user with its old e-mail is a 409.',
    patch: (s) =>
      staleEmails(s, (remember) => ({
        setEmail(ctx, rec, stored) {
          if (rec.email !== stored) remember(rec);
          s.setEmail(ctx, rec, stored);
        },
      })),
  },
] as const satisfies readonly FaultDef[];
