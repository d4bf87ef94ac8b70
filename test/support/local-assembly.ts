import type { LocalAssembly, LocalResource } from '../../local/types';

/** A hand-built LocalAssembly of `resources`, for the offline runtime's module tests. */
export function assemblyOf(
  resources: readonly LocalResource[],
  { region = 'us-east-1', accountId = '000000000000', directory = '/nonexistent' } = {},
): LocalAssembly {
  return {
    region,
    accountId,
    resources,
    outputs: {},
    directory,
    ofType: (type) => resources.filter((resource) => resource.type === type),
    find: (refOrArn) => resources.find((resource) => resource.ref === refOrArn || resource.arn === refOrArn),
  };
}
