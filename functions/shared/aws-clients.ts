/**
 * The one factory of SDK clients: `sdkClient(SFNClient)` gives a getter that creates the client
 * on first use and then hands the same one to every invocation of the execution environment.
 * Endpoints and region come from the environment (AWS_REGION, AWS_ENDPOINT_URL_*), so the same
 * code runs on AWS, LocalStack and offline. The client class is passed in, not imported here,
 * and each getter lives with the module that uses it (DynamoDB's in dynamo/document-client.ts),
 * so a function's bundle holds, and its cold start loads, only the SDK clients it uses. A
 * module-level getter is declared `/* @__PURE__ *\/ sdkClient(...)`: then a bundle none of whose
 * code calls it drops it, and its client with it (esbuild honours no annotation on the function
 * itself across files).
 */
export function sdkClient<C extends SignedClient, A extends unknown[]>(Client: new (...config: A) => C, ...config: A): () => C {
  let instance: C | undefined;
  return () => (instance ??= signerPerScope(new Client(...config)));
}

/** The auth scheme an endpoint names (region, service), which picks the signer. */
type AuthScheme = { name?: string; signingRegion?: string; signingRegionSet?: string[]; signingName?: string } | undefined;
type SignerProvider = (authScheme?: AuthScheme) => Promise<unknown>;
interface SignedClient {
  config: object;
}

/**
 * `client`, with the SigV4 signer its config resolves built once per signing scope instead of
 * once per request: the SDK's default provider copies the client's whole resolved config into a
 * new signer at every request (2 % of a hot GetProduct's CPU profile). A signer holds nothing
 * per request: its credentials are the client's provider (which refreshes them), its region and
 * service are the ones the SDK's provider fixes in the config on its first call anyway, and each
 * signature takes its date from the call. A failed build is not kept, so the next request retries.
 */
function signerPerScope<C extends SignedClient>(client: C): C {
  const config = client.config as { signer?: SignerProvider };
  const build = config.signer;
  if (typeof build !== 'function') return client;
  const signers = new Map<string, Promise<unknown>>();
  config.signer = (authScheme) => {
    const scope = `${authScheme?.name}|${authScheme?.signingRegion}|${authScheme?.signingRegionSet}|${authScheme?.signingName}`;
    let signer = signers.get(scope);
    if (!signer) {
      signer = build(authScheme);
      signers.set(scope, signer);
      signer.catch(() => signers.delete(scope));
    }
    return signer;
  };
  return client;
}
