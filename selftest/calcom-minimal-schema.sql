-- The part of Cal.com's database that tools/calcom-local/provision.sql
-- touches, for the self-test (selftest/calcom-local.spec.ts) to run the SQL
-- against a throwaway PostgreSQL. Modelled on packages/prisma/schema.prisma
-- (models Team, User → "users", Profile, Membership, OrganizationSettings,
-- PlatformOAuthClient) as Prisma migrates it: @default(now()) becomes a column
-- DEFAULT, while @default(cuid()), @default(uuid()) and @updatedAt are filled
-- in by Prisma and have no DEFAULT, so raw SQL must supply them. Columns with
-- defaults that the provisioning never sets are mostly left out; the unique
-- constraints are all here, as they decide what ON CONFLICT may name.
-- "users"."uuid" (UUID NOT NULL, no default) is not in every version of the
-- schema: it is modelled on a full migration of a recent one, and the
-- self-test also runs the SQL with the column dropped.

CREATE TYPE "MembershipRole" AS ENUM ('MEMBER', 'ADMIN', 'OWNER');

CREATE TABLE "Team" (
  "id" SERIAL PRIMARY KEY,
  "name" TEXT NOT NULL,
  "slug" TEXT,
  "parentId" INTEGER REFERENCES "Team" ("id") ON DELETE CASCADE,
  "metadata" JSONB,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "timeZone" TEXT NOT NULL DEFAULT 'Europe/London',
  "weekStart" TEXT NOT NULL DEFAULT 'Sunday',
  "isOrganization" BOOLEAN NOT NULL DEFAULT false,
  "isPlatform" BOOLEAN NOT NULL DEFAULT false,
  "pendingPayment" BOOLEAN NOT NULL DEFAULT false,
  "createdByOAuthClientId" TEXT
);
CREATE UNIQUE INDEX "Team_slug_parentId_key" ON "Team" ("slug", "parentId");

CREATE TABLE "OrganizationSettings" (
  "id" SERIAL PRIMARY KEY,
  "organizationId" INTEGER NOT NULL REFERENCES "Team" ("id") ON DELETE CASCADE,
  "isOrganizationConfigured" BOOLEAN NOT NULL DEFAULT false,
  "isOrganizationVerified" BOOLEAN NOT NULL DEFAULT false,
  "orgAutoAcceptEmail" TEXT NOT NULL,
  "isAdminReviewed" BOOLEAN NOT NULL DEFAULT false,
  "isAdminAPIEnabled" BOOLEAN NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX "OrganizationSettings_organizationId_key" ON "OrganizationSettings" ("organizationId");

CREATE TABLE "users" (
  "id" SERIAL PRIMARY KEY,
  "uuid" UUID NOT NULL,
  "username" TEXT,
  "name" TEXT,
  "email" TEXT NOT NULL,
  "emailVerified" TIMESTAMP(3),
  "timeZone" TEXT NOT NULL DEFAULT 'Europe/London',
  "weekStart" TEXT NOT NULL DEFAULT 'Sunday',
  "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "completedOnboarding" BOOLEAN NOT NULL DEFAULT false,
  "locale" TEXT,
  "timeFormat" INTEGER DEFAULT 12,
  "metadata" JSONB,
  "organizationId" INTEGER REFERENCES "Team" ("id") ON DELETE SET NULL,
  "locked" BOOLEAN NOT NULL DEFAULT false,
  "movedToProfileId" INTEGER,
  "isPlatformManaged" BOOLEAN NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX "users_uuid_key" ON "users" ("uuid");
CREATE UNIQUE INDEX "users_email_key" ON "users" ("email");
CREATE UNIQUE INDEX "users_email_username_key" ON "users" ("email", "username");
CREATE UNIQUE INDEX "users_username_organizationId_key" ON "users" ("username", "organizationId");
CREATE UNIQUE INDEX "users_movedToProfileId_key" ON "users" ("movedToProfileId");

CREATE TABLE "Profile" (
  "id" SERIAL PRIMARY KEY,
  "uid" TEXT NOT NULL,
  "userId" INTEGER NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
  "organizationId" INTEGER NOT NULL REFERENCES "Team" ("id") ON DELETE CASCADE,
  "username" TEXT NOT NULL,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" TIMESTAMP(3) NOT NULL
);
CREATE UNIQUE INDEX "Profile_userId_organizationId_key" ON "Profile" ("userId", "organizationId");
CREATE UNIQUE INDEX "Profile_username_organizationId_key" ON "Profile" ("username", "organizationId");
ALTER TABLE "users" ADD FOREIGN KEY ("movedToProfileId") REFERENCES "Profile" ("id") ON DELETE SET NULL;

CREATE TABLE "Membership" (
  "id" SERIAL PRIMARY KEY,
  "teamId" INTEGER NOT NULL REFERENCES "Team" ("id") ON DELETE CASCADE,
  "userId" INTEGER NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
  "accepted" BOOLEAN NOT NULL DEFAULT false,
  "role" "MembershipRole" NOT NULL,
  "disableImpersonation" BOOLEAN NOT NULL DEFAULT false,
  "createdAt" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" TIMESTAMP(3)
);
CREATE UNIQUE INDEX "Membership_userId_teamId_key" ON "Membership" ("userId", "teamId");

CREATE TABLE "PlatformOAuthClient" (
  "id" TEXT PRIMARY KEY,
  "name" TEXT NOT NULL,
  "secret" TEXT NOT NULL,
  "permissions" INTEGER NOT NULL,
  "logo" TEXT,
  "redirectUris" TEXT[],
  "organizationId" INTEGER NOT NULL REFERENCES "Team" ("id") ON DELETE CASCADE,
  "bookingRedirectUri" TEXT,
  "bookingCancelRedirectUri" TEXT,
  "bookingRescheduleRedirectUri" TEXT,
  "areEmailsEnabled" BOOLEAN NOT NULL DEFAULT false,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
