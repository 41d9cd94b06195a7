/**
 * The request's inputs, as NestJS pipes would give them to a handler: the body
 * (read with a size limit, parsed as a JSON object) and the integer userId.
 * Each answers the 4xx itself and gives undefined when the input is unusable.
 */
import { BODY_LIMIT } from './constants';
import type { Ctx, SeamsOf } from './seams';

const ID_RE = /^-?\d+$/;

/** The path's user segment, decoded, when it is an integer's text; otherwise null. */
export function integerSegment(rawSegment: string): string | null {
  let segment: string;
  try {
    segment = rawSegment.includes('%') ? decodeURIComponent(rawSegment) : rawSegment;
  } catch {
    return null; // invalid percent-encoding: not an integer either
  }
  return ID_RE.test(segment) ? segment : null;
}

export const pipeSeams: SeamsOf<'readBody' | 'parseBody' | 'asBody' | 'parseUserId'> = ({ cfg: { msgs }, answers }, self) => ({
  readBody(ctx, onBody) {
    readLimited(ctx, () => self.send(ctx, answers.payloadTooLarge()), (buf) => {
      try {
        onBody(buf);
      } catch (err) {
        // What a handler threw is answered by the exception filters; nothing takes the process down.
        if (!ctx.res.headersSent) self.send(ctx, self.crashed(err));
      }
    });
  },

  parseBody(ctx, buf) {
    if (buf.length === 0) return {};
    const type = ctx.req.headers['content-type'];
    const media = type === undefined ? undefined : (type.split(';')[0] ?? '').trim().toLowerCase();
    if (media !== undefined && media !== 'application/json' && !media.endsWith('+json')) {
      self.send(ctx, answers.badRequest(msgs.unsupportedContentType(media)));
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(buf.toString('utf8'));
    } catch {
      self.send(ctx, answers.badRequest(msgs.malformedJson));
      return undefined;
    }
    const body = self.asBody(ctx, parsed);
    if (body === undefined) self.send(ctx, answers.badRequest(msgs.bodyNotObject));
    return body;
  },

  asBody: (_ctx, parsed) => (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined),

  parseUserId(ctx, rawSegment) {
    const segment = integerSegment(rawSegment);
    const id = segment === null ? Number.NaN : Number(segment);
    if (Number.isSafeInteger(id)) return id;
    self.send(ctx, answers.badRequest(msgs.invalidUserId));
    return undefined;
  },
});

/** Reads at most BODY_LIMIT bytes; calls tooLarge once (and discards the rest) beyond that. */
function readLimited(ctx: Ctx, tooLarge: () => void, onBody: (buf: Buffer) => void): void {
  const { req } = ctx;
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
    onBody(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size));
  });
}
