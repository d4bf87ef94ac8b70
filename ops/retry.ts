/**
 * `orders retry <orderId>`: finishes what the saga gave up on. A flagged order's execution ended
 * in FlagOrder after a compensation kept failing; Step Functions' own redrive would only rerun
 * the NeedsOperator Fail state, so this runs the rest of the saga's path itself: from the state
 * that failed (with the input it had, read from the execution history), each Task's function is
 * invoked with the payload its Parameters make, its result placed at its ResultPath, then its
 * Next, until the path ends. Every saga task is idempotent, so a state that had partly happened
 * is safe to run again. Once the path has run the flag is removed; if a step fails again, the
 * order stays flagged and the error is shown.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, DescribeStateMachineCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Reporter } from './report';
import { required, TargetError, type Target } from './target';

/** The parts of an ASL state the retry follows. */
export interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly ResultPath?: string | null;
  readonly Result?: unknown;
  readonly Next?: string;
  readonly End?: boolean;
}

export interface PlannedStep {
  readonly state: string;
  readonly functionArn: string;
}

type Json = Record<string, unknown>;

/** `$` or `$.a.b` in `data`; anything else (intrinsics, filters) is beyond the retry. */
export function readPath(data: unknown, path: string): unknown {
  if (path === '$') return data;
  if (!/^\$(\.[A-Za-z0-9_-]+)+$/.test(path)) throw new TargetError(`cannot evaluate the path ${path} outside Step Functions`);
  return path.slice(2).split('.').reduce<unknown>((value, key) => (value as Json | undefined)?.[key], data);
}

/** The Parameters template applied to the state's input: `key.$` fields read paths, others are literal (nested objects included). */
export function applyParameters(template: Record<string, unknown>, input: unknown): Json {
  return Object.fromEntries(Object.entries(template).map(([key, value]) => {
    if (key.endsWith('.$')) return [key.slice(0, -2), readPath(input, String(value))];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return [key, applyParameters(value as Json, input)];
    return [key, value];
  }));
}

/** The input with `result` placed at `resultPath` (`$.a` or `$.a.b`), as a Task's ResultPath does. */
export function placeResult(input: Json, resultPath: string | null | undefined, result: unknown): Json {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return result as Json;
  const keys = resultPath.slice(2).split('.');
  const copy: Json = structuredClone(input);
  let node = copy;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Json;
  node[keys.at(-1)!] = result;
  return copy;
}

/** The Task states from `start` to the path's end, with the function each invokes. */
export function planFrom(states: Readonly<Record<string, AslState>>, start: string): PlannedStep[] {
  const plan: PlannedStep[] = [];
  for (let name: string | undefined = start; name !== undefined;) {
    const state: AslState | undefined = states[name];
    if (state === undefined) throw new TargetError(`the state machine has no state ${name}`);
    if (state.Type === 'Succeed' || state.Type === 'Fail') break;
    if (state.Type !== 'Task' || !state.Resource?.includes(':function:')) {
      throw new TargetError(`the path from ${start} reaches ${name} (${state.Type}), which the retry cannot run: finish the order by hand`);
    }
    plan.push({ state: name, functionArn: state.Resource });
    name = state.End ? undefined : state.Next;
  }
  return plan;
}

interface FailedPoint {
  readonly machineArn: string;
  readonly state: string;
  readonly input: Json;
}

/** The execution of the order (`<orderId>` or `cancel-<orderId>`) that ended in FlagOrder, and the state that failed there. */
async function failedPoint(sfn: SFNClient, machineArns: readonly string[], orderId: string): Promise<FailedPoint> {
  for (const machineArn of machineArns) {
    for (const name of [orderId, `cancel-${orderId}`]) {
      const executionArn = `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;
      const status = await sfn.send(new DescribeExecutionCommand({ executionArn })).then((execution) => execution.status, () => undefined);
      if (status !== 'FAILED') continue;
      const entered: { name: string; input: string }[] = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
        for (const event of page.events ?? []) {
          const details = event.stateEnteredEventDetails;
          if (details?.name !== undefined) entered.push({ name: details.name, input: details.input ?? '{}' });
        }
        nextToken = page.nextToken;
      } while (nextToken);
      const flag = entered.findIndex((state) => state.name === 'FlagOrder');
      const failed = entered[flag - 1];
      if (flag > 0 && failed) return { machineArn, state: failed.name, input: JSON.parse(failed.input) as Json };
    }
  }
  throw new TargetError(`no failed saga execution of order ${orderId} went through FlagOrder: nothing to retry`);
}

async function runPlan(target: Target, plan: readonly PlannedStep[], states: Readonly<Record<string, AslState>>, input: Json, report: Reporter): Promise<void> {
  const lambda = new LambdaClient(target.clientConfig('LAMBDA'));
  let data = input;
  for (const step of plan) {
    const state = states[step.state]!;
    const payload = applyParameters(state.Parameters ?? {}, data);
    const reply = await lambda.send(new InvokeCommand({ FunctionName: step.functionArn, Payload: Buffer.from(JSON.stringify(payload)) }));
    const body = reply.Payload ? (JSON.parse(Buffer.from(reply.Payload).toString('utf8')) as unknown) : null;
    if (reply.FunctionError) {
      const error = body as { errorType?: string; errorMessage?: string } | null;
      throw new TargetError(`${step.state} failed again (${error?.errorType ?? reply.FunctionError}: ${error?.errorMessage ?? ''}): the order stays flagged`);
    }
    report.progress(`${step.state}: done`, true);
    data = placeResult(data, state.ResultPath, body);
  }
}

export async function retryOrder(target: Target, orderId: string, options: { dryRun: boolean }, report: Reporter): Promise<string> {
  const tableName = required(target, 'ordersTableName');
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(target.clientConfig('DYNAMODB')));
  const key = { pk: `ORDER#${orderId}`, sk: 'STATE' };
  const order = (await dynamo.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  if (!order) throw new TargetError(`no order ${orderId}`);
  if (order.needsOperator !== true) throw new TargetError(`order ${orderId} is not flagged (status ${String(order.status)}): nothing to retry`);

  const sfn = new SFNClient(target.clientConfig('SFN'));
  const failed = await failedPoint(sfn, [required(target, 'orderSagaArn'), required(target, 'cancellationSagaArn')], orderId);
  const { definition } = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: failed.machineArn }));
  const states = (JSON.parse(definition ?? '{}') as { States: Record<string, AslState> }).States;
  const plan = planFrom(states, failed.state);
  report.out(`order ${orderId}: ${failed.state} failed; the retry runs ${plan.map((step) => step.state).join(' → ')}`);
  if (options.dryRun) {
    report.out('dry run: nothing invoked, the order stays flagged');
    return String(order.status);
  }
  await runPlan(target, plan, states, failed.input, report);
  const settled = await dynamo.send(new UpdateCommand({
    TableName: tableName, Key: key, ReturnValues: 'ALL_NEW',
    UpdateExpression: 'REMOVE needsOperator SET operatorRetriedAt = :now', ExpressionAttributeValues: { ':now': new Date().toISOString() },
  }));
  const status = String(settled.Attributes?.status);
  report.out(`order ${orderId} settled: ${status}, no longer flagged`);
  return status;
}
