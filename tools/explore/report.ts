/** How an explore run reads: one verdict line, then each divergence: its minimal sequence, its curl lines and its replay line. */
import type { DivergenceReport, ExploreResult } from './run';

export function replayLine(r: Pick<ExploreResult, 'seed'>, d?: DivergenceReport): string {
  if (!d) return `npm run explore -- --seed ${r.seed}`;
  return `npm run explore -- --seed ${d.seed} --path ${d.path}${d.replayPath ? ` --replay-path '${d.replayPath}'` : ''}`;
}

function divergenceLines(d: DivergenceReport, n: number): string[] {
  const failing = d.steps.at(-1);
  const lines = [`explore: DIVERGENCE ${n} [${d.key}]${d.path ? `, shrunk ${d.shrinks} time(s) to ${d.steps.length} step(s); seed ${d.seed}` : ', found probing the target before the sequences'}`, `  ${d.message}`, ''];
  lines.push(d.path ? '  minimal sequence (target requests; secrets are $CAL_OAUTH_CLIENT_SECRET / $CAL_OTHER_OAUTH_CLIENT_SECRET, tokens redacted):' : '  the probe:');
  for (const s of d.steps) {
    lines.push(`  ${String(s.index).padStart(3)}. ${s.text}${s === failing && d.path ? '   ← diverges' : ''}`);
    for (const c of s.curls) lines.push(`       ${c}`);
  }
  if (d.path) lines.push('', `  replay: ${replayLine({ seed: d.seed }, d)}`, "  (same steps in the same order; e-mails carry a new run stamp, ids are the server's)");
  return [...lines, ''];
}

export function formatResult(r: ExploreResult, o: { steps: number }): string {
  const secs = `${(r.ms / 1000).toFixed(1)} s`;
  const lines: string[] = [];
  if (r.aborted) lines.push(`explore: stopped after ${r.runs} sequence(s) in ${secs} without a verdict: ${r.aborted}`);
  if (!r.divergences.length && !r.aborted) lines.push(`explore: no divergence in ${r.runs} sequence(s) of up to ${o.steps} steps, ${secs}${r.interrupted ? ' (time budget reached)' : ''}; seed ${r.seed}`);
  if (r.divergences.length) {
    lines.push(`explore: ${r.divergences.length} distinct divergence(s) in ${r.runs} sequence(s) of up to ${o.steps} steps, ${secs}${r.interrupted ? ' (time budget reached)' : ''}; seed ${r.seed}`);
    r.divergences.forEach((d, i) => lines.push(...divergenceLines(d, i + 1)));
  }
  const settled = Object.entries(r.settled).map(([name, value]) => `${name} ${value}`);
  if (settled.length) lines.push(`explore: the model followed ${settled.join(', ')}`);
  const exercised = Object.entries(r.stats).map(([op, byStatus]) => `${op} ${Object.entries(byStatus).map(([st, n]) => `${st}×${n}`).join(' ')}`);
  if (exercised.length) lines.push(`explore: target answers: ${exercised.join('; ')}`);
  for (const c of r.cleanup) lines.push(`explore: cleanup: ${c}`);
  return `${lines.join('\n')}\n`;
}
