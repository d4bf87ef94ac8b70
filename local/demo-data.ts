/**
 * The demo data: the seed's outcome (seed.ts) is a function of the app and of the seed, so once a
 * start's seed has settled its tables are kept beside the assembly, and the next start of the
 * unchanged app writes them back into its new tables instead of seeding: the same products, stock,
 * search projection and administrator, without the seed's cascade of events and cold starts (and
 * without loading the seed's domains).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { verifyPassword } from '../functions/users/domain/password';
import type { TableContents } from './dynamodb/tables';
import { FINGERPRINT_FILE } from './synth';
/** In the outdir, beside the assembly it was seeded from: a settled seed's tables. */
export const DEMO_DATA_FILE = '.local-demo-data.json';

interface DemoData {
  /** Of the assembly, the seed and the table creation: demo data of any other app is never restored. */
  readonly key: string;
  /** The administrator in the tables; the password's scrypt hash, to check COMMERCE_ADMIN_PASSWORD against. */
  readonly admin: { readonly email: string; readonly passwordHash: string };
  readonly tables: TableContents;
}

/** The assembly's stamp (synth.ts: the app's fingerprint and manifest) with the seed and the table creation; undefined when outdir holds no complete synth. */
function demoDataKey(outdir: string): string | undefined {
  const stamp = path.join(outdir, FINGERPRINT_FILE);
  if (!existsSync(stamp)) return undefined;
  const hash = createHash('sha256').update(readFileSync(stamp));
  for (const source of [path.join(__dirname, 'seed.ts'), path.join(__dirname, 'dynamodb', 'tables.ts')]) hash.update(readFileSync(source));
  return hash.digest('hex');
}

/**
 * The demo data an earlier start of this assembly kept, if the administrator in it is `admin`
 * (same email, and the password its hash was made from); else undefined, and the start seeds.
 */
export async function keptDemoData(outdir: string, admin: { email: string; password: string }): Promise<TableContents | undefined> {
  const file = path.join(outdir, DEMO_DATA_FILE);
  const key = demoDataKey(outdir);
  if (key === undefined || !existsSync(file)) return undefined;
  let data: DemoData;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as DemoData;
  } catch {
    return undefined; // unreadable: seeded anew, and replaced once that seed settles
  }
  if (data.key !== key || data.admin?.email !== admin.email) return undefined;
  return (await verifyPassword(admin.password, data.admin.passwordHash)) ? data.tables : undefined;
}

/** Keeps a settled seed's tables for the next start (written whole, then renamed into place). */
export function keepDemoData(outdir: string, admin: DemoData['admin'], tables: TableContents): void {
  const key = demoDataKey(outdir);
  if (key === undefined) return;
  const file = path.join(outdir, DEMO_DATA_FILE);
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, JSON.stringify({ key, admin, tables } satisfies DemoData));
  renameSync(partial, file);
}
