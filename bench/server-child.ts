/**
 * A server for the throughput benchmark, run as its own process
 * (`node --import tsx bench/server-child.ts ref|bare [flags]`) so that it gets
 * a core while the load generator runs in the bench process.
 *
 *   ref   the reference server (startReferenceServer from server/index.ts),
 *         standard variant, no fault; clients from --clients (JSON).
 *   bare  a plain node:http server answering every POST with the create body
 *         and everything else with the GET-by-id body it was given in
 *         --bodies (JSON): same status, content type and length.
 *
 * Talks to the bench over IPC: sends {url} when listening, answers 'cpu'
 * with process.cpuUsage(), stops on 'stop', on SIGTERM or when the bench
 * goes away (IPC disconnect). Listens on 127.0.0.1, port chosen by the OS.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startReferenceServer } from '../server/index';
import { parseCli } from '../fixtures/settings/cli';

const CLI = {
  tool: 'bench server',
  usage: 'bench/server-child.ts ref --clients <json> | bare --bodies <json>   (started by npm run bench, with an IPC channel)',
  about: ['A server for the throughput benchmark: the reference server (ref) or a bare node:http server answering canned bodies (bare).'],
  positionals: [{ name: 'ref|bare', help: 'which server' }],
  flags: {
    clients: { type: 'string', value: '<json>', help: 'ref: the OAuth clients, a JSON array of {"id","secret"}' },
    bodies: { type: 'string', value: '<json>', help: 'bare: {"get": {status, type, body}, "create": {...}}, the answers to send' },
  },
} as const;

interface Canned {
  status: number;
  type: string;
  body: string;
}

async function startBare(bodies: { get: Canned; create: Canned }): Promise<{ url: string; close: () => Promise<void> }> {
  // Strings, like the reference server: node writes head and a string body in one go.
  const canned = {
    get: { ...bodies.get, length: Buffer.byteLength(bodies.get.body) },
    create: { ...bodies.create, length: Buffer.byteLength(bodies.create.body) },
  };
  const server = createServer((req, res) => {
    const answer = req.method === 'POST' ? canned.create : canned.get;
    const reply = () => {
      res.writeHead(answer.status, { 'Content-Type': answer.type, 'Content-Length': answer.length });
      res.end(answer.body);
    };
    if (req.method === 'POST' || req.method === 'PATCH') {
      // Read the whole body before answering, as the reference server does.
      req.on('data', () => {});
      req.on('end', reply);
    } else {
      req.resume();
      reply();
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function main(): Promise<void> {
  const { positionals, values } = parseCli(CLI);
  const kind = positionals[0];
  if (!process.send) throw new Error('run by bench/bench.ts (needs an IPC channel)');
  let server: { url: string; close: () => Promise<void> };
  if (kind === 'ref') {
    const clients = JSON.parse(values.clients ?? '[]') as { id: string; secret: string }[];
    server = await startReferenceServer({ clients, port: 0, host: '127.0.0.1' });
  } else if (kind === 'bare') {
    server = await startBare(JSON.parse(values.bodies ?? '{}'));
  } else {
    throw new Error(`unknown kind '${kind ?? ''}': ref or bare`);
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 1000).unref();
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    else if (m === 'stop') stop();
  });
  process.send({ url: server.url });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench server: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
