'use strict';
/*
 * Request counter for `npm run bench`. bench/bench.ts adds
 * `--require <this file>` to NODE_OPTIONS of ONE contract run and sets
 * BENCH_COUNT_FILE; every node process of that run loads this file, but it
 * acts only in the embedded reference server (argv ends in server/main.ts):
 * it counts the 'request' events of node:http servers, per operation, and
 * writes the counts to BENCH_COUNT_FILE when the process exits (the server
 * exits through process.exit on SIGTERM, so 'exit' runs). It also notes when
 * the process started, when it began listening and when Playwright's
 * readiness probes arrived. No project code is changed; the cost is one
 * regexp per request.
 */
const file = process.env.BENCH_COUNT_FILE;
if (file && process.argv.some((a) => /(^|[\\/])server[\\/]main\.ts$/.test(a))) {
  const http = require('node:http');
  const fs = require('node:fs');
  // Epoch ms (comparable across processes): process start, listening, each health probe that reached the server.
  const counts = { pid: process.pid, total: 0, byOperation: {}, startedAt: performance.timeOrigin, listeningAt: null, healthAt: [] };
  const ROUTE = /\/v2\/oauth-clients\/[^/]*\/users(?:\/([^/]+)(\/force-refresh)?)?\/?$/;
  const BY_USER = { GET: 'get', HEAD: 'get', PATCH: 'update', DELETE: 'delete' };
  const COLLECTION = { GET: 'list', HEAD: 'list', POST: 'create' };
  const operation = (req) => {
    const url = req.url || '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/__health') return 'health';
    if (path.startsWith('/__control')) return 'control';
    const m = ROUTE.exec(path);
    if (!m) return 'other';
    if (m[2]) return req.method === 'POST' ? 'refresh' : 'other';
    if (m[1] !== undefined) return BY_USER[req.method] || 'other';
    return COLLECTION[req.method] || 'other';
  };
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, ...args) {
    if (event === 'listening' && counts.listeningAt === null) counts.listeningAt = Date.now();
    if (event === 'request') {
      const op = operation(args[0]);
      if (op === 'health' && counts.healthAt.length < 100) counts.healthAt.push(Date.now());
      counts.total++;
      counts.byOperation[op] = (counts.byOperation[op] || 0) + 1;
    }
    return emit.call(this, event, ...args);
  };
  process.on('exit', () => {
    try {
      fs.writeFileSync(file, JSON.stringify(counts));
    } catch {
      // the bench reports "n/a"
    }
  });
}
