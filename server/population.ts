/**
 * Realistic-looking users that exist before the suite runs (as on a shared
 * staging server), and lookalikes: users left by other runs of the contract
 * suite, whose e-mails have exactly the suite's format. Deterministic for a
 * given seed; only the dates (and so the lookalikes' run stamps) follow the
 * clock.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from './constants';
import { type Rng, pick, randInt } from './rng';
import type { Metadata } from './validation';

export interface SeedUser {
  email: string;
  name: string;
  timeZone?: string;
  weekStart: string;
  timeFormat: number;
  locale: string;
  bio?: string;
  avatarUrl?: string;
  metadata?: Metadata;
  createdAtMs: number;
  /** An e-mail in the contract suite's namespace, from another run. */
  lookalike?: boolean;
}

const FIRST = [
  'olivia', 'liam', 'emma', 'noah', 'amelia', 'oliver', 'sophia', 'elijah', 'isabella', 'lucas',
  'mia', 'mateo', 'charlotte', 'james', 'harper', 'benjamin', 'evelyn', 'henry', 'priya', 'arjun',
  'yuki', 'hiro', 'fatima', 'omar', 'chloe', 'leon', 'ines', 'tomas', 'freya', 'jonas',
  'aisha', 'kwame', 'sofia', 'diego', 'nora', 'emil', 'clara', 'felix', 'maya', 'ravi',
];
const LAST = [
  'smith', 'johnson', 'garcia', 'martinez', 'brown', 'davis', 'lopez', 'wilson', 'anderson', 'thomas',
  'moore', 'martin', 'lee', 'walker', 'hall', 'young', 'king', 'wright', 'scott', 'green',
  'patel', 'sharma', 'tanaka', 'sato', 'haddad', 'mensah', 'novak', 'schmidt', 'rossi', 'dubois',
  'larsen', 'silva', 'costa', 'kowalski', 'nguyen', 'kim', 'oconnor', 'fischer', 'weber', 'moreau',
];
const DOMAINS = [
  'acme-corp.com', 'globex.io', 'initech.com', 'umbrella-health.org', 'stark-industries.com',
  'wayne-enterprises.com', 'hooli.xyz', 'piedpiper.net', 'vandelay.co', 'wonka-industries.com',
];
const ZONES = [
  'America/New_York', 'America/Los_Angeles', 'America/Chicago', 'Europe/Berlin', 'Europe/Paris',
  'Europe/Madrid', 'Asia/Tokyo', 'Asia/Singapore', 'Australia/Sydney', 'America/Sao_Paulo',
];
const WEEK_STARTS = ['Monday', 'Sunday', 'Monday', 'Saturday'];
const LOCALES = ['en', 'en', 'en', 'de', 'fr', 'es', 'pt-BR', 'ja', 'nl', 'it'];
const ROLES = ['Account Executive', 'Customer Success Manager', 'Solutions Engineer', 'Recruiter', 'Physiotherapist', 'Tutor'];
const DEPARTMENTS = ['sales', 'support', 'engineering', 'people', 'clinical'];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `count` distinct users for one OAuth client. */
export function seedUsers(rng: Rng, count: number, now: number): SeedUser[] {
  const out: SeedUser[] = [];
  const used = new Set<string>();
  const domain = pick(rng, DOMAINS);
  for (let i = 0; i < count; i++) {
    const first = pick(rng, FIRST);
    const last = pick(rng, LAST);
    let local = rng() < 0.8 ? `${first}.${last}` : `${first.charAt(0)}${last}`;
    for (let n = 2; used.has(local); n++) local = `${first}.${last}${n}`;
    used.add(local);
    const user: SeedUser = {
      email: `${local}@${rng() < 0.85 ? domain : pick(rng, DOMAINS)}`,
      name: `${cap(first)} ${cap(last)}`,
      weekStart: pick(rng, WEEK_STARTS),
      timeFormat: rng() < 0.6 ? 12 : 24,
      locale: pick(rng, LOCALES),
      createdAtMs: now - randInt(rng, 2, 700) * DAY_MS - randInt(rng, 0, DAY_MS - 1),
    };
    if (rng() < 0.75) user.timeZone = pick(rng, ZONES);
    if (rng() < 0.4) user.bio = `${pick(rng, ROLES)} at ${cap(domain.split(/[.-]/)[0] ?? 'acme')}`;
    if (rng() < 0.3) user.avatarUrl = `https://cdn.${domain}/avatars/${Math.floor(rng() * 0xffffffff).toString(16)}.png`;
    if (rng() < 0.35) user.metadata = { department: pick(rng, DEPARTMENTS), employeeNumber: randInt(rng, 1000, 9999), onboarded: rng() < 0.7 };
    out.push(user);
  }
  return out;
}

