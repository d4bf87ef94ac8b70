/**
 * Task tokens of `.waitForTaskToken` tasks: a task waits until SendTaskSuccess/SendTaskFailure
 * names its token, and fails with States.HeartbeatTimeout when HeartbeatSeconds pass without a
 * SendTaskHeartbeat (counted from the task's start, as on AWS).
 *
 * The API's errors for a token that cannot be completed, as AWS returns them:
 * - InvalidToken: not a token this service could have issued;
 * - TaskTimedOut ("Provided task does not exist anymore"): issued, but its task already ended
 *   (completed, timed out, or its execution closed);
 * - TaskDoesNotExist: well-formed but unknown here (e.g. issued before a restart).
 */
import { randomBytes } from 'node:crypto';

import { AwsServiceError } from '../aws-json/aws-json-server';
import { TaskFailure } from './task-errors';

interface PendingTask {
  readonly executionArn: string;
  readonly stateName: string;
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly heartbeatSeconds?: number;
  heartbeatTimer?: NodeJS.Timeout;
}

interface TokenClaims {
  readonly executionArn: string;
  readonly stateName: string;
}

function encode(claims: TokenClaims): string {
  return `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${randomBytes(24).toString('base64url')}`;
}

function decode(token: string): TokenClaims | undefined {
  const [claims, nonce] = token.split('.');
  if (claims === undefined || nonce === undefined || nonce.length < 16) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { executionArn, stateName } = parsed as Record<string, unknown>;
    return typeof executionArn === 'string' && typeof stateName === 'string' ? { executionArn, stateName } : undefined;
  } catch {
    return undefined;
  }
}

export class TaskTokens {
  private readonly pending = new Map<string, PendingTask>();
  /** Every token issued, by execution, so a late callback gets TaskTimedOut rather than InvalidToken. */
  private readonly issued = new Map<string, Set<string>>();

  mint(executionArn: string, stateName: string): string {
    const token = encode({ executionArn, stateName });
    let tokens = this.issued.get(executionArn);
    if (!tokens) {
      tokens = new Set();
      this.issued.set(executionArn, tokens);
    }
    tokens.add(token);
    return token;
  }

  /** Waits for the token's SendTaskSuccess (resolves with its output) or SendTaskFailure / heartbeat timeout (rejects). */
  wait(token: string, heartbeatSeconds?: number): Promise<unknown> {
    const claims = decode(token);
    if (!claims) return Promise.reject(new Error(`not a task token: ${token}`));
    return new Promise<unknown>((resolve, reject) => {
      const pending: PendingTask = {
        executionArn: claims.executionArn,
        stateName: claims.stateName,
        resolve,
        reject,
        ...(heartbeatSeconds === undefined ? {} : { heartbeatSeconds }),
      };
      this.pending.set(token, pending);
      this.armHeartbeat(token, pending);
    });
  }

  /** The task ended without the token (timed out, or its call failed): later callbacks get TaskTimedOut. */
  expire(token: string): void {
    const pending = this.pending.get(token);
    if (!pending) return;
    clearTimeout(pending.heartbeatTimer);
    this.pending.delete(token);
  }

  succeed(token: string, output: unknown): void {
    const pending = this.take(token);
    pending.resolve(output);
  }

  fail(token: string, error: string, cause: string): void {
    const pending = this.take(token);
    pending.reject(new TaskFailure(error, cause));
  }

  heartbeat(token: string): void {
    const pending = this.lookup(token);
    this.armHeartbeat(token, pending);
  }

  /** The execution ended: its waiting tasks are rejected with `error` (nobody is listening any more). */
  closeExecution(executionArn: string, error: Error): void {
    for (const [token, pending] of this.pending) {
      if (pending.executionArn !== executionArn) continue;
      clearTimeout(pending.heartbeatTimer);
      this.pending.delete(token);
      pending.reject(error);
    }
  }

  /** The execution is forgotten: its tokens become unknown. */
  forgetExecution(executionArn: string): void {
    this.issued.delete(executionArn);
  }

  stop(error: Error): void {
    for (const executionArn of new Set([...this.pending.values()].map((pending) => pending.executionArn))) {
      this.closeExecution(executionArn, error);
    }
  }

  private armHeartbeat(token: string, pending: PendingTask): void {
    clearTimeout(pending.heartbeatTimer);
    if (pending.heartbeatSeconds === undefined) return;
    const seconds = pending.heartbeatSeconds;
    pending.heartbeatTimer = setTimeout(() => {
      if (this.pending.get(token) !== pending) return;
      this.pending.delete(token);
      pending.reject(new TaskFailure('States.HeartbeatTimeout', `no heartbeat for ${seconds} seconds (HeartbeatSeconds) in state ${pending.stateName}`));
    }, seconds * 1000);
  }

  private take(token: string): PendingTask {
    const pending = this.lookup(token);
    clearTimeout(pending.heartbeatTimer);
    this.pending.delete(token);
    return pending;
  }

  private lookup(token: string): PendingTask {
    const pending = this.pending.get(token);
    if (pending) return pending;
    const claims = decode(token);
    if (!claims) throw new AwsServiceError('InvalidToken', "Invalid Token: 'Invalid token'");
    if (this.issued.get(claims.executionArn)?.has(token)) {
      throw new AwsServiceError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    throw new AwsServiceError('TaskDoesNotExist', `Task Does Not Exist: the token names execution ${claims.executionArn}, unknown here`);
  }
}
