/**
 * What Cal.com's database (PostgreSQL through Prisma) refuses, for the faults
 * whose bug lets such a value reach it: each refusal is thrown as the answer
 * Cal.com's exception filters give it (server/answers.ts, HttpError). And
 * what its framework answers for an error no filter knows: a body outside the
 * envelope.
 */
import { failure, HttpError } from '../answers';

/** PrismaExceptionFilter's answer to an error it does not map to a 4xx. */
export const prismaError = (detail: string) => new HttpError(failure(500, 'INTERNAL_SERVER_ERROR', 'There was an error, please try again later.'), detail);

/** P2002 (a unique constraint), as PrismaExceptionFilter answers it: 409, no details, no id. */
export const uniqueViolation = (target: string) =>
  new HttpError(failure(409, 'CONFLICT', 'Invalid Input: Trying to create a record that already exists.'), `Unique constraint failed on the fields: (${target})`);

/** NestJS's own answer to an error no filter handles (a TypeError, a RangeError): no envelope. */
export const frameworkCrash = (detail: string) =>
  new HttpError({ kind: 'raw', status: 500, body: '{"statusCode":500,"message":"Internal server error"}' }, detail);

/** int4: users.id, Schedule.id, users.defaultScheduleId. */
export const INT4 = { min: -(2 ** 31), max: 2 ** 31 - 1 } as const;

/** A value bound to an int4 parameter or column. */
export function int4(value: number, column: string): number {
  if (!Number.isFinite(value)) throw prismaError(`Argument \`${column}\` is missing.`);
  if (!Number.isInteger(value)) throw prismaError(`Argument \`${column}\`: Invalid value provided. Expected Int, provided Float.`);
  if (value < INT4.min || value > INT4.max) throw prismaError(`Value out of range for the type: value "${value}" is out of range for type integer`);
  return value;
}

/** text and jsonb cannot hold U+0000 (22021 / 22P05). */
export function text(value: unknown, column: string): void {
  if (typeof value === 'string' && value.includes('\u0000')) throw prismaError(`invalid byte sequence for encoding "UTF8": 0x00 (${column})`);
}

/** Every key and string value of a jsonb value. */
export function jsonb(value: unknown, column: string): void {
  if (typeof value === 'string') return text(value, column);
  if (typeof value !== 'object' || value === null) return;
  for (const key of Object.keys(value)) {
    text(key, column);
    jsonb((value as Record<string, unknown>)[key], column);
  }
}

/** A NOT NULL column given null: Prisma's validation refuses the query. */
export function notNull(value: unknown, column: string): void {
  if (value === null) throw prismaError(`Argument \`${column}\` must not be null.`);
}

/** Largest row a btree index takes (version 4, 8 kB pages). */
export const BTREE_MAX_ROW = 2704;

/** The unique indexes on users(email) and users(email, username): each key's bytes, plus the tuple header, must fit. */
export function uniqueEmailIndexes(email: string, username: string | null): void {
  const emailBytes = Buffer.byteLength(email);
  const both = emailBytes + Buffer.byteLength(username ?? '') + 16;
  if (emailBytes + 8 > BTREE_MAX_ROW) throw prismaError(`index row size ${emailBytes + 8} exceeds btree version 4 maximum ${BTREE_MAX_ROW} for index "users_email_key"`);
  if (both > BTREE_MAX_ROW) throw prismaError(`index row size ${both} exceeds btree version 4 maximum ${BTREE_MAX_ROW} for index "users_email_username_key"`);
}
