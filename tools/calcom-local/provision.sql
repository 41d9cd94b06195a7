-- Provision a local Cal.com database for the managed-users contract suite.
--
-- Inserts, idempotently, what a platform OAuth client needs to call
-- /v2/oauth-clients/{clientId}/users on Cal.com's API v2:
--   * a platform organization: a "Team" with "isOrganization" and "isPlatform"
--     (OrganizationRolesGuard refuses an organization that is not a platform),
--     and its "OrganizationSettings" row;
--   * its owner: a "users" row with an accepted OWNER "Membership" (the API
--     acts as this user when a request carries OAuth client credentials) and an
--     organization "Profile";
--   * two "PlatformOAuthClient" rows of that organization, each with a secret
--     (the API compares x-cal-secret-key with the stored secret as is).
-- Rows are found by fixed slug, e-mail and names first, so a second run
-- changes nothing and prints the same ids and secrets.
--
-- Table and column names are those of Cal.com's packages/prisma/schema.prisma
-- (Prisma model names are the table names, except User → "users").
-- Needs PostgreSQL 13+ (gen_random_uuid) and psql 10+ (\if, \gset).
--
--   psql "$DATABASE_URL" -f tools/calcom-local/provision.sql
--   psql "$DATABASE_URL" -v api_url=http://localhost:5555/api -f tools/calcom-local/provision.sql
--
-- It prints the suite's variables as `export NAME='value'` lines (and one
-- `#` comment line), ready for eval "$(psql ... -f provision.sql)".
-- tools/calcom-local/provision.ts runs exactly this script through psql.

\set ON_ERROR_STOP on
\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset footer off
\if :{?api_url}
\else
\set api_url 'http://localhost:5555/api'
\endif

BEGIN;

-- One provisioning at a time: the organization has no unique key to conflict
-- on (its slug is unique only together with "parentId", which is NULL).
SELECT pg_advisory_xact_lock(7402115023) AS provision_lock \gset

-- 1. The platform organization.
INSERT INTO "Team" ("name", "slug", "isOrganization", "isPlatform")
SELECT 'Contract suite platform', 'contract-suite-platform', true, true
WHERE NOT EXISTS (
  SELECT 1 FROM "Team" WHERE "slug" = 'contract-suite-platform' AND "parentId" IS NULL
);

SELECT min("id") AS org_id FROM "Team"
WHERE "slug" = 'contract-suite-platform' AND "parentId" IS NULL \gset

UPDATE "Team" SET "isOrganization" = true, "isPlatform" = true
WHERE "id" = :org_id AND NOT ("isOrganization" AND "isPlatform");

INSERT INTO "OrganizationSettings" ("organizationId", "orgAutoAcceptEmail")
VALUES (:org_id, 'contract-suite.invalid')
ON CONFLICT ("organizationId") DO NOTHING;

-- 2. Its owner. Some Cal.com schemas give "users" a required "uuid" column
-- that Prisma fills in (no database default); others have no such column.
SELECT EXISTS (
  SELECT 1 FROM information_schema.columns
  WHERE table_schema = current_schema() AND table_name = 'users' AND column_name = 'uuid'
) AS users_have_uuid \gset

\if :users_have_uuid
INSERT INTO "users" ("uuid", "email", "username", "name", "emailVerified", "completedOnboarding", "locale", "organizationId")
SELECT gen_random_uuid(), 'contract-suite-owner@example.com', 'contract-suite-owner', 'Contract suite owner', now(), true, 'en', :org_id
WHERE NOT EXISTS (SELECT 1 FROM "users" WHERE "email" = 'contract-suite-owner@example.com');
\else
INSERT INTO "users" ("email", "username", "name", "emailVerified", "completedOnboarding", "locale", "organizationId")
SELECT 'contract-suite-owner@example.com', 'contract-suite-owner', 'Contract suite owner', now(), true, 'en', :org_id
WHERE NOT EXISTS (SELECT 1 FROM "users" WHERE "email" = 'contract-suite-owner@example.com');
\endif

SELECT "id" AS owner_id FROM "users" WHERE "email" = 'contract-suite-owner@example.com' \gset

-- ApiAuthStrategy looks up the organization's accepted OWNER (else ADMIN);
-- OrganizationRolesGuard then needs that membership accepted, role OWNER/ADMIN.
INSERT INTO "Membership" ("teamId", "userId", "accepted", "role")
VALUES (:org_id, :owner_id, true, 'OWNER')
ON CONFLICT ("userId", "teamId") DO UPDATE SET "accepted" = true, "role" = 'OWNER';

INSERT INTO "Profile" ("uid", "userId", "organizationId", "username", "updatedAt")
VALUES (gen_random_uuid()::text, :owner_id, :org_id, 'contract-suite-owner', now())
ON CONFLICT ("userId", "organizationId") DO NOTHING;

-- As Cal.com's own seed does for its platform user: older API versions find
-- the caller's organization through these two columns.
UPDATE "users" SET
  "organizationId" = :org_id,
  "movedToProfileId" = (SELECT "id" FROM "Profile" WHERE "userId" = :owner_id AND "organizationId" = :org_id)
WHERE "id" = :owner_id
  AND ("organizationId" IS DISTINCT FROM :org_id OR "movedToProfileId" IS NULL);

-- 3. Two OAuth clients of the organization (ids shaped like Prisma's cuids).
INSERT INTO "PlatformOAuthClient" ("id", "name", "secret", "permissions", "redirectUris", "organizationId")
SELECT 'c' || left(replace(gen_random_uuid()::text, '-', ''), 24),
       'contract-suite',
       'sk_local_' || replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''),
       1023, ARRAY['http://localhost:4321'], :org_id
WHERE NOT EXISTS (
  SELECT 1 FROM "PlatformOAuthClient" WHERE "organizationId" = :org_id AND "name" = 'contract-suite'
);

INSERT INTO "PlatformOAuthClient" ("id", "name", "secret", "permissions", "redirectUris", "organizationId")
SELECT 'c' || left(replace(gen_random_uuid()::text, '-', ''), 24),
       'contract-suite-other',
       'sk_local_' || replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''),
       1023, ARRAY['http://localhost:4321'], :org_id
WHERE NOT EXISTS (
  SELECT 1 FROM "PlatformOAuthClient" WHERE "organizationId" = :org_id AND "name" = 'contract-suite-other'
);

-- The clients' credentials (the first by id of each name, should there be more).
SELECT "id" AS client_id, "secret" AS client_secret FROM "PlatformOAuthClient"
WHERE "organizationId" = :org_id AND "name" = 'contract-suite' ORDER BY "id" LIMIT 1 \gset
SELECT "id" AS other_id, "secret" AS other_secret FROM "PlatformOAuthClient"
WHERE "organizationId" = :org_id AND "name" = 'contract-suite-other' ORDER BY "id" LIMIT 1 \gset

COMMIT;

-- 4. The suite's variables, shell-quoted.
SELECT '# Cal.com platform organization ' || :org_id || ' (contract-suite-platform), owner user ' || :owner_id;
SELECT 'export ' || v.name || '=''' || replace(v.value, '''', $q$'\''$q$) || ''''
FROM (VALUES
  (1, 'CAL_API_URL', :'api_url'),
  (2, 'CAL_OAUTH_CLIENT_ID', :'client_id'),
  (3, 'CAL_OAUTH_CLIENT_SECRET', :'client_secret'),
  (4, 'CAL_OTHER_OAUTH_CLIENT_ID', :'other_id'),
  (5, 'CAL_OTHER_OAUTH_CLIENT_SECRET', :'other_secret')
) AS v (ord, name, value)
ORDER BY v.ord;
