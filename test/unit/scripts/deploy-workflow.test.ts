import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
const workflow = readFileSync(path.join(ROOT, '.github/workflows/deploy.yml'), 'utf8');
const roles = readFileSync(path.join(ROOT, 'scripts/ops/deploy-roles.yaml'), 'utf8');

/** The text of one job of the workflow, from its key to the next job's. */
function job(name: string): string {
  const start = workflow.indexOf(`\n  ${name}:\n`);
  if (start < 0) throw new Error(`no job ${name}`);
  const next = workflow.slice(start + 1).search(/\n {2}[a-z-]+:\n/);
  return next < 0 ? workflow.slice(start) : workflow.slice(start, start + 1 + next);
}

describe('the deploy workflow', () => {
  it('stores no AWS keys: every AWS job gets OIDC credentials by assuming a role', () => {
    expect(workflow).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/i);
    for (const name of ['diff', 'deploy-dev', 'deploy-prod']) {
      expect(job(name)).toContain('id-token: write');
      expect(job(name)).toMatch(/role-to-assume: \$\{\{ vars\.AWS_[A-Z_]+_ROLE_ARN \}\}/);
    }
    expect(workflow).toMatch(/^permissions:\n {2}contents: read$/m);
  });

  it('diffs pull requests, deploys dev from main, and prod after dev behind the prod environment', () => {
    expect(job('diff')).toContain("if: github.event_name == 'pull_request'");
    expect(job('diff')).toContain('cdk diff --all');
    expect(job('diff')).not.toContain('cdk deploy');
    expect(job('deploy-dev')).toContain("github.ref == 'refs/heads/main'");
    expect(job('deploy-dev')).toContain('-c stage=dev');
    expect(job('deploy-prod')).toContain('needs: deploy-dev');
    expect(job('deploy-prod')).toContain('environment: prod');
    expect(job('deploy-prod')).toContain('-c stage=prod');
  });

  it('runs one deployment at a time, never cancelling one under way', () => {
    for (const name of ['deploy-dev', 'deploy-prod']) {
      expect(job(name)).toMatch(/concurrency:\n\s+group: commerce-deploy\n\s+cancel-in-progress: false/);
    }
  });
});

describe('the deploy roles (bootstrap template)', () => {
  it('trusts GitHub tokens of one repository, each role in its own context only', () => {
    expect(roles.match(/token\.actions\.githubusercontent\.com:aud: sts\.amazonaws\.com/g)).toHaveLength(3);
    expect(roles).toContain("token.actions.githubusercontent.com:sub: !Sub 'repo:${Repository}:pull_request'");
    expect(roles).toContain("token.actions.githubusercontent.com:sub: !Sub 'repo:${Repository}:environment:dev'");
    expect(roles).toContain("token.actions.githubusercontent.com:sub: !Sub 'repo:${Repository}:environment:prod'");
    expect(roles).not.toMatch(/StringLike|repo:\$\{Repository\}:\*/);
  });

  it('lets the roles assume the CDK bootstrap roles and nothing else; the diff role only the lookup role', () => {
    const actions = [...roles.matchAll(/Action: (\S+)/g)].map((match) => match[1]);
    expect(new Set(actions)).toEqual(new Set(['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRole']));
    expect(roles).not.toMatch(/ManagedPolicyArns|AdministratorAccess|Resource: '\*'/);
    const diff = roles.slice(roles.indexOf('  DiffRole:'), roles.indexOf('  DevDeployRole:'));
    expect(diff).toContain('lookup-role');
    expect(diff).not.toMatch(/deploy-role|publishing-role/);
  });
});
