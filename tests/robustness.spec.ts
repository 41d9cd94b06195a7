import { check } from '../fixtures/harness/test';
import { currentSettings } from '../fixtures/settings/env';
import { loadContract } from '../fixtures/client/context';
import { derivePlan, FAMILIES, FAMILY_NAMES, type Probe } from '../fixtures/contract/probes';
import { tagOf } from '../fixtures/contract/operations';
import { expectRobust } from '../fixtures/harness/robustness';

// The robustness sweep: every field of every request body and every path and
// query parameter of the contract document in force gets the values a real
// server stumbled on (fixtures/contract/probes.ts derives them), one check per
// family of values over every operation: never a 5xx; a 4xx where the document
// forbids the value (unless its rule check owns that rule, or the profile
// accepts the deviation); what the server accepts reads back as sent. A check
// fails with one line per failing probe.

const contract = loadContract(currentSettings());
const { probes } = derivePlan(contract.doc.raw, contract.catalogue());

const tagsOf = (ps: Probe[]) => ['@inferred', ...new Set(ps.map((p) => tagOf(p.op)))];

check.describe('robustness', () => {
  for (const family of FAMILY_NAMES) {
    const mine = probes.filter((p) => p.family === family);
    if (!mine.length) continue;
    // eslint-disable-next-line playwright/valid-test-tags -- derived per family: its provenance, then its operations, each '@'-prefixed
    check(`${FAMILIES[family]} (${mine.length} probes): never a 5xx, a 4xx where forbidden, read back as sent where accepted`, { tag: tagsOf(mine) }, ({ api, given, inputs, settings, profile, note, sides }) =>
      expectRobust({ api, given, inputs, settings, profile, note, sides, owners: { catalogue: contract.catalogue(), profile } }, family, mine),
    );
  }
});
