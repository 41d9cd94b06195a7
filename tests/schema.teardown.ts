import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from '../fixtures/harness/test';
import { acceptedFor, describeDeviation, groupDeviations, parseAccepted, readFindings, type Accepted, type DeviationRecord } from '../fixtures/report/findings';
import { ContractViolation } from '../fixtures/client/errors';

// One deviation, one finding. Checks that received a response whose body broke its schema at a field went on with
// their own assertions; each such deviation was recorded, and is reported here once, with the count of responses
// that showed it. The run fails on any deviation that CONTRACT_ACCEPT does not accept (with a reason).

const OPERATIONS = ['@list', '@create', '@get', '@update', '@delete', '@forceRefresh'];

test('every response matches its schema (each deviation reported once)', // Every provenance and operation tag, so that any --grep selection still gets the report.
  { tag: ['@spec', '@upstream', '@inferred', '@smoke', ...OPERATIONS] }, async ({ runtime }, testInfo) => {
  const { settings } = runtime;
  const records = readFindings(join(settings.stateDir, settings.runId));
  const accepted: Accepted[] = settings.acceptFile ? parseAccepted(readFileSync(settings.acceptFile, 'utf8'), `CONTRACT_ACCEPT=${settings.acceptFile}`) : [];
  const judge = (rs: DeviationRecord[]) => {
    const deviations = groupDeviations(rs);
    for (const d of deviations) d.accepted = acceptedFor(d, accepted);
    return { open: deviations.filter((d) => !d.accepted), accepted: deviations.filter((d) => d.accepted) };
  };

  if (settings.selftestTargets) {
    // The mutation self-test: one verdict per server, as the multiplexed checks attach them.
    const outcomes = settings.selftestTargets.map((t) => {
      const { open } = judge(records.filter((r) => r.target === t.name));
      return { target: t.name, mustPass: t.mustPass, status: open.length ? 'failed' : 'passed', ...(open[0] ? { message: describeDeviation(open[0]) } : {}), ms: 0 };
    });
    await testInfo.attach('selftest-outcomes', { contentType: 'application/json', body: JSON.stringify(outcomes) });
    const broken = outcomes.filter((o) => o.mustPass && o.status === 'failed');
    if (broken.length) throw new Error(broken.map((o) => `[${o.target}] ${o.message ?? ''}`).join('\n'));
    return;
  }

  const { open, accepted: ok } = judge(records);
  for (const d of ok) testInfo.annotations.push({ type: 'accepted deviation', description: `${describeDeviation(d)} — accepted: ${d.accepted!.reason}${d.accepted!.expires ? ` (until ${d.accepted!.expires})` : ''}` });
  const unused = accepted.filter((a) => !ok.some((d) => d.accepted === a));
  for (const a of unused) testInfo.annotations.push({ type: 'accepted deviation not seen', description: `${a.operation} ${a.pointer} [${a.kind}]: ${a.reason}` });
  if (open.length) {
    const first = open[0]!.example;
    throw new ContractViolation(
      `the server deviates from its response schemas in ${open.length} way(s), each reported once (${open.reduce((n, d) => n + d.count, 0)} responses)`,
      { curl: () => first.curl },
      open.map(describeDeviation),
    );
  }
});
