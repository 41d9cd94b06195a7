/**
 * Catalogue of injectable contract bugs used by the suite's mutation self-test.
 * Each entry is one realistic defect; the reference server behaves exactly like
 * the standard variant in every other respect. The behaviour itself lives in
 * the part of the server (store, serialise, guard, pipes, handlers, routing,
 * validation, tokens) where such a bug would really occur.
 */

type FaultOperation = 'create' | 'list' | 'get' | 'update' | 'delete' | 'refresh' | 'all';

const DEFS = [
  // ── status codes ──────────────────────────────────────────────────────────
  { id: 'create-200', operation: 'create', kind: 'status', description: 'Create answers 200 instead of 201.' },
  { id: 'refresh-201', operation: 'refresh', kind: 'status', description: 'Force-refresh answers 201 instead of 200.' },
  { id: 'delete-204', operation: 'delete', kind: 'status', description: 'Delete answers 204 with an empty body (the user is still deleted).' },

  // ── body shape ────────────────────────────────────────────────────────────
  { id: 'user-id-string', operation: 'all', kind: 'body-shape', description: 'user.id is serialised as a string in every user object.' },
  { id: 'user-missing-createdDate', operation: 'all', kind: 'body-shape', description: 'User objects lack createdDate.' },
  { id: 'user-timezone-renamed', operation: 'all', kind: 'body-shape', description: 'User objects carry `timezone` instead of `timeZone`.' },
  { id: 'user-email-null', operation: 'all', kind: 'body-shape', description: 'User objects carry email: null.' },
  { id: 'user-timeformat-string', operation: 'all', kind: 'body-shape', description: 'timeFormat is serialised as a string ("12").' },
  { id: 'list-data-object', operation: 'list', kind: 'body-shape', description: 'List data is an object { users: [...] } instead of an array.' },
  { id: 'expiry-seconds', operation: 'all', kind: 'body-shape', description: 'Token expiries (create and refresh) are epoch seconds; the JWT expiresAt claims use seconds too, so they still match.' },
  { id: 'refresh-missing-refresh-expiry', operation: 'refresh', kind: 'body-shape', description: 'Force-refresh omits refreshTokenExpiresAt.' },
  { id: 'success-status-ok', operation: 'all', kind: 'body-shape', description: 'Success envelopes carry status "ok" instead of "success".' },
  { id: 'content-type-text', operation: 'all', kind: 'body-shape', description: 'Success responses are sent as text/plain (same JSON text).' },
  { id: 'error-no-envelope', operation: 'all', kind: 'body-shape', description: '4xx bodies are framework defaults { statusCode, message, error } without the error envelope.' },
  { id: 'not-found-code-wrong', operation: 'all', kind: 'body-shape', description: 'Every 404 envelope carries error.code BadRequestException.' },
  { id: 'sensitive-field-leak', operation: 'all', kind: 'body-shape', description: 'User objects include a bcrypt-looking "password" field.' },

  // ── authentication ────────────────────────────────────────────────────────
  { id: 'auth-ignored-delete', operation: 'delete', kind: 'auth', description: 'DELETE succeeds without the secret header (a wrong secret is still 401).' },
  { id: 'auth-ignored-get', operation: 'get', kind: 'auth', description: 'GET by id succeeds without the secret header (a wrong secret is still 401).' },
  { id: 'wrong-secret-accepted', operation: 'all', kind: 'auth', description: 'Any non-empty secret is accepted for a known client on every operation.' },
  { id: 'auth-403', operation: 'all', kind: 'auth', description: 'Missing or wrong credentials (incl. unknown client id) answer 403 ForbiddenException instead of 401.' },
  { id: 'other-client-secret-accepted', operation: 'all', kind: 'auth', description: "The secret of any known client is accepted on any client's path (the operation acts on the path's client)." },
  { id: 'validation-before-auth', operation: 'all', kind: 'auth', description: 'Create/PATCH bodies are parsed and validated before the guard: an invalid body without a secret answers 400.' },

  // ── isolation between clients ─────────────────────────────────────────────
  { id: 'cross-client-read', operation: 'get', kind: 'isolation', description: "GET by id returns another client's user." },
  { id: 'cross-client-update', operation: 'update', kind: 'isolation', description: "PATCH updates another client's user." },
  { id: 'cross-client-delete', operation: 'delete', kind: 'isolation', description: "DELETE deletes another client's user." },
  { id: 'cross-client-refresh', operation: 'refresh', kind: 'isolation', description: "Force-refresh issues tokens for another client's user." },
  { id: 'list-leaks-other-clients', operation: 'list', kind: 'isolation', description: "List returns every client's users; the emails filter matches raw addresses against any client's suffixed form." },

  // ── lifecycle ─────────────────────────────────────────────────────────────
  { id: 'deleted-still-readable', operation: 'get', kind: 'lifecycle', description: 'Delete is a soft delete that GET by id ignores: a deleted user still reads 200 (list, PATCH, refresh do honour it).' },
  { id: 'deleted-still-listed', operation: 'list', kind: 'lifecycle', description: 'Delete is a soft delete that list ignores: deleted users still appear in list results.' },
  { id: 'delete-noop', operation: 'delete', kind: 'lifecycle', description: 'DELETE answers 200 with the user but deletes nothing.' },
  { id: 'deleted-refreshable', operation: 'refresh', kind: 'lifecycle', description: 'Delete is a soft delete that force-refresh ignores: refreshing a deleted user answers 200.' },
  { id: 'deleted-updatable', operation: 'update', kind: 'lifecycle', description: 'Delete is a soft delete that PATCH ignores: updating a deleted user answers 200.' },

  // ── writes ────────────────────────────────────────────────────────────────
  { id: 'rejected-create-persists', operation: 'create', kind: 'writes', description: 'A create rejected with 400 for an optional-field rule still stores the user, with that field defaulted.' },
  { id: 'rejected-patch-partial', operation: 'update', kind: 'writes', description: 'A PATCH rejected with 400 first applies every valid field it carried.' },
  { id: 'duplicate-accepted', operation: 'create', kind: 'writes', description: 'Create with an existing suffixed e-mail makes a second user (201).' },
  { id: 'duplicate-500', operation: 'create', kind: 'writes', description: 'Create with an existing suffixed e-mail answers 500 InternalServerErrorException.' },
  { id: 'duplicate-message-no-id', operation: 'create', kind: 'writes', description: 'The create 409 message does not mention the existing user id.' },
  { id: 'duplicate-across-clients', operation: 'create', kind: 'writes', description: 'Uniqueness is checked on the raw e-mail across all clients: the same raw e-mail under another client is 409.' },
  { id: 'patch-duplicate-email-accepted', operation: 'update', kind: 'writes', description: 'A PATCH to an e-mail another user of the client already has succeeds (200): two users share one e-mail.' },

  // ── list ──────────────────────────────────────────────────────────────────
  { id: 'list-limit-ignored', operation: 'list', kind: 'list', description: 'List ignores limit (validated, then not applied) and returns up to 250 users.' },
  { id: 'list-offset-ignored', operation: 'list', kind: 'list', description: 'List ignores offset (validated, then not applied).' },
  { id: 'list-emails-ignored', operation: 'list', kind: 'list', description: 'List ignores the emails filter (validated, then not applied).' },
  { id: 'list-emails-suffixed-unmatched', operation: 'list', kind: 'list', description: 'Already-suffixed addresses in the emails filter are suffixed again and match nothing.' },
  { id: 'list-emails-first-only', operation: 'list', kind: 'list', description: 'Only the first address of a comma-separated emails filter is used.' },
  { id: 'list-bounds-unchecked', operation: 'list', kind: 'list', description: 'Out-of-range or non-numeric limit/offset are clamped or defaulted and answered 200 instead of 400.' },
  { id: 'list-invalid-email-accepted', operation: 'list', kind: 'list', description: 'An invalid address in the emails filter answers 200 (it just matches nothing) instead of 400.' },
  { id: 'list-limit-plus-one', operation: 'list', kind: 'list', description: 'List returns limit+1 users when that many are available.' },

  // ── input validation ──────────────────────────────────────────────────────
  { id: 'create-timezone-unchecked', operation: 'create', kind: 'validation', description: "Create accepts any timeZone string (incl. '') and stores it as given." },
  { id: 'create-timeformat-unchecked', operation: 'create', kind: 'validation', description: 'Create accepts any number as timeFormat.' },
  { id: 'create-locale-unchecked', operation: 'create', kind: 'validation', description: 'Create accepts any string as locale.' },
  { id: 'create-avatar-unchecked', operation: 'create', kind: 'validation', description: 'Create accepts any string as avatarUrl.' },
  { id: 'metadata-key-count-unchecked', operation: 'all', kind: 'validation', description: 'Metadata with more than 50 keys is accepted (create and PATCH).' },
  { id: 'metadata-key-length-unchecked', operation: 'all', kind: 'validation', description: 'Metadata keys longer than 40 characters are accepted (create and PATCH).' },
  { id: 'metadata-value-length-unchecked', operation: 'all', kind: 'validation', description: 'Metadata string values longer than 500 characters are accepted (create and PATCH).' },
  { id: 'metadata-nested-accepted', operation: 'all', kind: 'validation', description: 'Metadata values that are objects or arrays are accepted (create and PATCH).' },
  { id: 'create-name-optional', operation: 'create', kind: 'validation', description: 'Create without name answers 201 with name null.' },
  { id: 'create-missing-email-500', operation: 'create', kind: 'validation', description: 'Create without email answers 500 instead of 400.' },
  { id: 'wrong-type-500', operation: 'all', kind: 'validation', description: 'A wrongly typed body field (e.g. name: 123, bio: []) answers 500 instead of 400 (create and PATCH).' },
  { id: 'patch-weekstart-unchecked', operation: 'update', kind: 'validation', description: 'PATCH accepts any weekStart string.' },
  { id: 'patch-timeformat-string-accepted', operation: 'update', kind: 'validation', description: 'PATCH accepts timeFormat "12"/"24" as strings and stores the number.' },

  // ── defaults and derived values ───────────────────────────────────────────
  { id: 'default-timezone-utc', operation: 'create', kind: 'defaults', description: 'The default timeZone is UTC instead of Europe/London.' },
  { id: 'default-schedule-null', operation: 'create', kind: 'defaults', description: 'defaultScheduleId stays null even when the user is created with a timeZone.' },
  { id: 'default-schedule-without-timezone', operation: 'create', kind: 'defaults', description: 'A default schedule id is set even when the user is created without a timeZone.' },
  { id: 'timezone-not-normalised', operation: 'all', kind: 'defaults', description: "timeZone is stored with the caller's casing (create and PATCH)." },
  { id: 'email-not-suffixed', operation: 'all', kind: 'defaults', description: 'The stored and returned e-mail is the raw (lower-cased) one; uniqueness is still per client.' },
  { id: 'email-case-preserved', operation: 'all', kind: 'defaults', description: 'E-mails are not lower-cased (create and PATCH).' },
  { id: 'create-drops-bio', operation: 'create', kind: 'defaults', description: 'bio sent on create is not stored.' },
  { id: 'locale-null-when-unset', operation: 'all', kind: 'body-shape', description: 'A user created without a locale carries "locale": null in every user object (seen on a real Cal.com API v2 of mid-2025; the published document declares a string).' },
  { id: 'create-drops-metadata', operation: 'create', kind: 'defaults', description: 'metadata sent on create is not stored.' },
  { id: 'create-echoes-unknown', operation: 'create', kind: 'defaults', description: 'Unknown create properties are stored and echoed in the user object.' },
  { id: 'patch-resets-unsent', operation: 'update', kind: 'defaults', description: 'PATCH resets bio to null and drops metadata when they are not sent.' },
  { id: 'patch-email-not-suffixed', operation: 'update', kind: 'defaults', description: 'A PATCHed e-mail is stored raw (lower-cased, not suffixed).' },
  { id: 'patch-username-stale', operation: 'update', kind: 'defaults', description: 'username is not regenerated when PATCH changes the e-mail.' },
  { id: 'patch-ignores-locale', operation: 'update', kind: 'defaults', description: 'locale in a PATCH is validated but silently not applied.' },

  // ── tokens ────────────────────────────────────────────────────────────────
  { id: 'refresh-same-tokens', operation: 'refresh', kind: 'tokens', description: 'Force-refresh returns the tokens (and expiries) issued at creation.' },
  { id: 'token-owner-wrong', operation: 'all', kind: 'tokens', description: 'The JWT ownerId claim is 1 for every user.' },
  { id: 'token-expiry-mismatch', operation: 'all', kind: 'tokens', description: 'The JWT expiresAt claims are the response expiries + 60000 ms.' },
  { id: 'access-equals-refresh', operation: 'all', kind: 'tokens', description: 'refreshToken is the same string as accessToken (create and refresh).' },
  { id: 'access-expiry-day', operation: 'all', kind: 'tokens', description: 'Access tokens expire after 24 h instead of 60 min.' },
  { id: 'refresh-expiry-month', operation: 'all', kind: 'tokens', description: 'Refresh tokens expire after 30 days instead of a year.' },
  { id: 'token-not-jwt', operation: 'all', kind: 'tokens', description: 'Tokens are opaque random hex strings instead of JWTs.' },
  { id: 'token-type-wrong', operation: 'all', kind: 'tokens', description: 'Both tokens carry type "access_token".' },

  // ── ownership: answers that name a user the caller did not create ────────
  // With no pre-existing user to answer with, each behaves like the standard server.
  { id: 'create-answers-existing-user', operation: 'create', kind: 'ownership', description: "Create stores the new user correctly but answers 201 with the client's oldest pre-existing user (its id, object and a token pair for it), as if the re-read after the insert had lost its id filter." },
  { id: 'create-answers-lookalike', operation: 'create', kind: 'ownership', description: "Create stores the new user correctly but answers 201 with the client's newest lookalike (a pre-existing user whose e-mail is in the suite's namespace, from another run), with a token pair for it, as if the re-read matched the e-mail's namespace instead of the id." },
  { id: 'get-answers-other-user', operation: 'get', kind: 'ownership', description: "GET by id of an existing user answers 200 with another user of the same client (its oldest pre-existing one), as if a read cache were keyed by the client alone." },
  { id: 'get-answers-lookalike', operation: 'get', kind: 'ownership', description: "GET by id of an existing user answers 200 with the client's newest lookalike's object (e-mail in the suite's namespace, another run) carrying the requested id, as if the profile were joined by e-mail namespace and the id copied from the path." },
  { id: 'list-ignores-filters', operation: 'list', kind: 'ownership', description: 'List validates emails, limit and offset, then ignores them all and returns every user of the client.' },
  { id: 'create-answers-other-client-user', operation: 'create', kind: 'ownership', description: "Create stores the new user correctly but answers 201 with the oldest pre-existing user of another client (its id, object and a token pair for it), as if the re-read after the insert had lost both its id and client filters." },

  // ── ids ───────────────────────────────────────────────────────────────────
  { id: 'malformed-id-500', operation: 'all', kind: 'ids', description: 'A userId that is not an integer string answers 500 instead of 400.' },

  // ── accepting edges: a rule's largest, smallest or other accepted value refused ──
  { id: 'create-timezone-required', operation: 'create', kind: 'edges', description: 'Create requires timeZone (validated without @IsOptional): a body with only email and name is a 400.' },
  { id: 'name-empty-rejected', operation: 'all', kind: 'edges', description: 'name "" is a 400 (create and PATCH), as if the field carried @IsNotEmpty.' },
  { id: 'bio-empty-rejected', operation: 'all', kind: 'edges', description: 'bio "" is a 400 (create and PATCH).' },
  { id: 'timeformat-24-rejected', operation: 'all', kind: 'edges', description: 'timeFormat 24 is a 400 (create and PATCH): only 12 is in the accepted list.' },
  { id: 'weekstart-sunday-rejected', operation: 'all', kind: 'edges', description: 'weekStart "Sunday" is a 400 (create and PATCH): the weekday list runs Monday to Saturday.' },
  { id: 'timezone-regex', operation: 'all', kind: 'edges', description: 'timeZone must look like Area/Location (create and PATCH): "UTC" and three-part zones such as America/Argentina/Buenos_Aires are a 400.' },
  { id: 'locale-region-rejected', operation: 'all', kind: 'edges', description: 'Locales with a region (es-419, pt-BR, zh-CN, zh-TW) are a 400 (create and PATCH).' },
  { id: 'avatar-https-only', operation: 'all', kind: 'edges', description: 'avatarUrl must start with https:// (create and PATCH): an http URL is a 400.' },
  { id: 'metadata-empty-rejected', operation: 'all', kind: 'edges', description: 'metadata {} is a 400 (create and PATCH), as if it carried @IsNotEmptyObject.' },
  { id: 'metadata-key-count-off-by-one', operation: 'all', kind: 'edges', description: 'Metadata with exactly 50 keys is a 400 (>= instead of >; create and PATCH).' },
  { id: 'metadata-key-length-off-by-one', operation: 'all', kind: 'edges', description: 'A metadata key of exactly 40 characters is a 400 (create and PATCH).' },
  { id: 'metadata-value-length-off-by-one', operation: 'all', kind: 'edges', description: 'A metadata string value of exactly 500 characters is a 400 (create and PATCH).' },
  { id: 'metadata-strings-only', operation: 'all', kind: 'edges', description: 'Metadata values that are numbers or booleans are a 400 (create and PATCH).' },
  { id: 'create-email-format-checked', operation: 'create', kind: 'edges', description: 'Create checks the e-mail format (consecutive dots in the local part are a 400), which the server does not do.' },
  { id: 'create-timezone-null-rejected', operation: 'create', kind: 'edges', description: 'Create with timeZone null is a 400 instead of the default Europe/London.' },
  { id: 'create-timeformat-string-rejected', operation: 'create', kind: 'edges', description: 'Create with timeFormat "24" (a string) is a 400 instead of being coerced to 24.' },
  { id: 'default-weekstart-monday', operation: 'create', kind: 'defaults', description: 'A user created without weekStart gets Monday instead of Sunday.' },
  { id: 'default-timeformat-24', operation: 'create', kind: 'defaults', description: 'A user created without timeFormat gets 24 instead of 12.' },
  { id: 'list-limit-one-rejected', operation: 'list', kind: 'edges', description: 'limit=1 is a 400 (the lower bound is taken as 2).' },
  { id: 'list-limit-max-exclusive', operation: 'list', kind: 'edges', description: 'limit=250 is a 400 (the upper bound is exclusive).' },
  { id: 'list-offset-zero-rejected', operation: 'list', kind: 'edges', description: 'An explicit offset=0 is a 400 (a falsy check on the parsed value).' },
  { id: 'list-offset-max-exclusive', operation: 'list', kind: 'edges', description: 'offset=250 is a 400 (the upper bound is exclusive).' },
  { id: 'list-default-offset-one', operation: 'list', kind: 'defaults', description: 'Without offset, a page skips one user (offset defaults to 1, as if it were a page number).' },
  { id: 'list-default-limit-20', operation: 'list', kind: 'defaults', description: 'Without limit, a page holds at most 20 users instead of 50.' },
  { id: 'patch-timeformat-unchecked', operation: 'update', kind: 'validation', description: 'PATCH accepts any number as timeFormat.' },
  { id: 'patch-locale-unchecked', operation: 'update', kind: 'validation', description: 'PATCH accepts any string as locale.' },
  { id: 'patch-timezone-unchecked', operation: 'update', kind: 'validation', description: "PATCH accepts any timeZone string (incl. '') and stores it as given." },
  { id: 'patch-avatar-unchecked', operation: 'update', kind: 'validation', description: 'PATCH accepts any string as avatarUrl.' },
  { id: 'patch-non-object-accepted', operation: 'update', kind: 'validation', description: 'A PATCH body that is a JSON array is taken as an empty update (200).' },
  { id: 'patch-empty-body-rejected', operation: 'update', kind: 'edges', description: 'An empty PATCH ({}) is a 400 ("at least one field") instead of a no-op 200.' },
  { id: 'error-path-template', operation: 'all', kind: 'body-shape', description: "The error envelope's path is the route template (/v2/oauth-clients/:clientId/users/:userId), not the request path." },

  // ── explore-only: state-dependent bugs no named check targets (npm run explore finds them) ──
  { id: 'schedule-collision-third-user', operation: 'create', kind: 'state', exploreOnly: true, description: 'A user created with a timeZone while its client has exactly two live users with a default schedule (made since start-up) gets the newer one\'s schedule id instead of a schedule of its own.' },
  { id: 'patch-after-refresh-resets-locale', operation: 'update', kind: 'state', exploreOnly: true, description: 'A PATCH that does not send locale resets it to "en" once the user has been force-refreshed.' },
  { id: 'list-empty-name-null', operation: 'list', kind: 'state', exploreOnly: true, description: 'In list answers a user whose name is "" shows name null (get, create and PATCH show "").' },
  { id: 'patch-email-second-change-raw', operation: 'update', kind: 'state', exploreOnly: true, description: "A user's second (and later) e-mail change stores the raw address, without +<clientId>." },
  { id: 'list-offset-equal-count', operation: 'list', kind: 'state', exploreOnly: true, description: 'When offset equals the number of matching users (> 0), the page holds the last of them instead of none.' },
  { id: 'recreate-deleted-email-conflict', operation: 'create', kind: 'state', exploreOnly: true, description: 'Creating a user with the e-mail of a deleted user of the client is a 409 naming the deleted id.' },
  { id: 'patch-own-email-conflict', operation: 'update', kind: 'state', exploreOnly: true, description: 'A PATCH of a user\'s e-mail to the address it already has is a 409 (it conflicts with itself).' },
  { id: 'refresh-after-email-change-404', operation: 'refresh', kind: 'state', exploreOnly: true, description: 'Force-refresh of a user whose e-mail was changed by a PATCH is a 404 (looked up by its first e-mail).' },
  { id: 'patch-metadata-merges', operation: 'update', kind: 'state', exploreOnly: true, description: 'metadata in a PATCH is merged into the stored metadata instead of replacing it.' },
  { id: 'patch-timeformat-resets-weekstart', operation: 'update', kind: 'state', exploreOnly: true, description: 'A PATCH of timeFormat without weekStart resets weekStart to Sunday.' },
  { id: 'old-email-still-taken', operation: 'create', kind: 'state', exploreOnly: true, description: 'After a PATCH moved a user to a new e-mail, creating a user with its old e-mail is a 409.' },
] as const satisfies readonly { id: string; operation: FaultOperation; kind: string; description: string; exploreOnly?: true }[];

export type FaultId = (typeof DEFS)[number]['id'];

export interface FaultSpec {
  id: FaultId;
  operation: FaultOperation;
  kind: string;
  description: string;
  /**
   * Written for `npm run explore` (state-dependent bugs that no named check
   * targets): the mutation self-test (selftest/mutants.ts) leaves them out
   * unless named with --faults, and selftest/explore.spec.ts requires explore
   * to find each of them.
   */
  exploreOnly?: boolean;
}

export const FAULTS: readonly FaultSpec[] = DEFS;

/** The faults the named checks must kill (the mutation self-test's default set). */
export const NAMED_FAULTS: readonly FaultSpec[] = FAULTS.filter((f) => !f.exploreOnly);

/** The faults written for explore (see FaultSpec.exploreOnly). */
export const EXPLORE_ONLY_FAULTS: readonly FaultSpec[] = FAULTS.filter((f) => f.exploreOnly);

const FAULT_IDS: ReadonlySet<string> = new Set(DEFS.map((f) => f.id));

export function isFaultId(value: unknown): value is FaultId {
  return typeof value === 'string' && FAULT_IDS.has(value);
}
