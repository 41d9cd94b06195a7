/**
 * npm run gen:types [-- --check]
 *
 * Generates schemas/managed-users.types.ts from schemas/managed-users.openapi.json
 * with openapi-typescript (pinned in package.json: the output depends on its
 * version). fixtures/contract/types.ts names the suite's types after its component schemas.
 * `--check` writes nothing and exits 1 when the checked-in file is stale
 * (selftest/types.spec.ts does the same on every npm test).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import openapiTS, { COMMENT_HEADER, astToString } from 'openapi-typescript';
import { fail, parseCli } from '../fixtures/settings/cli';

export const CONTRACT_FILE = resolve(__dirname, '..', 'schemas', 'managed-users.openapi.json');
export const TYPES_FILE = resolve(__dirname, '..', 'schemas', 'managed-users.types.ts');

const CLI = {
  tool: 'gen:types',
  usage: 'npm run gen:types [-- --check]',
  about: [
    'Generates schemas/managed-users.types.ts from schemas/managed-users.openapi.json with openapi-typescript',
    '(pinned in package.json: the output depends on its version).',
  ],
  flags: {
    check: { type: 'boolean', help: 'write nothing; exit 1 when the checked-in file is stale' },
  },
  notes: ['exit status: 0 written (or up to date), 1 stale (--check), 2 bad input or a failure'],
} as const;

/** The text the types file must have for the committed contract document. */
export async function generateTypes(contractFile = CONTRACT_FILE): Promise<string> {
  const doc = JSON.parse(readFileSync(contractFile, 'utf8'));
  // additionalProperties: the contract's objects do not forbid other properties, and the suite
  // relies on that (undocumented response fields are read and reported; unknown inputs are sent).
  const ast = await openapiTS(doc, { silent: true, additionalProperties: true });
  const header = COMMENT_HEADER.replace(' */', ' * Source: schemas/managed-users.openapi.json; regenerate with npm run gen:types.\n */');
  return `${header}${astToString(ast).trimEnd()}\n`;
}

async function main(): Promise<void> {
  const { values } = parseCli(CLI);
  const text = await generateTypes();
  const file = relative(process.cwd(), TYPES_FILE);
  if (values.check) {
    let current = '';
    try {
      current = readFileSync(TYPES_FILE, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== text) {
      process.stderr.write(`${CLI.tool}: ${file} is stale: run npm run gen:types and commit it\n`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(TYPES_FILE, text);
  process.stdout.write(`wrote ${file}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => fail(CLI.tool, e));
}
