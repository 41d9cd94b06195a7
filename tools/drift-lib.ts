/**
 * Contract drift: compares two OpenAPI 3.0 documents over the six managed-user
 * operations and classifies every difference as breaking or compatible *for
 * API clients* (programs that call the server).
 *
 * The rules are data (RULES below): one rule per change kind and side. The
 * request side is what clients send (a change there breaks them when the
 * server starts rejecting what they send); the response side is what clients
 * read (a change there breaks them when the server may answer with something
 * they were promised they would not get). Constraint changes therefore mirror
 * each other: tightening breaks requests, loosening breaks responses.
 *
 * | change                         | operation  | request (sent) | response (read) |
 * |--------------------------------|------------|----------------|-----------------|
 * | operation-removed              | breaking   | ·              | ·               |
 * | operation-added                | compatible | ·              | ·               |
 * | method-changed                 | breaking   | ·              | ·               |
 * | path-changed                   | breaking   | ·              | ·               |
 * | parameter-removed              | ·          | breaking       | ·               |
 * | parameter-added                | ·          | compatible     | ·               |
 * | required-parameter-added       | ·          | breaking       | ·               |
 * | body-removed                   | ·          | breaking       | breaking        |
 * | body-added                     | ·          | compatible     | compatible      |
 * | required-body-added            | ·          | breaking       | ·               |
 * | success-status-removed         | ·          | ·              | breaking        |
 * | success-status-changed         | ·          | ·              | breaking        |
 * | error-status-removed           | ·          | ·              | compatible      |
 * | status-added                   | ·          | ·              | compatible      |
 * | property-removed               | ·          | breaking       | breaking        |
 * | property-added                 | ·          | compatible     | compatible      |
 * | required-property-added        | ·          | breaking       | compatible      |
 * | required-added                 | ·          | breaking       | compatible      |
 * | required-removed               | ·          | compatible     | breaking        |
 * | type-changed                   | ·          | breaking       | breaking        |
 * | type-widened                   | ·          | compatible     | breaking        |
 * | type-narrowed                  | ·          | breaking       | compatible      |
 * | nullable-added                 | ·          | compatible     | breaking        |
 * | nullable-removed               | ·          | breaking       | compatible      |
 * | enum-value-added               | ·          | compatible     | breaking        |
 * | enum-value-removed             | ·          | breaking       | compatible      |
 * | enum-constraint-added          | ·          | breaking       | compatible      |
 * | enum-constraint-removed        | ·          | compatible     | breaking        |
 * | bound-tightened                | ·          | breaking       | compatible      |
 * | bound-loosened                 | ·          | compatible     | breaking        |
 * | format-changed                 | ·          | breaking       | breaking        |
 * | format-added                   | ·          | breaking       | compatible      |
 * | format-removed                 | ·          | compatible     | breaking        |
 * | pattern-changed                | ·          | breaking       | breaking        |
 * | pattern-added                  | ·          | breaking       | compatible      |
 * | pattern-removed                | ·          | compatible     | breaking        |
 * | additional-properties-allowed  | ·          | compatible     | compatible      |
 * | additional-properties-forbidden| ·          | breaking       | compatible      |
 *
 * Notes: "required-added" is optional → required (a parameter, the request
 * body, or a property); "required-removed" the reverse. integer → number is a
 * widening (number → integer a narrowing); any other type change is
 * type-changed. Bounds are minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, minLength, maxLength, minItems, maxItems, minProperties and
 * maxProperties. A success status (2xx) replaced by another one is reported
 * once, as success-status-changed. A selftest checks this table against RULES.
 */
import { OPERATION_IDS, type ContractDocument, type OperationId, type OperationSpec, type ParameterSpec, type Schema } from '../fixtures/contract/openapi';

export type Severity = 'breaking' | 'compatible';
/** Where a change sits: the operation itself, what clients send, or what they read. */
export type Side = 'operation' | 'request' | 'response';

export interface Rule {
  severity: Severity;
  /** One short sentence, from the client's point of view. */
  why: string;
}

const breaking = (why: string): Rule => ({ severity: 'breaking', why });
const compatible = (why: string): Rule => ({ severity: 'compatible', why });

