import { describe, expect, it } from 'vitest';
import { emulationGapsNotice } from '../../local/emulation-coverage';
import type { LocalResource } from '../../local/types';
import { assemblyOf } from '../support/local-assembly';

const resource = (logicalId: string, type: string): LocalResource => ({
  stackName: 'commerce-dev-orders',
  logicalId,
  type,
  ref: logicalId,
  properties: {},
  metadata: {},
});

describe('emulationGapsNotice', () => {
  it('says nothing when every type of the assembly is emulated', () => {
    expect(emulationGapsNotice(assemblyOf([resource('Table', 'AWS::DynamoDB::Table'), resource('Fn', 'AWS::Lambda::Function')]))).toBeUndefined();
  });

  it('names an unknown type first, in one line, with how many there are', () => {
    const notice = emulationGapsNotice(
      assemblyOf([
        resource('Table', 'AWS::DynamoDB::Table'),
        resource('Bucket', 'AWS::S3::Bucket'),
        resource('Bucket2', 'AWS::S3::Bucket'),
        resource('Alarm', 'AWS::CloudWatch::Alarm'),
      ]),
    );
    expect(notice).toBe(
      'not emulated offline: AWS::S3::Bucket ×2 (unknown to the offline runtime); AWS::CloudWatch::Alarm ×1 (no metrics: alarms never fire)',
    );
    expect(notice).not.toContain('AWS::DynamoDB::Table');
  });

  it('groups types by reason and lists the ones emulated only in part apart', () => {
    const notice = emulationGapsNotice(
      assemblyOf([resource('Role', 'AWS::IAM::Role'), resource('Policy', 'AWS::IAM::Policy'), resource('Stage', 'AWS::ApiGateway::Stage')]),
    );
    expect(notice).toBe(
      'not emulated offline: AWS::IAM::Policy ×1, AWS::IAM::Role ×1 (permissions are not enforced) | only in part: AWS::ApiGateway::Stage ×1 (throttling only, no access logs, caching or tracing)',
    );
  });
});
