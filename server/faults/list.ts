/** Faults of the list: filters and paging validated, then applied wrongly or not at all. */
import { EMAIL_RE, LIST_LIMIT_MAX } from '../constants';
import { suffixEmail } from '../store';
import { LIST_BOUNDS, queryNumber } from '../validation';
import type { FaultDef } from './fault';

export const LIST_FAULTS = [
  // ── list ──────────────────────────────────────────────────────────────────
  {
    id: 'list-limit-ignored', operation: 'list', kind: 'list', description: 'List ignores limit (validated, then not applied) and returns up to 250 users.',
    patch: (s) => ({ page: (ctx, selected, q) => s.page(ctx, selected, { ...q, limit: LIST_LIMIT_MAX }) }),
  },
  {
    id: 'list-offset-ignored', operation: 'list', kind: 'list', description: 'List ignores offset (validated, then not applied).',
    patch: (s) => ({ page: (ctx, selected, q) => s.page(ctx, selected, { ...q, offset: 0 }) }),
  },
  {
    id: 'list-emails-ignored', operation: 'list', kind: 'list', description: 'List ignores the emails filter (validated, then not applied).',
    patch: () => ({ emailMatcher: () => () => true }),
  },
  {
    id: 'list-emails-suffixed-unmatched', operation: 'list', kind: 'list', description: 'Already-suffixed addresses in the emails filter are suffixed again and match nothing.',
    patch: () => ({
      emailMatcher(ctx, emails) {
        const wanted = new Set(emails.map((a) => suffixEmail(a, ctx.clientId)));
        return (u) => wanted.has(u.email);
      },
    }),
  },
  {
    id: 'list-emails-first-only', operation: 'list', kind: 'list', description: 'Only the first address of a comma-separated emails filter is used.',
    patch: (s) => ({ emailMatcher: (ctx, emails) => s.emailMatcher(ctx, emails.slice(0, 1)) }),
  },
  {
    id: 'list-bounds-unchecked', operation: 'list', kind: 'list', description: 'Out-of-range or non-numeric limit/offset are clamped or defaulted and answered 200 instead of 400.',
    patch: (s) => ({
      listParam(params, name) {
        const n = queryNumber(params.get(name) ?? '');
        if (!Number.isFinite(n)) return s.listDefaults()[name];
        const { min, max } = LIST_BOUNDS[name];
        return Math.min(max, Math.max(min, Math.trunc(n)));
      },
    }),
  },
  {
    id: 'list-invalid-email-accepted', operation: 'list', kind: 'list', description: 'An invalid address in the emails filter answers 200 (it just matches nothing) instead of 400.',
    patch: () => ({ listEmails: (values) => values.flatMap((v) => v.split(',')).map((part) => part.trim()).filter((a) => EMAIL_RE.test(a)) }),
  },
  {
    id: 'list-limit-plus-one', operation: 'list', kind: 'list', description: 'List returns limit+1 users when that many are available.',
    patch: (s) => ({ page: (ctx, selected, q) => s.page(ctx, selected, { ...q, limit: q.limit + 1 }) }),
  },
] as const satisfies readonly FaultDef[];