/** The suite's namespace: `<prefix>-<runId>-<tag6><counter>-<firstname>@<domain>` (fixtures/contract/inputs.ts). */
export const SUITE_PREFIX = 'ctr';
export const SUITE_DOMAIN = 'example.com';
/** How old the lookalikes' runs are: a concurrent run, one from earlier today, one from days ago. */
const LOOKALIKE_AGES_MS = [MINUTE_MS, 2 * HOUR_MS, 3 * DAY_MS];
export const MAX_LOOKALIKES = LOOKALIKE_AGES_MS.length;
const FAKER_FIRST = [
  'lynette', 'rocky', 'foster', 'marlene', 'darius', 'kathryn', 'elmer', 'trudy', 'wilfred', 'bethany',
  'conrad', 'imogene', 'jarrod', 'velma', 'orville', 'rosalind', 'quentin', 'shayna', 'ethel', 'garland',
];
const FAKER_LAST = ['Kuhn', 'Schaden', 'Gutmann', 'Okuneva', 'Runolfsdottir', 'Bergstrom', 'Wisozk', 'Hettinger'];
const SUITE_ZONES = ['America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney', 'Pacific/Auckland'];
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

const base36 = (rng: Rng, n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += BASE36[Math.floor(rng() * 36)];
  return s;
};

/** A run id like the suite's: base36 epoch seconds padded to 7 characters + 3 random base36 characters. */
export function runIdAt(rng: Rng, epochMs: number): string {
  return Math.floor(epochMs / 1000).toString(36).padStart(7, '0') + base36(rng, 3);
}

/**
 * `count` (at most 3) users another run of the suite created and has not
 * removed yet: about a minute old (a run going on right now), two hours old and
 * three days old. Their e-mails are indistinguishable from the suite's own
 * except for the run id.
 */
export function seedLookalikes(rng: Rng, count: number, now: number): SeedUser[] {
  const out: SeedUser[] = [];
  for (const age of LOOKALIKE_AGES_MS.slice(0, Math.max(0, count))) {
    // The run started `age` ago (give or take a little); the user a few seconds later.
    const runStart = now - age - randInt(rng, 0, Math.min(age / 6, 10 * MINUTE_MS));
    const runId = runIdAt(rng, runStart);
    const tag = base36(rng, 6);
    const counter = randInt(rng, 1, 4).toString(36);
    const first = pick(rng, FAKER_FIRST);
    const user: SeedUser = {
      email: `${SUITE_PREFIX}-${runId}-${tag}${counter}-${first}@${SUITE_DOMAIN}`,
      name: `${cap(first)} ${pick(rng, FAKER_LAST)}`,
      weekStart: pick(rng, WEEK_STARTS),
      timeFormat: rng() < 0.5 ? 12 : 24,
      locale: pick(rng, LOCALES),
      createdAtMs: runStart + randInt(rng, 1_000, 20_000),
      lookalike: true,
    };
    if (rng() < 0.7) user.timeZone = pick(rng, SUITE_ZONES);
    if (rng() < 0.5) user.bio = `Contract check ${tag}`;
    if (rng() < 0.5) user.metadata = { contractProbe: tag, attempt: randInt(rng, 1, 3) };
    out.push(user);
  }
  return out;
}
