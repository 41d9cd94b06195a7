/**
 * schemas/managed-users.types.ts is generated from the committed contract
 * (npm run gen:types) and checked in: it must be what the generator makes now.
 */
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { TYPES_FILE, generateTypes } from '../tools/gen-types';

test('the generated types match the committed contract', async () => {
  const expected = await generateTypes();
  const current = readFileSync(TYPES_FILE, 'utf8');
  expect(current === expected, 'schemas/managed-users.types.ts is stale: run npm run gen:types and commit it').toBe(true);
});