/** The classification rules: change kind → side → rule. Keep the header table in step (a selftest checks it). */
export const RULES = {
  'operation-removed': { operation: breaking('Clients calling the operation get an error.') },
  'operation-added': { operation: compatible('Existing clients do not call it.') },
  'method-changed': { operation: breaking('Clients still use the old HTTP method.') },
  'path-changed': { operation: breaking('Clients still call the old path.') },

  'parameter-removed': { request: breaking('Clients still send a parameter the server no longer accepts.') },
  'parameter-added': { request: compatible('Clients may omit a new optional parameter.') },
  'required-parameter-added': { request: breaking('Clients do not send the new required parameter.') },

  'body-removed': {
    request: breaking('Clients still send a body the operation no longer takes.'),
    response: breaking('Clients read a body the operation no longer promises.'),
  },
  'body-added': {
    request: compatible('Clients may omit the new optional body.'),
    response: compatible('Clients that ignore the body are unaffected.'),
  },
  'required-body-added': { request: breaking('Clients do not send the newly required body.') },

  'success-status-removed': { response: breaking('Clients expect a success status that is no longer returned.') },
  'success-status-changed': { response: breaking('Clients check for the old success status.') },
  'error-status-removed': { response: compatible('Clients must handle undeclared errors anyway; reported for review.') },
  'status-added': { response: compatible('A new status is reported; clients treat unknown statuses generically.') },

  'property-removed': {
    request: breaking('Clients still send a property the server no longer accepts.'),
    response: breaking('Clients read a property that is no longer promised.'),
  },
  'property-added': {
    request: compatible('Clients may omit a new optional property.'),
    response: compatible('Clients ignore properties they do not know.'),
  },
  'required-property-added': {
    request: breaking('Clients do not send the new required property.'),
    response: compatible('Clients ignore properties they do not know.'),
  },
  'required-added': {
    request: breaking('Clients that omit it are now rejected.'),
    response: compatible('The server now always sends it.'),
  },
  'required-removed': {
    request: compatible('Clients that send it are still accepted.'),
    response: breaking('Clients rely on it being present, and it may now be missing.'),
  },
  'type-changed': {
    request: breaking('Clients send values of the old type.'),
    response: breaking('Clients parse values of the old type.'),
  },
  'type-widened': {
    request: compatible('Every value clients send is still accepted.'),
    response: breaking('Clients may now receive values outside the old type.'),
  },
  'type-narrowed': {
    request: breaking('Some values clients send are now rejected.'),
    response: compatible('Every value clients receive is still of the old type.'),
  },
  'nullable-added': {
    request: compatible('Clients may keep sending non-null values.'),
    response: breaking('Clients may now receive null.'),
  },
  'nullable-removed': {
    request: breaking('Clients that send null are now rejected.'),
    response: compatible('Clients no longer receive null.'),
  },
  'enum-value-added': {
    request: compatible('Every value clients send is still accepted.'),
    response: breaking('Clients handling every value exhaustively meet an unknown one.'),
  },
  'enum-value-removed': {
    request: breaking('Clients sending the removed value are rejected.'),
    response: compatible('Clients simply stop receiving that value.'),
  },
  'enum-constraint-added': {
    request: breaking('Values outside the new list are now rejected.'),
    response: compatible('Clients receive a subset of what they handled.'),
  },
  'enum-constraint-removed': {
    request: compatible('Every value clients send is still accepted.'),
    response: breaking('Clients may now receive values outside the old list.'),
  },
  'bound-tightened': {
    request: breaking('Values clients send may now be out of bounds and rejected.'),
    response: compatible('Clients receive values within the old bounds.'),
  },
  'bound-loosened': {
    request: compatible('Every value clients send is still within bounds.'),
    response: breaking('Clients may now receive values outside the old bounds.'),
  },
  'format-changed': {
    request: breaking('Clients send values in the old format.'),
    response: breaking('Clients parse values in the old format.'),
  },
  'format-added': {
    request: breaking('Values not in the new format are now rejected.'),
    response: compatible('Clients receive values in a more specific format.'),
  },
  'format-removed': {
    request: compatible('Every value clients send is still accepted.'),
    response: breaking('Clients can no longer rely on the old format.'),
  },
  'pattern-changed': {
    request: breaking('Values clients send may no longer match.'),
    response: breaking('Clients can no longer rely on the old pattern.'),
  },
  'pattern-added': {
    request: breaking('Values not matching the new pattern are now rejected.'),
    response: compatible('Clients receive values matching a pattern.'),
  },
  'pattern-removed': {
    request: compatible('Every value clients send is still accepted.'),
    response: breaking('Clients can no longer rely on the old pattern.'),
  },
  'additional-properties-allowed': {
    request: compatible('The server now accepts undeclared properties.'),
    response: compatible('Clients ignore properties they do not know.'),
  },
  'additional-properties-forbidden': {
    request: breaking('Clients sending undeclared properties are now rejected.'),
    response: compatible('Clients receive only declared properties.'),
  },
} satisfies Record<string, Partial<Record<Side, Rule>>>;

