/**
 * What a seam answers, as a value: the pipeline writes it (serialise.ts,
 * `send`). Operations, the guard and the pipes return answers instead of
 * writing them, so a patch can look at an answer and change it.
 */
import type { Messages } from './messages';
import type { FieldError } from './validation';

export interface Success {
  kind: 'success';
  status: number;
  /** The success envelope's data, as JSON text. */
  data: string;
}

export interface Failure {
  kind: 'error';
  status: number;
  code: string;
  message: string;
  /** `details.errors` of the error envelope; absent: no such key. */
  errors?: readonly (FieldError | string)[];
}

/** A status line with no body at all. */
export interface Empty {
  kind: 'empty';
  status: number;
}

/** A body outside the envelopes, as a framework's default handler writes it (JSON text). */
export interface Raw {
  kind: 'raw';
  status: number;
  body: string;
}

export type Answer = Success | Failure | Empty | Raw;

/**
 * An error that carries the answer it gets, as NestJS exceptions carry their
 * response and its exception filters map a database error to theirs. A handler
 * (or a seam it calls) throws it; `crashed` (routing.ts) answers it.
 */
export class HttpError extends Error {
  constructor(
    readonly answer: Answer,
    message = `HTTP ${answer.status}`,
  ) {
    super(message);
  }
}

export const success = (status: number, data: string): Success => ({ kind: 'success', status, data });

export function failure(status: number, code: string, message: string, errors?: readonly (FieldError | string)[]): Failure {
  return errors === undefined ? { kind: 'error', status, code, message } : { kind: 'error', status, code, message, errors };
}

/** The error answers of one instance, in its variant's wording. */
export interface Answers {
  badRequest(message: string, errors?: readonly (FieldError | string)[]): Failure;
  validationFailed(errors: readonly FieldError[]): Failure;
  unauthorised(message: string): Failure;
  notFound(userId: number): Failure;
  routeNotFound(method: string, path: string): Failure;
  conflict(existingId: number): Failure;
  payloadTooLarge(): Failure;
  tooManyRequests(): Failure;
  internalError(): Failure;
}

export function createAnswers(msgs: Messages): Answers {
  const badRequest = (message: string, errors?: readonly (FieldError | string)[]) => failure(400, 'BadRequestException', message, errors ?? [message]);
  return {
    badRequest,
    validationFailed: (errors) => badRequest(msgs.validationSummary(errors.map((e) => e.message)), errors),
    unauthorised: (message) => failure(401, 'UnauthorizedException', message),
    notFound: (userId) => failure(404, 'NotFoundException', msgs.userNotFound(userId)),
    routeNotFound: (method, path) => failure(404, 'NotFoundException', msgs.routeNotFound(method, path)),
    conflict: (existingId) => failure(409, 'ConflictException', msgs.conflict(existingId)),
    payloadTooLarge: () => failure(413, 'PayloadTooLargeException', msgs.payloadTooLarge),
    tooManyRequests: () => failure(429, 'ThrottlerException', 'ThrottlerException: Too Many Requests'),
    internalError: () => failure(500, 'InternalServerErrorException', msgs.internal),
  };
}
