/** How an explore run reads: one verdict line, then (on a divergence) the minimal sequence, its curl lines and the replay line. */
import type { ExploreResult } from './run';

export function replayLine(r: Pick<ExploreResult, 'seed' | 'divergence'>): string {
  const d = r.divergence;
  if (!d) return `npm run explore -- --seed ${r.seed}`;
  return `npm run explore -- --seed ${r.seed} --path ${d.path}${d.replayPath ? ` --replay-path '${d.replayPath}'` : ''}`;
}

export function formatResult(r: ExploreResult, o: { steps: number }): string {
  const secs = `${(r.ms / 1000).toFixed(1)} s`;
  const lines: string[] = [];
  if (r.aborted) lines.push(`explore: stopped after ${r.runs} sequence(s) in ${secs} without a verdict: ${r.aborted}`);
  else if (!r.divergence) {
    lines.push(`explore: no divergence in ${r.runs} sequence(s) of up to ${o.steps} steps, ${secs}${r.interrupted ? ' (time budget reached)' : ''}; seed ${r.seed}`);
  } else {
    const d = r.divergence;
    const failing = d.steps.at(-1);
    lines.push(`explore: DIVERGENCE in sequence ${r.runs}, shrunk ${d.shrinks} time(s) to ${d.steps.length} step(s), ${secs}; seed ${r.seed}`);
    lines.push(`  ${d.message}`);
    lines.push('');
    lines.push('  minimal sequence (target requests; secrets are $CAL_OAUTH_CLIENT_SECRET / $CAL_OTHER_OAUTH_CLIENT_SECRET, tokens redacted):');
    for (const s of d.steps) {
      lines.push(`  ${String(s.index).padStart(3)}. ${s.text}${s === failing ? '   ← diverges' : ''}`);
      for (const c of s.curls) lines.push(`       ${c}`);
    }
    lines.push('');
    lines.push(`  replay: ${replayLine(r)}`);
    lines.push('  (same steps in the same order; e-mails carry a new run stamp, ids are the server\'s)');
  }
  const exercised = Object.entries(r.stats).map(([op, byStatus]) => `${op} ${Object.entries(byStatus).map(([st, n]) => `${st}×${n}`).join(' ')}`);
  if (exercised.length) lines.push(`explore: target answers: ${exercised.join('; ')}`);
  for (const c of r.cleanup) lines.push(`explore: cleanup: ${c}`);
  return `${lines.join('\n')}\n`;
}
