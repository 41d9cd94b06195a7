/**
 * Realistic-looking users that exist before the suite runs (as on a shared
 * staging server). Deterministic for a given seed.
 */
import { DAY_MS } from './constants';
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
