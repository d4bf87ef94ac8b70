import type { SagaError } from '../contracts/saga';

export type SagaErrorName = (typeof SagaError)[keyof typeof SagaError];

/**
 * A typed failure of a saga task. Lambda reports the error's `name` as its `errorType`, and the
 * state machine's Retry and Catch select on it; any other error is a fault. Import-free of the
 * middleware, so domain modules can throw it.
 */
export class SagaTaskError extends Error {
  constructor(name: SagaErrorName, message: string) {
    super(message);
    this.name = name;
  }
}