export type ChangeKind = keyof typeof RULES;

export interface Difference {
  /** Set by --accept: the reviewed entry that accepts this breaking difference (it then does not fail the run). */
  accepted?: { reason: string; expires?: string };
  operationId: OperationId;
  /** e.g. "response 200 /data/id", "request body /timeZone", "query parameter limit", "operation". */
  location: string;
  change: ChangeKind;
  before: string;
  after: string;
  severity: Severity;
  why: string;
}

/** The rule for a change kind on a side; throws on a combination the table does not define (a bug here). */
export function ruleFor(change: ChangeKind, side: Side): Rule {
  const rule = (RULES[change] as Partial<Record<Side, Rule>>)[side];
  if (!rule) throw new Error(`drift: no rule for ${change} on the ${side} side`);
  return rule;
}

const ABSENT = '—';

/** Compares the reference contract (old) with another document (new), for the six operations. */
export function compareContracts(oldDoc: ContractDocument, newDoc: ContractDocument): Difference[] {
  const out: Difference[] = [];
  const ids = [...new Set<OperationId>([...OPERATION_IDS, ...oldDoc.operations.keys(), ...newDoc.operations.keys()])];
  for (const id of ids) {
    const o = oldDoc.operations.get(id);
    const n = newDoc.operations.get(id);
    const report = reporter(out, id);
    if (o && !n) report('operation', 'operation', 'operation-removed', `${o.method} ${o.path}`, ABSENT);
    else if (!o && n) report('operation', 'operation', 'operation-added', ABSENT, `${n.method} ${n.path}`);
    else if (o && n) compareOperation(o, n, { old: oldDoc.definitions, new: newDoc.definitions }, report);
  }
  return out;
}

export function summarise(diffs: Difference[]): { breaking: number; compatible: number } {
  const breakingCount = diffs.filter((d) => d.severity === 'breaking').length;
  return { breaking: breakingCount, compatible: diffs.length - breakingCount };
}

type Report = (side: Side, location: string, change: ChangeKind, before: string, after: string) => void;
type Defs = { old: Record<string, Schema>; new: Record<string, Schema> };

function reporter(out: Difference[], operationId: OperationId): Report {
  return (side, location, change, before, after) => {
    const rule = ruleFor(change, side);
    out.push({ operationId, location, change, before, after, severity: rule.severity, why: rule.why });
  };
}

// ---------------------------------------------------------------- operations

/** Path template with parameter names dropped: /users/{userId} → /users/{}. */
export function pathShape(template: string): string {
  return template.replace(/\{[^}]*\}/g, '{}');
}

function pathNames(template: string): string[] {
  return [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? '');
}

function compareOperation(o: OperationSpec, n: OperationSpec, defs: Defs, report: Report): void {
  if (o.method !== n.method) report('operation', 'operation', 'method-changed', o.method, n.method);
  if (pathShape(o.path) !== pathShape(n.path)) report('operation', 'operation', 'path-changed', o.path, n.path);
  compareParameters(o, n, defs, report);
  compareRequestBody(o, n, defs, report);
  compareResponses(o, n, defs, report);
}

/** Parameters keyed so that renamed path parameters still match (by position) and header names ignore case. */
function keyedParameters(op: OperationSpec): Map<string, ParameterSpec> {
  const names = pathNames(op.path);
  const out = new Map<string, ParameterSpec>();
  for (const p of op.parameters) {
    const index = p.in === 'path' ? names.indexOf(p.name) : -1;
    const key = index >= 0 ? `path#${index}` : `${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`;
    out.set(key, p);
  }
  return out;
}

