/**
 * The data layer's queries, as the operations make them (Prisma calls in
 * Cal.com): e-mail normalisation and suffixing, lookups that honour the
 * client, the row a create stores, the list's pool, filter and page.
 */
import type { SeamsOf } from './seams';
import { newUserRow, splitEmail, suffixEmail } from './store';

type RepositorySeams =
  | 'normaliseEmail'
  | 'storedEmail'
  | 'findUser'
  | 'findDuplicate'
  | 'patchConflict'
  | 'newUser'
  | 'insertUser'
  | 'setEmail'
  | 'removeUser'
  | 'listPool'
  | 'emailMatcher'
  | 'page';

/** An address of the emails filter that carries the client's suffix already is taken as stored. */
const alreadySuffixed = (address: string, clientId: string) => splitEmail(address)[0].endsWith(`+${clientId}`);

export const repositorySeams: SeamsOf<RepositorySeams> = ({ store }) => ({
  normaliseEmail: (email) => email.toLowerCase(),
  storedEmail: (ctx, raw) => suffixEmail(raw, ctx.clientId),
  findUser(ctx, id) {
    const rec = store.get(id);
    return rec?.clientId === ctx.clientId ? rec : undefined;
  },
  findDuplicate: (ctx, stored) => store.byEmail(ctx.clientId, stored),
  patchConflict(_ctx, rec, stored) {
    const holder = store.byEmail(rec.clientId, stored);
    return holder === rec ? undefined : holder;
  },
  newUser: (_ctx, f, stored) => newUserRow(f, stored),
  insertUser: (ctx, row) => store.insert(ctx.clientId, row, Date.now()),
  setEmail: (_ctx, rec, stored) => store.setEmail(rec, stored),
  removeUser: (_ctx, rec) => store.remove(rec),
  listPool: (ctx) => store.ofClient(ctx.clientId),
  emailMatcher(ctx, emails) {
    const wanted = new Set(emails.map((a) => (alreadySuffixed(a, ctx.clientId) ? a : suffixEmail(a, ctx.clientId))));
    return (u) => wanted.has(u.email);
  },
  page: (_ctx, selected, q) => selected.slice(q.offset, q.offset + q.limit),
});
