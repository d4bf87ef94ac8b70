import { handlerFileName, routes, type RouteId } from '../../functions/contracts/routes';
import type { Construct } from 'constructs';
import { ENV } from '../../functions/shared/environment';
import type { Platform } from './platform-stack';
import { ServiceFunction, type ServiceFunctionProps } from './service-function';

export type RouteFunctionProps = Pick<ServiceFunctionProps, 'memorySize' | 'timeout' | 'environment' | 'reservedConcurrentExecutions'>;

/**
 * The function behind one route: its handler is found from the route id
 * (`functions/<owner>/handlers/<kebab-id>.ts`), it answers CORS with the stage's origin, and
 * routes that need a caller or sign anything get the signing secret.
 */
export function routeFunction(scope: Construct, id: RouteId, platform: Platform, props: RouteFunctionProps = {}): ServiceFunction {
  const route = routes[id];
  const fn = new ServiceFunction(scope, `${id.charAt(0).toUpperCase()}${id.slice(1)}`, {
    stage: platform.stage,
    service: route.owner,
    entry: `functions/${route.owner}/handlers/${handlerFileName(id)}.ts`,
    description: `${route.method} ${route.path}`,
    ...props,
    // The stage's origin, on the function's answers as on the gateway's (see Stage.allowedOrigin).
    environment: { [ENV.allowedOrigin]: platform.stage.allowedOrigin, ...props.environment },
  });
  if (route.access !== 'public') fn.bindSigningSecret(platform.signingSecret);
  return fn;
}