const requiredness = (required: boolean) => (required ? 'required' : 'optional');

function compareParameters(o: OperationSpec, n: OperationSpec, defs: Defs, report: Report): void {
  const olds = keyedParameters(o);
  const news = keyedParameters(n);
  for (const [key, op] of olds) {
    const np = news.get(key);
    const where = `${op.in} parameter ${op.name}`;
    if (!np) {
      report('request', where, 'parameter-removed', requiredness(op.required), ABSENT);
      continue;
    }
    if (op.required && !np.required) report('request', where, 'required-removed', 'required', 'optional');
    if (!op.required && np.required) report('request', where, 'required-added', 'optional', 'required');
    compareSchemas(op.schema, np.schema, { side: 'request', prefix: where, defs, report });
  }
  for (const [key, np] of news) {
    if (olds.has(key)) continue;
    const where = `${np.in} parameter ${np.name}`;
    report('request', where, np.required ? 'required-parameter-added' : 'parameter-added', ABSENT, requiredness(np.required));
  }
}

function compareRequestBody(o: OperationSpec, n: OperationSpec, defs: Defs, report: Report): void {
  const ob = o.requestBody;
  const nb = n.requestBody;
  const where = 'request body';
  if (!ob && !nb) return;
  if (ob && !nb) return report('request', where, 'body-removed', requiredness(ob.required), ABSENT);
  if (!ob && nb) return report('request', where, nb.required ? 'required-body-added' : 'body-added', ABSENT, requiredness(nb.required));
  if (!ob || !nb) return;
  if (ob.required && !nb.required) report('request', where, 'required-removed', 'required', 'optional');
  if (!ob.required && nb.required) report('request', where, 'required-added', 'optional', 'required');
  if (ob.schema || nb.schema) compareSchemas(ob.schema ?? {}, nb.schema ?? {}, { side: 'request', prefix: where, defs, report });
}

const isSuccess = (status: string) => status.startsWith('2');

function compareResponses(o: OperationSpec, n: OperationSpec, defs: Defs, report: Report): void {
  const removed = [...o.responses.keys()].filter((s) => !n.responses.has(s));
  const added = [...n.responses.keys()].filter((s) => !o.responses.has(s));
  const addedSuccess = added.filter(isSuccess);
  const paired = new Set<string>();
  for (const status of o.responses.keys()) {
    const before = o.responses.get(status);
    if (!before) continue;
    if (removed.includes(status)) {
      if (!isSuccess(status)) {
        report('response', `response ${status}`, 'error-status-removed', status, ABSENT);
        continue;
      }
      const replacement = addedSuccess.find((s) => !paired.has(s));
      if (replacement === undefined) {
        report('response', `response ${status}`, 'success-status-removed', status, ABSENT);
        continue;
      }
      paired.add(replacement);
      report('response', `response ${status}`, 'success-status-changed', status, replacement);
      compareResponseBody(status, replacement, o, n, defs, report);
      continue;
    }
    compareResponseBody(status, status, o, n, defs, report);
  }
  for (const status of added) {
    if (!paired.has(status)) report('response', `response ${status}`, 'status-added', ABSENT, status);
  }
}

function compareResponseBody(oldStatus: string, newStatus: string, o: OperationSpec, n: OperationSpec, defs: Defs, report: Report): void {
  const os = o.responses.get(oldStatus)?.schema ?? null;
  const ns = n.responses.get(newStatus)?.schema ?? null;
  const where = `response ${newStatus}`;
  if (!os && !ns) return;
  if (os && !ns) return report('response', where, 'body-removed', 'JSON body', ABSENT);
  if (!os && ns) return report('response', where, 'body-added', ABSENT, 'JSON body');
  compareSchemas(os ?? {}, ns ?? {}, { side: 'response', prefix: where, defs, report });
}

// ---------------------------------------------------------------- schemas

const MIN_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const;
const MAX_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const;
type BoundKey = (typeof MIN_BOUNDS)[number] | (typeof MAX_BOUNDS)[number];
const BOUNDS: readonly BoundKey[] = [...MIN_BOUNDS, ...MAX_BOUNDS];
const isMin = (key: BoundKey) => (MIN_BOUNDS as readonly string[]).includes(key);

