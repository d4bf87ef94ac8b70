/**
 * `orders retry <orderId>`: finishes what the saga gave up on. A flagged order's execution ended
 * in FlagOrder after a compensation kept failing; Step Functions' own redrive would only rerun
 * the NeedsOperator Fail state (and an EXPRESS execution, prod's saga, keeps no history and has
 * no redrive at all), so this runs the compensation path again itself, from the order alone: the
 * flag records which saga and which state kept failing (FailedStep, written by FlagOrder), the
 * state machine's definition gives the path, and the order gives the saga's state the path reads
 * (its id, correlation id, items, total; the after-failure path's reason from the flag). The
 * whole path runs, from its first compensation on, not just from the failed state: a later step
 * may read what an earlier one answered (CancelOrder takes `refunded` from RefundPayment). Every
 * saga task is idempotent (a refund already made answers `refunded: true` again, a released
 * reservation is not released twice, a status already reached is no change), so running the
 * steps that had succeeded again is safe. Each Task's function is invoked with the payload its
 * Parameters make, its result placed at its ResultPath, then its Next, until the path ends. Once
 * the path has run the flag is removed; if a step fails again, the order stays flagged and the
 * error is shown.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { FailedStep } from '../functions/contracts/saga';
import type { OrderLine } from '../functions/orders/domain/order';
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
  readonly Catch?: readonly { readonly Next: string }[];
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
    if (key.endsWith('.$')) {
      const read = readPath(input, String(value));
      // Step Functions fails a state on a path that is not there; so does the retry, before it invokes anything wrong.
      if (read === undefined) throw new TargetError(`the retry cannot tell ${String(value)} from the order: finish it by hand`);
      return [key.slice(0, -2), read];
    }
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

/** The state the flag leads to: every compensation's Catch reaches it (through its `<name>KeptFailing` Pass). */
const FLAG_STATE = 'FlagOrder';

/** Whether the Task is a compensation: its Catch hands the order to FlagOrder (Pass states on the way). */
function isCompensation(states: Readonly<Record<string, AslState>>, name: string): boolean {
  const state = states[name];
  if (state?.Type !== 'Task') return false;
  return (state.Catch ?? []).some(({ Next }) => {
    let next: string | undefined = Next;
    while (next !== undefined && states[next]?.Type === 'Pass') next = states[next]!.Next;
    return next === FLAG_STATE;
  });
}

/**
 * The first compensation of the path the failed state is on: back along Next while exactly one
 * compensation leads there (a path's head is a Catch target, or follows Pass states that are).
 */
export function pathStart(states: Readonly<Record<string, AslState>>, failed: string): string {
  if (!isCompensation(states, failed)) throw new TargetError(`${failed} is not a compensation of this saga: finish the order by hand`);
  let start = failed;
  for (;;) {
    const before = Object.keys(states).filter((name) => states[name]!.Next === start);
    if (before.length !== 1 || !isCompensation(states, before[0]!)) return start;
    start = before[0]!;
  }
}

/** The saga's state as far as a compensation path reads it, from the order and its flag (never the payment token: no compensation takes it). */
export function sagaStateOf(order: Json, failed: FailedStep): Json {
  const { orderId, correlationId, customerId, totalCents, currency } = order;
  const items = (order.items as OrderLine[]).map(({ productId, quantity, unitPriceCents }) => ({ productId, quantity, unitPriceCents }));
  const abort = failed.abortReason === undefined ? {} : { abort: { reason: failed.abortReason } };
  return { orderId, correlationId, customerId, items, totalCents, currency, ...abort };
}

/** Where the flag says the saga gave up: none on an order flagged before FlagOrder recorded it. */
function failedStepOf(order: Json, orderId: string): FailedStep {
  const parsed = FailedStep.safeParse(order.failedStep);
  if (!parsed.success) throw new TargetError(`order ${orderId}'s flag does not say which step failed (flagged before the saga recorded it): finish it by hand`);
  return parsed.data;
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

  const failed = failedStepOf(order, orderId);
  const machineArn = required(target, failed.saga === 'order' ? 'orderSagaArn' : 'cancellationSagaArn');
  const sfn = new SFNClient(target.clientConfig('SFN'));
  const { definition } = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }));
  const states = (JSON.parse(definition ?? '{}') as { States: Record<string, AslState> }).States;
  const plan = planFrom(states, pathStart(states, failed.state));
  report.out(`order ${orderId}: ${failed.state} failed; the retry runs ${plan.map((step) => step.state).join(' → ')}`);
  if (options.dryRun) {
    report.out('dry run: nothing invoked, the order stays flagged');
    return String(order.status);
  }
  await runPlan(target, plan, states, sagaStateOf(order, failed), report);
  const settled = await dynamo.send(new UpdateCommand({
    TableName: tableName, Key: key, ReturnValues: 'ALL_NEW',
    UpdateExpression: 'REMOVE needsOperator SET operatorRetriedAt = :now', ExpressionAttributeValues: { ':now': new Date().toISOString() },
  }));
  const status = String(settled.Attributes?.status);
  report.out(`order ${orderId} settled: ${status}, no longer flagged`);
  return status;
}
