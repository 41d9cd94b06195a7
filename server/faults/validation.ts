/** Faults of input validation: rules left out, and invalid input answered 500. */
import { type MetadataBound, ok } from '../validation';
import type { Patch } from '../seams';
import { accepts, createRule, type FaultDef, isFiniteNumber, isString, patchRule } from './fault';

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
] as const satisfies readonly FaultDef[];