/**
 * What a schema allows, flattened: $refs resolved, allOf merged, nullable
 * anyOf/oneOf wrappers unwrapped. Sub-schemas (properties, items, ...) stay
 * unresolved; they are flattened when the comparison reaches them.
 */
interface View {
  /** Allowed non-null types; null = any type. */
  types: Set<string> | null;
  /** Whether null is allowed; undefined when the schema says nothing (any type). */
  nullable: boolean | undefined;
  /** Allowed non-null values (JSON-encoded), or null when unrestricted. */
  enum: string[] | null;
  format: string | undefined;
  pattern: string | undefined;
  bounds: Partial<Record<BoundKey, number>>;
  properties: Map<string, Schema>;
  required: Set<string>;
  items: Schema | undefined;
  /** undefined/true = open, false = closed, or a schema for the values. */
  additional: Schema | boolean | undefined;
  /** Alternatives of an anyOf/oneOf with more than one non-null member. */
  variants: Schema[];
  /** Definitions this schema resolved through (for the cycle guard). */
  refs: string[];
}

function emptyView(): View {
  return {
    types: null, nullable: undefined, enum: null, format: undefined, pattern: undefined, bounds: {},
    properties: new Map(), required: new Set(), items: undefined, additional: undefined, variants: [], refs: [],
  };
}

const isNullSchema = (s: Schema) =>
  s && typeof s === 'object' && (s.type === 'null' || (Array.isArray(s.type) && s.type.length === 1 && s.type[0] === 'null')) && Object.keys(s).every((k) => k === 'type' || k === 'description' || k === 'title');

function typeOfValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function flatten(schema: Schema, defs: Record<string, Schema>, visiting: Set<string> = new Set()): View {
  let s: Schema = schema ?? {};
  const refs: string[] = [];
  while (s && typeof s === 'object' && typeof s.$ref === 'string') {
    const name = s.$ref.replace(/^#\/definitions\//, '');
    if (visiting.has(name)) return { ...emptyView(), refs };
    visiting = new Set(visiting).add(name);
    refs.push(name);
    s = defs[name] ?? {};
  }
  const v = emptyView();
  v.refs = refs;
  if (!s || typeof s !== 'object') return v;

  let nullable: boolean | undefined;
  if (typeof s.type === 'string' || Array.isArray(s.type)) {
    const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
    nullable = types.includes('null');
    v.types = new Set(types.filter((t) => t !== 'null'));
  }
  const values: unknown[] | undefined = Array.isArray(s.enum) ? s.enum : 'const' in s ? [s.const] : undefined;
  if (values) {
    if (values.includes(null)) nullable = true;
    else if (nullable === undefined) nullable = false;
    v.enum = values.filter((x) => x !== null).map((x) => JSON.stringify(x));
    if (!v.types) v.types = new Set(values.filter((x) => x !== null).map(typeOfValue));
  }
  v.nullable = nullable;
  if (typeof s.format === 'string') v.format = s.format;
  if (typeof s.pattern === 'string') v.pattern = s.pattern;
  for (const key of BOUNDS) if (typeof s[key] === 'number') v.bounds[key] = s[key];
  if (s.properties && typeof s.properties === 'object') for (const [k, p] of Object.entries<Schema>(s.properties)) v.properties.set(k, p);
  if (Array.isArray(s.required)) for (const r of s.required) v.required.add(String(r));
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) v.items = s.items;
  if (s.additionalProperties !== undefined) v.additional = s.additionalProperties;

  if (Array.isArray(s.allOf)) for (const part of s.allOf) mergeInto(v, flatten(part, defs, visiting));

  for (const key of ['anyOf', 'oneOf'] as const) {
    if (!Array.isArray(s[key])) continue;
    const members: Schema[] = s[key];
    const hasNull = members.some(isNullSchema);
    const rest = members.filter((m) => !isNullSchema(m));
    if (rest.length === 1 && rest[0]) {
      mergeInto(v, flatten(rest[0], defs, visiting));
    } else if (rest.length > 1) {
      const views = rest.map((m) => flatten(m, defs, visiting));
      const union = views.some((x) => !x.types) ? null : new Set(views.flatMap((x) => [...(x.types ?? [])]));
      v.types = intersectTypes(v.types, union);
      if (views.some((x) => x.nullable)) v.nullable = true;
      else if (v.nullable === undefined && union) v.nullable = false;
      v.variants.push(...rest);
    }
    if (hasNull) v.nullable = true;
  }
  if (v.nullable === undefined && v.types) v.nullable = false;
  return v;
}

