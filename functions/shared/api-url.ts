import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { sdkClient } from './aws-clients';
import { baseUrl, nonEmpty, readVariable } from './config';
import { ENV } from './environment';

const ssmClient = /* @__PURE__ */ sdkClient(SSMClient, {});

/**
 * The public API's base URL for a function of a stack deployed before the API's: the name of the
 * SSM parameter the API stack publishes it in is read (and checked) when called, at cold start;
 * the value on first use, once per execution environment (a failed read is retried by the next
 * call). Deploy-time configuration either way: never anything a request carries.
 */
export function publishedApiUrl(): () => Promise<string> {
  const name = readVariable(ENV.apiUrlParameter, nonEmpty);
  let loading: Promise<string> | undefined;
  return () => {
    loading ??= (async () => {
      const { Parameter } = await ssmClient().send(new GetParameterCommand({ Name: name }));
      const parsed = baseUrl.safeParse(Parameter?.Value);
      if (!parsed.success) throw new Error(`The SSM parameter ${name} holds no valid base URL`);
      return parsed.data;
    })().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
