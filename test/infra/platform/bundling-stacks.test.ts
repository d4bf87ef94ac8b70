/**
 * bundledHandler honours CDK's `aws:cdk:bundling-stacks`, as NodejsFunction does: a stack the
 * context names gets the esbuild bundle, a stack it leaves out gets the handler's source
 * directory and costs no bundling. The test apps (test/support/stack.ts, test/infra/synth.ts)
 * leave every stack out: they read templates, which are the same either way but for the asset hash.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledHandler } from '../../../lib/platform/bundle';
import { routeFunction } from '../../../lib/platform/route-function';
import { synthesizeStack } from '../../support/stack';

const ENTRY = 'functions/demo/handlers/hello.ts';
const root = mkdtempSync(path.join(tmpdir(), 'bundling-stacks-'));
mkdirSync(path.join(root, path.dirname(ENTRY)), { recursive: true });
writeFileSync(path.join(root, ENTRY), "export const handler = async () => 'hello from the demo handler';\n");
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('aws:cdk:bundling-stacks', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': ['bundled'] } });
  const bundled = new Stack(app, 'bundled');
  const skipped = new Stack(app, 'skipped');

  it('bundles the handler of a stack it names', () => {
    const dir = bundledHandler(root, ENTRY, bundled);
    expect(dir.startsWith(root)).toBe(false);
    expect(readFileSync(path.join(dir, 'index.js'), 'utf8')).toContain('hello from the demo handler');
  });

  it('bundles nothing for a stack it leaves out: the asset is the source directory', () => {
    expect(bundledHandler(root, ENTRY, skipped)).toBe(path.join(root, 'functions/demo/handlers'));
  });

  it('bundles every stack when unset, as `cdk synth` does', () => {
    const dir = bundledHandler(root, ENTRY, new Stack(new App(), 'any'));
    expect(existsSync(path.join(dir, 'index.js'))).toBe(true);
  });
});

describe('the stack tests', () => {
  it('synthesize functions without bundling them', () => {
    const { app, ofType } = synthesizeStack((scope, platform) => {
      const stack = new Stack(scope, 'api');
      routeFunction(stack, 'getProduct', platform);
      return stack;
    });
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(1);
    const key = (functions[0]![1].Properties!.Code as { S3Key: string }).S3Key;
    const asset = readdirSync(path.join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`));
    expect(asset).toContain('get-product.ts');
    expect(asset).not.toContain('index.js');
  }, 120_000);
});
