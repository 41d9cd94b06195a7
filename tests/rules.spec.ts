import { check } from '../fixtures/harness/test';
import { currentSettings } from '../fixtures/settings/env';
import { loadContract } from '../fixtures/client/context';
import { caseTags } from '../fixtures/contract/rules';
import { expectRuleCase } from '../fixtures/harness/rule-cases';

// Both sides of every input rule of the contract document in force, one check
// per (rule, side): derived at load time from the request schemas and the
// list's query parameters (fixtures/contract/rules.ts), so a constraint added
// to the document is checked on both sides without a new test here. The
// facts' own rules (not in the document) are checked in facts.spec.ts.

const { cases } = loadContract(currentSettings()).catalogue();

check.describe('rules', () => {
  for (const c of cases) {
    // The fixtures are named one by one: Playwright sets up what a check destructures, and in
    // self-test mode the same body receives each server's scope with exactly these parts.
    // eslint-disable-next-line playwright/valid-test-tags -- derived per case (caseTags): its provenance, then its operations, each '@'-prefixed
    check(c.title, { tag: caseTags(c) }, ({ api, given, inputs, settings, validator, sides, profile, note }) => expectRuleCase({ api, given, inputs, settings, validator, sides, profile, note }, c));
  }
});
