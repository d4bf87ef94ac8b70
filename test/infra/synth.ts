import { Template } from 'aws-cdk-lib/assertions';
import { inProcessApp } from '../../lib/in-process-app';
import { scratchDir } from '../support/scratch-dirs';
import { testContext } from '../support/stack';

export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;

/** Synthesizes the whole app for a stage (validation plugins included, bundling not) and returns each stack's template. */
export function synthesize(stage: 'dev' | 'prod' = 'dev') {
  const { app, ...built } = inProcessApp({
    outdir: scratchDir('commerce-infra-'),
    stage,
    env: { account: '111111111111', region: 'eu-west-1' },
    context: testContext(),
  });
  const stacks = [built.platform, built.users, built.catalog, built.cart, built.inventory, built.payments, built.orders, built.shipping, built.notifications, built.api];
  const templates = Object.fromEntries(stacks.map((stack) => [stack.stackName, Template.fromStack(stack)]));
  const resources = (stackName: string) => templates[stackName]!.toJSON().Resources as Resources;
  return { app, built, stacks, templates, resources };
}
