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
export function sdkClient<C, A extends unknown[]>(Client: new (...config: A) => C, ...config: A): () => C {
  let instance: C | undefined;
  return () => (instance ??= new Client(...config));
}
