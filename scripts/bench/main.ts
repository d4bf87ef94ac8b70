/**
 * `npm run bench`: every measurement, or one part (`npm run bench -- init|load|startup|cost`).
 * Every figure is printed with a ratio to a baseline measured in the same run, since absolute
 * times drift with the machine's load. Options: --runs N (init and startup samples),
 * --seconds S (each load phase), --baseline REV (load, startup: a git revision's `npm start` measured in
 * the same run, e.g. the tree before a change).
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';

const PARTS = ['init', 'load', 'startup', 'cost'] as const;
/** Parts that run only when named (`npm run bench -- search`): not part of a plain `npm run bench`. */
const NAMED_ONLY = ['search'] as const;
type Part = (typeof PARTS)[number] | (typeof NAMED_ONLY)[number];

export interface BenchOptions {
  readonly runs: number;
  readonly seconds: number;
  /** A git revision measured beside this tree (load, startup): its own `npm start` from a worktree. */
  readonly baseline?: string;
  readonly log: (line: string) => void;
}

// Loaded on demand: a part runs even when another part's imports would not load.
const RUNNERS: Record<Part, (options: BenchOptions) => Promise<void>> = {
  init: async (options) => (await import('./init')).benchInit(options),
  load: async (options) => (await import('./load')).benchLoad(options),
  startup: async (options) => (await import('./startup')).benchStartup(options),
  cost: async (options) => (await import('./cost')).benchCost(options),
  search: async (options) => (await import('./search')).benchSearch(options),
};

export function parseBenchArgs(args: readonly string[]): { parts: Part[]; runs: number; seconds: number; baseline?: string } {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { runs: { type: 'string', default: '5' }, seconds: { type: 'string', default: '15' }, baseline: { type: 'string' } },
  });
  const unknown = positionals.filter((part) => ![...PARTS, ...NAMED_ONLY].includes(part as Part));
  if (unknown.length > 0) throw new Error(`unknown part(s) ${unknown.join(', ')}: choose from ${[...PARTS, ...NAMED_ONLY].join(', ')}`);
  const runs = Number(values.runs);
  const seconds = Number(values.seconds);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not "${values.runs}"`);
  if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, not "${values.seconds}"`);
  return { parts: positionals.length > 0 ? (positionals as Part[]) : [...PARTS], runs, seconds, ...(values.baseline ? { baseline: values.baseline } : {}) };
}

async function main(): Promise<void> {
  const { parts, runs, seconds, baseline } = parseBenchArgs(process.argv.slice(2));
  const log = (line: string) => console.log(line);
  const machine = () => `${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
  log(`bench ${parts.join(', ')} on ${new Date().toISOString().slice(0, 16)}Z, Node ${process.versions.node}, ${machine()}`);
  for (const part of parts) {
    log(`\n== ${part} ==`);
    await RUNNERS[part]({ runs, seconds, log, ...(baseline ? { baseline } : {}) });
  }
  log(`\ndone; load now ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
