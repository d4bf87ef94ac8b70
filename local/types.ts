/**
 * The seams between the offline runtime's services. Each emulated service is its own module;
 * they meet only through these types, wired together by local/start.ts.
 */

/** One line of output, already prefixed by whoever owns it. */
export type LogSink = (line: string) => void;

/** A resource of the synthesized app with every intrinsic resolved to local names and ARNs. */
export interface LocalResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  /** What `Ref` returns for it (a name, an id, a URL or an ARN, depending on the type). */
  readonly ref: string;
  /** The resource's ARN, where the type has one. */
  readonly arn?: string;
  /** Properties with no intrinsic left. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** The template's Metadata of the resource, as is (e.g. `aws:asset:path` of a function's code). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The whole synthesized app, resolved. */
export interface LocalAssembly {
  readonly region: string;
  readonly accountId: string;
  readonly resources: readonly LocalResource[];
  /** Stack outputs by stack name then output key. */
  readonly outputs: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Absolute path of the cloud assembly directory (cdk.out). */
  readonly directory: string;
  ofType(type: string): LocalResource[];
  /** The resource whose ref or ARN is `refOrArn` (e.g. a function ARN found in an integration URI). */
  find(refOrArn: string): LocalResource | undefined;
}

export interface LambdaError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export type InvokeResult = { ok: true; payload: unknown } | { ok: false; error: LambdaError };

/** Runs functions of the app by name or ARN, as the Lambda service does. */
export interface LambdaInvoker {
  /** RequestResponse: runs the function and returns its result or its error. */
  invoke(functionNameOrArn: string, payload: unknown): Promise<InvokeResult>;
  /**
   * Event: queues the invocation and returns at once; a failure is retried twice (1 min then
   * 2 min apart on AWS; shorter here) and then goes to the function's on-failure destination
   * or DLQ if it has one.
   */
  invokeAsync(functionNameOrArn: string, payload: unknown): void;
  has(functionNameOrArn: string): boolean;
}

/** A service the runtime starts and must stop on shutdown. */
export interface RunningService {
  /** e.g. http://127.0.0.1:4566 */
  readonly endpoint?: string;
  stop(): Promise<void>;
}
