/**
 * Cold init of every function: a fresh Node 24 process imports the deployed bundle (module init,
 * as Lambda's runtime does before the first invocation; the handler is not invoked), against a
 * bare handler that only creates a DynamoDB document client, its SDK resolved from node_modules
 * (as Lambda's runtime provides it; our bundles carry the clients they use). Runs are
 * interleaved (baseline, every function, baseline, ...) so machine load hits all alike. Beside
 * the import's wall time, its CPU time: on a busy machine the wall time is mostly waiting for a
 * core, and the CPU time keeps the ratio of the work itself.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { assetDirectory } from '../../local/cloudformation/assembly';
import type { LocalAssembly, LocalResource } from '../../local/types';
import { functionLabel } from './cost-model';
import { node24 } from './node24';
import { median, ratio, ratioSummary, table } from './stats';
import { ROOT, synthesizeResolved, withTempDir } from './synth';

interface Subject {
  readonly name: string;
  readonly file: string;
  readonly env: Record<string, string>;
}

const BASELINE = `const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb');
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
exports.handler = async () => ({ client: typeof client });
`;

// Imports the module and prints how long the import (module init) took and the CPU it used, in ms.
const PROBE = `const started = process.hrtime.bigint();
const cpu = process.cpuUsage();
import(require('node:url').pathToFileURL(process.argv[1]).href).then(() => {
  const used = process.cpuUsage(cpu);
  process.stdout.write(Number(process.hrtime.bigint() - started) / 1e6 + ' ' + (used.user + used.system) / 1e3);
}, (error) => { console.error(error); process.exit(1); });`;

/** One fresh process: whole process ms, module init ms, module init CPU ms. */
type Sample = [number, number, number];

function subjectOf(assembly: LocalAssembly, fn: LocalResource): Subject | undefined {
  const handler = fn.properties.Handler;
  if (typeof handler !== 'string' || !(fn.properties.Code as { S3Key?: unknown } | undefined)?.S3Key) return undefined;
  const variables = (fn.properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const env = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, String(value)]));
  const file = path.join(assetDirectory(assembly, fn), `${handler.slice(0, handler.lastIndexOf('.'))}.js`);
  return { name: functionLabel(fn), file, env };
}

function measureOnce(node: string, subject: Subject): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(node, ['-e', PROBE, subject.file], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: path.join(ROOT, 'node_modules'),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        TZ: 'UTC',
        ...subject.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const total = Number(process.hrtime.bigint() - started) / 1e6;
      const [init, cpu] = out.split(' ').map(Number);
      if (code === 0) resolve([total, init!, cpu!]);
      else reject(new Error(`${subject.name}: init failed (exit ${code}): ${err.trim().split('\n').slice(0, 5).join(' / ')}`));
    });
  });
}

export async function benchInit({ runs, log }: { runs: number; log: (line: string) => void }): Promise<void> {
  const node = node24(log);
  await withTempDir('commerce-bench-init-', async (dir) => {
    const assembly = synthesizeResolved(path.join(dir, 'cdk.out'));
    const baselineFile = path.join(dir, 'baseline', 'index.js');
    mkdirSync(path.dirname(baselineFile), { recursive: true });
    writeFileSync(baselineFile, BASELINE);
    const baseline: Subject = { name: 'baseline: bare handler + DynamoDB document client', file: baselineFile, env: {} };
    const subjects = assembly.ofType('AWS::Lambda::Function').flatMap((fn) => subjectOf(assembly, fn) ?? []);
    const all = [baseline, ...subjects];
    const samples = new Map<Subject, Sample[]>(all.map((subject) => [subject, []]));
    for (let run = 0; run < runs; run++) {
      for (const subject of all) samples.get(subject)!.push(await measureOnce(node, subject));
      log(`init: run ${run + 1}/${runs} done`);
    }
    const medianOf = (subject: Subject, index: 0 | 1 | 2) => median(samples.get(subject)!.map((sample) => sample[index]));
    const [baseTotal, baseInit, baseCpu] = [medianOf(baseline, 0), medianOf(baseline, 1), medianOf(baseline, 2)];
    const measured = all
      .map((subject) => ({ subject, total: medianOf(subject, 0), init: medianOf(subject, 1), cpu: medianOf(subject, 2) }))
      .sort((a, b) => b.init - a.init);
    const rows = measured.map(({ subject, total, init, cpu }) => [
      subject.name,
      (statSync(subject.file).size / 1024).toFixed(1),
      init.toFixed(1),
      ratio(init, baseInit),
      cpu.toFixed(1),
      ratio(cpu, baseCpu),
      total.toFixed(0),
      ratio(total, baseTotal),
    ]);
    log(`\ncold init on Node ${await nodeVersion(node)}, median of ${runs} fresh processes each, interleaved`);
    log(table(['function', 'KiB', 'import ms', 'import ×base', 'import CPU ms', 'CPU ×base', 'process ms', 'process ×base'], rows));
    const functions = measured.filter(({ subject }) => subject !== baseline);
    log(ratioSummary('import ×base', functions.map(({ subject, init }) => [subject.name, init / baseInit])));
    log(ratioSummary('CPU ×base', functions.map(({ subject, cpu }) => [subject.name, cpu / baseCpu])));
  });
}

function nodeVersion(node: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(node, ['-p', 'process.versions.node'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', () => resolve(out.trim()));
  });
}