function intersectTypes(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  if (!a) return b;
  if (!b) return a;
  const out = new Set<string>();
  for (const t of a) {
    if (b.has(t)) out.add(t);
    else if (t === 'number' && b.has('integer')) out.add('integer');
    else if (t === 'integer' && b.has('number')) out.add('integer');
  }
  return out;
}

/** allOf semantics: the result allows what both allow. */
function mergeInto(v: View, p: View): void {
  v.types = intersectTypes(v.types, p.types);
  if (v.nullable === undefined) v.nullable = p.nullable;
  else if (p.nullable !== undefined) v.nullable = v.nullable && p.nullable;
  if (p.enum) v.enum = v.enum ? v.enum.filter((x) => p.enum?.includes(x)) : p.enum;
  v.format ??= p.format;
  v.pattern ??= p.pattern;
  for (const key of BOUNDS) {
    const b = p.bounds[key];
    if (b === undefined) continue;
    const a = v.bounds[key];
    v.bounds[key] = a === undefined ? b : isMin(key) ? Math.max(a, b) : Math.min(a, b);
  }
  for (const [k, s] of p.properties) {
    const existing = v.properties.get(k);
    v.properties.set(k, existing ? { allOf: [existing, s] } : s);
  }
  for (const r of p.required) v.required.add(r);
  if (p.items) v.items = v.items ? { allOf: [v.items, p.items] } : p.items;
  if (p.additional !== undefined) {
    if (v.additional === false || p.additional === false) v.additional = false;
    else if (v.additional === undefined || v.additional === true) v.additional = p.additional;
    else if (typeof p.additional === 'object') v.additional = { allOf: [v.additional, p.additional] };
  }
  v.variants.push(...p.variants);
  v.refs.push(...p.refs);
}

function describeTypes(types: Set<string> | null): string {
  return types ? [...types].sort().join(' | ') || 'nothing' : 'any';
}

/** Whether every type of `a` is allowed by `b` (integer is allowed by number). */
function typesCovered(a: Set<string>, b: Set<string>): boolean {
  return [...a].every((t) => b.has(t) || (t === 'integer' && b.has('number')));
}

interface SchemaContext {
  side: 'request' | 'response';
  /** e.g. "response 200", "request body", "query parameter limit". */
  prefix: string;
  defs: Defs;
  report: Report;
}

const MAX_DEPTH = 64;

function compareSchemas(oldSchema: Schema, newSchema: Schema, ctx: SchemaContext): void {
  walk(oldSchema, newSchema, ctx, '', new Set(), 0);
}

function walk(os: Schema, ns: Schema, ctx: SchemaContext, pointer: string, stack: Set<string>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  const o = flatten(os, ctx.defs.old);
  const n = flatten(ns, ctx.defs.new);
  // Cycle guard: the same pair of definitions already being compared higher up this branch.
  let key: string | undefined;
  if (o.refs.length || n.refs.length) {
    key = `${o.refs.join('>')}|${n.refs.join('>')}`;
    if (stack.has(key)) return;
    stack.add(key);
  }
  try {
    compareViews(o, n, ctx, pointer, stack, depth);
  } finally {
    if (key) stack.delete(key);
  }
}

