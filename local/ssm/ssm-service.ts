/**
 * AWS Systems Manager Parameter Store for the offline runtime: the app's `AWS::SSM::Parameter`
 * resources plus the CDK bootstrap version parameter, behind an AWS JSON 1.1 endpoint
 * (`X-Amz-Target: AmazonSSM.<Operation>`).
 *
 * Emulated: GetParameter (by name or ARN, with an optional `:1` version selector),
 * GetParameters (unknown names listed in InvalidParameters), GetParametersByPath (Recursive);
 * an unknown parameter is `ParameterNotFound`. Every parameter is at version 1, modified when
 * the runtime started. `WithDecryption` is accepted and ignored (CloudFormation cannot create
 * SecureString parameters anyway).
 * Not emulated: writes (PutParameter...), labels, history, pagination, parameter policies.
 */
import { AwsServiceError, epochSeconds, requiredString, startAwsJsonServer, type JsonObject } from '../aws-json/aws-json-server';
import { withLocalAddresses, type LocalAddress } from '../lambda/function-definitions';
import type { LocalAssembly, LogSink, RunningService } from '../types';

/** What `cdk bootstrap` (v2, default qualifier) stores; templates check it in their BootstrapVersion rule. */
export const CDK_BOOTSTRAP_PARAMETERS: Readonly<Record<string, string>> = { '/cdk-bootstrap/hnb659fds/version': '30' };

export interface SsmOptions {
  readonly log: LogSink;
  /** Defaults to a free port. */
  readonly port?: number;
  /**
   * Deployed addresses and their local stand-ins, as the functions' variables get them: a
   * parameter holding one (an app that publishes its API's URL there) answers the local address. Asked at
   * each read, since the gateway starts after this service.
   */
  readonly localAddresses?: () => readonly LocalAddress[];
}

export interface RunningSsm extends RunningService {
  readonly endpoint: string;
  /** A parameter's value by name, or undefined. */
  parameter(name: string): string | undefined;
}

interface Parameter {
  readonly name: string;
  readonly type: string;
  readonly value: string;
  readonly dataType: string;
  readonly arn: string;
}

const MAX_NAMES = 10;

function parameterArn(assembly: LocalAssembly, partition: string, name: string): string {
  return `arn:${partition}:ssm:${assembly.region}:${assembly.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

function loadParameters(assembly: LocalAssembly, log: LogSink): Map<string, Parameter> {
  const partition = assembly.region.startsWith('cn-') ? 'aws-cn' : assembly.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const parameters = new Map<string, Parameter>();
  for (const [name, value] of Object.entries(CDK_BOOTSTRAP_PARAMETERS)) {
    parameters.set(name, { name, type: 'String', value, dataType: 'text', arn: parameterArn(assembly, partition, name) });
  }
  for (const resource of assembly.ofType('AWS::SSM::Parameter')) {
    // Ref of a parameter is its name.
    const name = resource.ref;
    const { Type: type, Value: value, DataType: dataType } = resource.properties;
    if (typeof value !== 'string') {
      log(`IGNORED SSM parameter ${name} (${resource.stackName}/${resource.logicalId}): its Value is not a string`);
      continue;
    }
    parameters.set(name, {
      name,
      type: typeof type === 'string' ? type : 'String',
      value,
      dataType: typeof dataType === 'string' ? dataType : 'text',
      arn: resource.arn ?? parameterArn(assembly, partition, name),
    });
  }
  return parameters;
}

export async function startSsm(assembly: LocalAssembly, options: SsmOptions): Promise<RunningSsm> {
  const parameters = loadParameters(assembly, options.log);
  const modified = epochSeconds(new Date());

  /** A name, an ARN, either with a `:<version>` selector; only version 1 exists. */
  const find = (reference: string): Parameter | undefined => {
    let name = reference;
    if (name.startsWith('arn:')) {
      const marker = ':parameter';
      const at = name.indexOf(marker);
      if (at === -1) return undefined;
      name = name.slice(at + marker.length);
    }
    const selector = /^(.+):([^:/]+)$/.exec(name);
    if (selector?.[1] !== undefined) {
      if (selector[2] !== '1') return undefined;
      name = selector[1];
    }
    // An ARN always has a slash before the name; a parameter named without one keeps none.
    return parameters.get(name) ?? (reference.startsWith('arn:') ? parameters.get(name.replace(/^\//, '')) : undefined);
  };

  const describe = (parameter: Parameter): JsonObject => ({
    Name: parameter.name,
    Type: parameter.type,
    Value: withLocalAddresses({ value: parameter.value }, options.localAddresses?.() ?? []).value!,
    Version: 1,
    LastModifiedDate: modified,
    ARN: parameter.arn,
    DataType: parameter.dataType,
  });

  const server = await startAwsJsonServer({
    targetPrefix: 'AmazonSSM',
    jsonVersion: '1.1',
    log: options.log,
    ...(options.port === undefined ? {} : { port: options.port }),
    operations: {
      GetParameter: (input) => {
        const name = requiredString(input, 'Name');
        const parameter = find(name);
        if (parameter === undefined) throw new AwsServiceError('ParameterNotFound', `Parameter ${name} not found.`);
        return { Parameter: describe(parameter) };
      },
      GetParameters: (input) => {
        const names = input.Names;
        if (!Array.isArray(names) || names.length === 0 || names.length > MAX_NAMES || names.some((name) => typeof name !== 'string')) {
          throw new AwsServiceError(
            'ValidationException',
            `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and ${MAX_NAMES}`,
          );
        }
        const found: JsonObject[] = [];
        const invalid: string[] = [];
        for (const name of names as string[]) {
          const parameter = find(name);
          if (parameter === undefined) invalid.push(name);
          else found.push(describe(parameter));
        }
        return { Parameters: found, InvalidParameters: invalid };
      },
      GetParametersByPath: (input) => {
        const path = requiredString(input, 'Path');
        const recursive = input.Recursive === true;
        const prefix = path.endsWith('/') ? path : `${path}/`;
        const matches = [...parameters.values()].filter((parameter) => {
          if (!parameter.name.startsWith(prefix)) return false;
          return recursive || !parameter.name.slice(prefix.length).includes('/');
        });
        // Filters and paging are not modelled: everything comes in one page.
        return { Parameters: matches.map(describe) };
      },
    },
  });
  options.log(`SSM on ${server.endpoint}: ${parameters.size} parameter(s)`);

  return {
    endpoint: server.endpoint,
    parameter: (name) => find(name)?.value,
    stop: () => server.stop(),
  };
}
