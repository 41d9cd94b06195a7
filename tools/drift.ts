/**
 * npm run drift -- <path|url> [--json] [--against <path|url>] [--accept <file>]
 *
 * Compares the committed contract (schemas/managed-users.openapi.json, or
 * --against) with another OpenAPI 3.0 document over the six managed-user
 * operations, and classifies each difference as breaking or compatible for API
 * clients (rules: tools/drift-lib.ts).
 *
 * Exit status: 0 no breaking difference, 1 at least one, 2 bad input (one line
 * "drift: <what to fix>" on stderr).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { SpecError, type ContractDocument } from '../fixtures/contract/openapi';
import { loadContractDocument } from '../fixtures/contract/openapi-validation';
import { firstLine } from '../fixtures/settings/text';
import { helpText, readCli, usageError, UsageError } from '../fixtures/settings/cli';
import { invocationDir } from '../fixtures/settings/env';
import { applyAccepted, buildReport, compareContracts, formatTable } from './drift-lib';
import { AcceptFileError, parseAccepted } from '../fixtures/contract/deviations';
import { readFileSync } from 'node:fs';

export const DEFAULT_AGAINST = resolve(__dirname, '..', 'schemas', 'managed-users.openapi.json');
export const USAGE = 'npm run drift -- <path|url> [--json] [--against <path|url>] [--accept <file>]';

const CLI = {
  tool: 'drift',
  usage: USAGE,
  about: [
    'Compares the committed contract (schemas/managed-users.openapi.json) with another OpenAPI 3.0 document over the',
    'six managed-user operations, and classifies each difference as breaking or compatible for API clients.',
  ],
  positionals: [{ name: '<path|url>', help: 'the document to compare (a file, relative to where you typed the command, or an http(s) URL)' }],
  flags: {
    json: { type: 'boolean', help: 'print the report as JSON instead of a table' },
    against: { type: 'string', value: '<path|url>', help: 'compare with this document instead of the committed contract' },
    accept: { type: 'string', value: '<file>', help: 'a reviewed baseline of accepted differences (the CONTRACT_ACCEPT format: operation, pointer glob over the location, kind = the change, reason, expires): those do not fail, new breaking ones do' },
  },
  notes: ['exit status: 0 no breaking difference (or every one accepted), 1 new breaking differences, 2 bad input'],
} as const;

export interface DriftIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Directory relative paths are resolved against (where the user typed the command). */
  cwd: string;
}

interface Options {
  other: string;
  against: string;
  json: boolean;
  help: boolean;
  accept: string | null;
}

function parseArgs(argv: string[]): Options {
  const { values, positionals, help } = readCli(CLI, argv);
  const json = values.json === true;
  if (help) return { other: '', against: '', json, help, accept: null };
  if (values.accept === '') throw usageError(CLI, '--accept needs the path of an accepted-differences file');
  if (values.against === '') throw usageError(CLI, '--against needs a path or URL');
  if (positionals.length > 1) throw usageError(CLI, `one document at a time (got "${positionals[0]}" and "${positionals[1]}")`);
  const other = positionals[0];
  if (!other) throw usageError(CLI, 'missing the document to compare');
  return { other, against: values.against ?? DEFAULT_AGAINST, json, help, accept: values.accept ?? null };
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** Load, parse and validate one side; SpecError messages are re-aimed at the argument that named the document. */
async function load(source: string, cwd: string, argument: string): Promise<ContractDocument> {
  const location = isUrl(source) ? source : resolve(cwd, source);
  try {
    return await loadContractDocument(location, source);
  } catch (e) {
    if (e instanceof SpecError) throw new UsageError(e.message.replace(/CONTRACT_SPEC/g, argument));
    throw e;
  }
}

/** Shown paths: relative to the working directory when inside it. */
function display(source: string, cwd: string): string {
  if (isUrl(source) || !isAbsolute(source)) return source;
  const rel = relative(cwd, source);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : source;
}

/** The whole command; returns the exit status. */
export async function runDrift(argv: string[], io: DriftIo): Promise<number> {
  try {
    const opts = parseArgs(argv);
    if (opts.help) {
      io.stdout(helpText(CLI));
      return 0;
    }
    const oldDoc = await load(opts.against, io.cwd, opts.against === DEFAULT_AGAINST ? 'the committed contract' : '--against');
    const newDoc = await load(opts.other, io.cwd, 'the <path|url> argument');
    const report = buildReport(display(opts.against, io.cwd), display(opts.other, io.cwd), compareContracts(oldDoc, newDoc));
    let newBreaking = report.breaking;
    if (opts.accept) {
      const file = isAbsolute(opts.accept) ? opts.accept : resolve(io.cwd, opts.accept);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new UsageError(`--accept ${opts.accept} cannot be read: give the path of an accepted-differences file`);
      }
      try {
        newBreaking = applyAccepted(report.differences, parseAccepted(text, `--accept ${opts.accept}`)).length;
      } catch (e) {
        if (e instanceof AcceptFileError) throw new UsageError(e.message);
        throw e;
      }
    }
    io.stdout(opts.json ? JSON.stringify({ ...report, newBreaking }, null, 2) + '\n' : formatTable(report, oldDoc.operations));
    return newBreaking > 0 ? 1 : 0;
  } catch (e) {
    // The same one line as every tool's fail(), returned rather than exited: runDrift runs in-process in the self-test.
    const message = e instanceof UsageError ? e.message : `unexpected failure (${firstLine(e)})`;
    io.stderr(`${CLI.tool}: ${firstLine(message)}\n`);
    return 2;
  }
}

if (require.main === module) {
  // A closed pipe (e.g. `| head`) is not an error worth a stack trace; the exit status still stands.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  void runDrift(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: invocationDir(),
  }).then((code) => {
    process.exitCode = code;
  });
}
