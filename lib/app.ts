import { Tags, Validations, type App, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiStack } from './api/api-stack';
import { CatalogStack } from './catalog/catalog-stack';
import { PlatformStack } from './platform/platform-stack';
import { stageFrom } from './platform/stage';
import { UsersStack } from './users/users-stack';

/**
 * The whole system on one CDK app: the platform, one stack per bounded context, and the API
 * stack last. cdk-nag's AwsSolutions pack runs as a validation plugin, so any finding that
 * is not acknowledged (with a reason, on its construct) fails synthesis.
 */
export function buildCommerceApp(app: App, env?: Environment) {
  const stage = stageFrom(app.node.tryGetContext('stage'));
  const prefix = `commerce-${stage.name}`;

  const platform = new PlatformStack(app, `${prefix}-platform`, { env, stage });
  const users = new UsersStack(app, `${prefix}-users`, { env, platform });
  const catalog = new CatalogStack(app, `${prefix}-catalog`, { env, platform });
  const api = new ApiStack(app, `${prefix}-api`, {
    env,
    platform,
    routeFunctions: { ...users.routeFunctions, ...catalog.routeFunctions },
    healthTables: { users: users.table, catalog: catalog.table },
  });

  Tags.of(app).add('project', 'commerce');
  Tags.of(app).add('stage', stage.name);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stage, platform, users, catalog, api };
}