function compareViews(o: View, n: View, ctx: SchemaContext, pointer: string, stack: Set<string>, depth: number): void {
  const where = pointer ? `${ctx.prefix} ${pointer}` : ctx.prefix;
  const report = (change: ChangeKind, before: string, after: string) => ctx.report(ctx.side, where, change, before, after);

  // Type.
  if (o.types || n.types) {
    const before = describeTypes(o.types);
    const after = describeTypes(n.types);
    if (!o.types) report('type-narrowed', before, after);
    else if (!n.types) report('type-widened', before, after);
    else {
      const widened = typesCovered(o.types, n.types);
      const narrowed = typesCovered(n.types, o.types);
      if (widened && !narrowed) report('type-widened', before, after);
      else if (narrowed && !widened) report('type-narrowed', before, after);
      else if (!widened && !narrowed) report('type-changed', before, after);
    }
  }

  // Nullability (only meaningful when both sides say something about types).
  if (o.nullable !== undefined && n.nullable !== undefined && o.nullable !== n.nullable) {
    report(n.nullable ? 'nullable-added' : 'nullable-removed', o.nullable ? 'nullable' : 'not nullable', n.nullable ? 'nullable' : 'not nullable');
  }

  // Enumerations.
  if (o.enum && n.enum) {
    const added = n.enum.filter((x) => !o.enum?.includes(x));
    const removed = o.enum.filter((x) => !n.enum?.includes(x));
    if (added.length) report('enum-value-added', ABSENT, added.join(', '));
    if (removed.length) report('enum-value-removed', removed.join(', '), ABSENT);
  } else if (o.enum && !n.enum) {
    report('enum-constraint-removed', summariseEnum(o.enum), ABSENT);
  } else if (!o.enum && n.enum) {
    report('enum-constraint-added', ABSENT, summariseEnum(n.enum));
  }

  // Bounds.
  for (const key of BOUNDS) {
    const a = o.bounds[key];
    const b = n.bounds[key];
    if (a === b) continue;
    const before = a === undefined ? ABSENT : `${key} ${a}`;
    const after = b === undefined ? ABSENT : `${key} ${b}`;
    let tightened: boolean;
    if (a === undefined) tightened = true;
    else if (b === undefined) tightened = false;
    else tightened = isMin(key) ? b > a : b < a;
    report(tightened ? 'bound-tightened' : 'bound-loosened', before, after);
  }

  // Format and pattern.
  if (o.format !== n.format) {
    const kind: ChangeKind = o.format === undefined ? 'format-added' : n.format === undefined ? 'format-removed' : 'format-changed';
    report(kind, o.format ?? ABSENT, n.format ?? ABSENT);
  }
  if (o.pattern !== n.pattern) {
    const kind: ChangeKind = o.pattern === undefined ? 'pattern-added' : n.pattern === undefined ? 'pattern-removed' : 'pattern-changed';
    report(kind, o.pattern ?? ABSENT, n.pattern ?? ABSENT);
  }

  // Properties (a name is declared when it has a schema or is listed as required).
  const names = new Set<string>([...o.properties.keys(), ...o.required, ...n.properties.keys(), ...n.required]);
  for (const name of names) {
    const inOld = o.properties.has(name) || o.required.has(name);
    const inNew = n.properties.has(name) || n.required.has(name);
    const child = `${pointer}/${escapePointer(name)}`;
    const childWhere = `${ctx.prefix} ${child}`;
    const childReport = (change: ChangeKind, before: string, after: string) => ctx.report(ctx.side, childWhere, change, before, after);
    const oReq = o.required.has(name);
    const nReq = n.required.has(name);
    if (inOld && !inNew) {
      childReport('property-removed', requiredness(oReq), ABSENT);
      continue;
    }
    if (!inOld && inNew) {
      childReport(nReq ? 'required-property-added' : 'property-added', ABSENT, requiredness(nReq));
      continue;
    }
    if (oReq && !nReq) childReport('required-removed', 'required', 'optional');
    if (!oReq && nReq) childReport('required-added', 'optional', 'required');
    walk(o.properties.get(name) ?? {}, n.properties.get(name) ?? {}, ctx, child, stack, depth + 1);
  }

  // Array items.
  if (o.items || n.items) walk(o.items ?? {}, n.items ?? {}, ctx, `${pointer}/[]`, stack, depth + 1);

  // Additional properties.
  const oClosed = o.additional === false;
  const nClosed = n.additional === false;
  if (oClosed && !nClosed) report('additional-properties-allowed', 'closed', n.additional === undefined || n.additional === true ? 'open' : 'schema');
  else if (!oClosed && nClosed) report('additional-properties-forbidden', o.additional === undefined || o.additional === true ? 'open' : 'schema', 'closed');
  else if (!oClosed && !nClosed && (typeof o.additional === 'object' || typeof n.additional === 'object')) {
    const a = typeof o.additional === 'object' ? o.additional : {};
    const b = typeof n.additional === 'object' ? n.additional : {};
    walk(a, b, ctx, `${pointer}/{*}`, stack, depth + 1);
  }

  // Alternatives: compare those with the same type signature.
  if (o.variants.length && n.variants.length) {
    const signature = (s: Schema, defs: Record<string, Schema>) => describeTypes(flatten(s, defs).types);
    const newBySig = new Map(n.variants.map((s) => [signature(s, ctx.defs.new), s] as const));
    for (const ov of o.variants) {
      const nv = newBySig.get(signature(ov, ctx.defs.old));
      if (nv) walk(ov, nv, ctx, pointer, stack, depth + 1);
    }
  }
}

