/**
 * The request's inputs, as NestJS pipes would give them to a handler: the body
 * (read with a size limit, parsed as a JSON object) and the integer userId.
 * Each answers the 4xx itself and returns undefined when the input is unusable.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InstanceConfig } from './config';
import { BODY_LIMIT } from './constants';
import type { Serialiser } from './serialise';

export interface Pipes {
  /** Reads at most BODY_LIMIT bytes; answers 413 (and discards the rest) beyond that. */
  readBody(req: IncomingMessage, res: ServerResponse, onBody: (buf: Buffer) => void): void;
  /** JSON object body, or undefined after answering 400. Empty body = {}. */
  parseBody(req: IncomingMessage, res: ServerResponse, buf: Buffer): Record<string, unknown> | undefined;
  /** The integer user id from the raw path segment, or undefined after answering 400 (500 with fault malformed-id-500). */
  parseUserId(req: IncomingMessage, res: ServerResponse, rawSegment: string): number | undefined;
}

const ID_RE = /^-?\d+$/;

export function createPipes(cfg: InstanceConfig, out: Serialiser): Pipes {
  const { fault, msgs } = cfg;

  function readBody(req: IncomingMessage, res: ServerResponse, onBody: (buf: Buffer) => void): void {
    const tooLarge = () => out.sendError(req, res, 413, 'PayloadTooLargeException', msgs.payloadTooLarge);
    const declared = req.headers['content-length'];
    let done = false;
    let size = 0;
    let discarded = 0;
    const chunks: Buffer[] = [];
    if (declared !== undefined && Number(declared) > BODY_LIMIT) {
      done = true;
      tooLarge();
    }
    req.on('data', (chunk: Buffer) => {
      if (done) {
        discarded += chunk.length;
        if (discarded > 16 * BODY_LIMIT) req.socket.destroy(); // do not drain forever
        return;
      }
      size += chunk.length;
      if (size > BODY_LIMIT) {
        done = true;
        chunks.length = 0;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      try {
        onBody(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size));
      } catch {
        // Defensive: a bug must never take the process down.
        if (!res.headersSent) out.internalError(req, res);
      }
    });
  }

  function parseBody(req: IncomingMessage, res: ServerResponse, buf: Buffer): Record<string, unknown> | undefined {
    if (buf.length === 0) return {};
    const type = req.headers['content-type'];
    if (type !== undefined) {
      const media = (type.split(';')[0] ?? '').trim().toLowerCase();
      if (media !== 'application/json' && !media.endsWith('+json')) {
        out.badRequest(req, res, msgs.unsupportedContentType(media));
        return undefined;
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(buf.toString('utf8'));
    } catch {
      out.badRequest(req, res, msgs.malformedJson);
      return undefined;
    }
    // The bug: a PATCH body that is an array is taken for an empty update.
    if (fault === 'patch-non-object-accepted' && Array.isArray(parsed) && req.method === 'PATCH') return {};
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      out.badRequest(req, res, msgs.bodyNotObject);
      return undefined;
    }
    return parsed as Record<string, unknown>;
  }

  function parseUserId(req: IncomingMessage, res: ServerResponse, rawSegment: string): number | undefined {
    let segment: string | null;
    try {
      segment = rawSegment.includes('%') ? decodeURIComponent(rawSegment) : rawSegment;
    } catch {
      segment = null; // invalid percent-encoding: not an integer either
    }
    if (segment === null || !ID_RE.test(segment)) {
      if (fault === 'malformed-id-500') out.internalError(req, res);
      else out.badRequest(req, res, msgs.invalidUserId);
      return undefined;
    }
    const id = Number(segment);
    if (!Number.isSafeInteger(id)) {
      out.badRequest(req, res, msgs.invalidUserId);
      return undefined;
    }
    return id;
  }

  return { readBody, parseBody, parseUserId };
}
