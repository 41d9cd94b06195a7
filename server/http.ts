/** Listening wrappers around createInstance: one or many servers in one process. */
import { createServer, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInstance } from './instance';
import type { InstanceOptions, InstanceSpec, ReferenceServer, StartedInstance, StartOptions } from './types';

/** Request handler for embedding (benchmarks, custom servers). Each call has its own state. */
export function createHandler(opts: InstanceOptions) {
  return createInstance(opts).handler;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startReferenceServer(opts: StartOptions): Promise<ReferenceServer> {
  const { port = 0, host = '127.0.0.1', ...instanceOptions } = opts;
  const instance = createInstance(instanceOptions);
  // Room for very long (but still rejected) ids in the request line.
  const server = createServer({ maxHeaderSize: 256 * 1024 }, instance.handler);

  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({
      status: 'error',
      timestamp: new Date().toISOString(),
      path: '',
      error: { code: status === 400 ? 'BadRequestException' : `Http${status}`, message: STATUS_CODES[status] ?? 'Bad Request', details: {} },
    });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', () => {}); // late errors must not crash the process
  // Longer than typical client pools keep idle sockets, so a reused socket is never closed under a request.
  server.keepAliveTimeout = 30_000;

  const address = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${address.port}${instance.prefix}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        instance.dispose();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Many independent instances in one process, each on its own OS-picked port. */
export async function startInstances(specs: InstanceSpec[], host = '127.0.0.1'): Promise<StartedInstance[]> {
  const names = new Set<string>();
  for (const s of specs) {
    if (names.has(s.name)) throw new Error(`duplicate instance name: ${s.name}`);
    names.add(s.name);
  }
  const settled = await Promise.allSettled(specs.map((s) => startReferenceServer({ ...s.options, port: 0, host })));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(settled.map((r) => (r.status === 'fulfilled' ? r.value.close() : Promise.resolve())));
    throw failed.reason;
  }
  return settled.map((r, i) => {
    const server = (r as PromiseFulfilledResult<ReferenceServer>).value;
    return { name: specs[i]?.name ?? String(i), url: server.url, close: () => server.close() };
  });
}