function summariseEnum(values: string[]): string {
  return values.length <= 4 ? values.join(', ') : `${values.slice(0, 3).join(', ')}, … (${values.length} values)`;
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

// ---------------------------------------------------------------- output

export interface DriftReport {
  against: string;
  other: string;
  differences: Difference[];
  breaking: number;
  compatible: number;
}

export function buildReport(against: string, other: string, differences: Difference[]): DriftReport {
  return { against, other, differences, ...summarise(differences) };
}

/**
 * Mark the breaking differences a reviewed baseline accepts (the CONTRACT_ACCEPT format): an entry matches
 * when its kind is the change (or *), its operation the operationId (or *), and its pointer, a glob where *
 * is any run of characters but "/" and ** any characters, matches the difference's location. Returns the
 * breaking differences left: the new ones.
 */
export function applyAccepted(differences: Difference[], accepted: { operation: string; pointer: string; kind: string; reason: string; expires?: string }[], now = Date.now()): Difference[] {
  const live = accepted.filter((a) => a.expires === undefined || Date.parse(`${a.expires}T23:59:59Z`) >= now);
  const glob = (p: string) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*')}$`);
  for (const d of differences) {
    if (d.severity !== 'breaking') continue;
    const a = live.find((e) => (e.kind === '*' || e.kind === d.change) && (e.operation === '*' || e.operation === d.operationId) && glob(e.pointer).test(d.location));
    if (a) d.accepted = { reason: a.reason, ...(a.expires ? { expires: a.expires } : {}) };
  }
  return differences.filter((d) => d.severity === 'breaking' && !d.accepted);
}

/** The human-readable table: grouped by operation, then a summary line. */
export function formatTable(report: DriftReport, operations?: Map<OperationId, OperationSpec>): string {
  const lines: string[] = [`contract drift: ${report.against} → ${report.other}`];
  const diffs = report.differences;
  if (!diffs.length) {
    lines.push('', 'no differences');
    return lines.join('\n') + '\n';
  }
  const header = { severity: 'severity', where: 'where', change: 'change' };
  const w = {
    severity: Math.max(header.severity.length, ...diffs.map((d) => d.severity.length)),
    where: Math.max(header.where.length, ...diffs.map((d) => d.location.length)),
    change: Math.max(header.change.length, ...diffs.map((d) => d.change.length)),
  };
  const row = (a: string, b: string, c: string, d: string) => `  ${a.padEnd(w.severity)}  ${b.padEnd(w.where)}  ${c.padEnd(w.change)}  ${d}`.trimEnd();
  const order = [...new Set(diffs.map((d) => d.operationId))];
  for (const id of order) {
    const op = operations?.get(id);
    lines.push('', op ? `${id}  (${op.method} ${op.path})` : id);
    lines.push(row(header.severity, header.where, header.change, 'before → after'));
    for (const d of diffs.filter((x) => x.operationId === id)) {
      lines.push(row(d.accepted ? 'accepted' : d.severity, d.location, d.change, `${d.before} → ${d.after}`));
    }
  }
  const n = diffs.length;
  const accepted = diffs.filter((d) => d.accepted).length;
  lines.push('', `${n} ${n === 1 ? 'difference' : 'differences'}: ${report.breaking} breaking${accepted ? ` (${accepted} accepted, ${report.breaking - accepted} new)` : ''}, ${report.compatible} compatible`);
  return lines.join('\n') + '\n';
}
