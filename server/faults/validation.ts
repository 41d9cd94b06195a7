/** Faults of input validation: rules left out, and invalid input answered 500. */
import { fail, type FieldRule, LOCALE_LIST, type MetadataBound, ok } from '../validation';
import { composePatches, type Patch } from '../seams';
import { accepts, bothRules, createRule, type FaultDef, isFiniteNumber, isString, patchRule, refuses } from './fault';

/** The enum member a string names in any letter case, if any. */
const memberIgnoringCase = (v: unknown) => (typeof v === 'string' ? LOCALE_LIST.find((l) => l.toLowerCase() === v.toLowerCase()) : undefined);

/** A global @Transform(trim) ahead of the rule. */
const trimmed = (base: FieldRule): FieldRule => (v) => base(typeof v === 'string' ? v.trim() : v);

/** A metadata bound never checked. */
const unbounded = (bound: MetadataBound): Patch => (s) => ({ metadataBound: (b, n) => b === bound || s.metadataBound(b, n) });

export const VALIDATION_FAULTS = [
  // ── input validation ──────────────────────────────────────────────────────
  {
    id: 'create-timezone-unchecked', operation: 'create', kind: 'validation', description: "Create accepts any timeZone string (incl. '') and stores it as given.",
    patch: createRule('timeZone', accepts(isString)),
  },
  {
    id: 'create-timeformat-unchecked', operation: 'create', kind: 'validation', description: 'Create accepts any number as timeFormat.',
    patch: createRule('timeFormat', accepts(isFiniteNumber)),
  },
  {
    id: 'create-locale-unchecked', operation: 'create', kind: 'validation', description: 'Create accepts any string as locale.',
    patch: createRule('locale', accepts(isString)),
  },
  {
    id: 'create-avatar-unchecked', operation: 'create', kind: 'validation', description: 'Create accepts any string as avatarUrl.',
    patch: createRule('avatarUrl', accepts(isString)),
  },
  {
    id: 'metadata-key-count-unchecked', operation: 'all', kind: 'validation', description: 'Metadata with more than 50 keys is accepted (create and PATCH).',
    patch: unbounded('keys'),
  },
  {
    id: 'metadata-key-length-unchecked', operation: 'all', kind: 'validation', description: 'Metadata keys longer than 40 characters are accepted (create and PATCH).',
    patch: unbounded('keyLength'),
  },
  {
    id: 'metadata-value-length-unchecked', operation: 'all', kind: 'validation', description: 'Metadata string values longer than 500 characters are accepted (create and PATCH).',
    patch: unbounded('valueLength'),
  },
  {
    id: 'metadata-nested-accepted', operation: 'all', kind: 'validation', description: 'Metadata values that are objects or arrays are accepted (create and PATCH).',
    patch: (s) => ({ metadataValue: (v) => (typeof v === 'object' && v !== null ? 'nested' : s.metadataValue(v)) }),
  },
  {
    id: 'create-name-optional', operation: 'create', kind: 'validation', description: 'Create without name answers 201 with name null.',
    patch: createRule('name', (base) => (v) => (v === undefined || v === null ? ok(null) : base(v))),
  },
  {
    id: 'create-missing-email-500', operation: 'create', kind: 'validation', description: 'Create without email answers 500 instead of 400.',
    patch: (s, { answers }) => ({ create: (ctx, body) => (body.email === undefined ? answers.internalError() : s.create(ctx, body)) }),
  },
  {
    id: 'wrong-type-500', operation: 'all', kind: 'validation', description: 'A wrongly typed body field (e.g. name: 123, bio: []) answers 500 instead of 400 (create and PATCH).',
    patch: (s, { answers }) => ({
      create: (ctx, body) => (s.validateCreate(body).errors.some((e) => e.kind === 'type') ? answers.internalError() : s.create(ctx, body)),
      update: (ctx, id, body) => (s.validatePatch(body).errors.some((e) => e.kind === 'type') ? answers.internalError() : s.update(ctx, id, body)),
    }),
  },
  {
    id: 'patch-weekstart-unchecked', operation: 'update', kind: 'validation', description: 'PATCH accepts any weekStart string.',
    patch: patchRule('weekStart', accepts(isString)),
  },

  // ── enums: members and near misses ────────────────────────────────────────
  {
    id: 'locale-bn-missing', operation: 'all', kind: 'enum', description: 'The locale enum lacks "bn" (42 values, as before 2025-07-08): locale "bn" is a 400 on create and PATCH.',
    patch: bothRules('locale', refuses((v) => v === 'bn', (m) => fail('locale', 'value', m.mustBeOneOf('locale', LOCALE_LIST.filter((l) => l !== 'bn'))))),
  },
  {
    id: 'locale-case-insensitive', operation: 'all', kind: 'enum', description: 'locale is compared case-insensitively: "EN" or "PT-br" is accepted and stored as the member ("en", "pt-BR"), on create and PATCH.',
    patch: bothRules('locale', (base) => (v) => {
      const member = memberIgnoringCase(v);
      return member === undefined ? base(v) : ok(member);
    }),
  },
  {
    id: 'enum-spaces-trimmed', operation: 'all', kind: 'enum', description: 'weekStart and locale are trimmed before their enum check: " Monday " and "de " are accepted and stored trimmed (create and PATCH).',
    patch: composePatches([bothRules('locale', trimmed), bothRules('weekStart', trimmed)]),
  },
  {
    id: 'timeformat-range-checked', operation: 'all', kind: 'enum', description: 'timeFormat is checked as a range (@Min(12) @Max(24)) instead of the two values: 13..23 are accepted (create and PATCH).',
    patch: bothRules('timeFormat', (base) => (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 12 && v <= 24 ? ok(v) : base(v))),
  },
] as const satisfies readonly FaultDef[];
