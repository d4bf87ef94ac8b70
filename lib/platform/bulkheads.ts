import type { IConstruct } from 'constructs';
import { ServiceFunction } from './service-function';
import { UNRESERVED_MINIMUM, type Stage } from './stage';

/**
 * Refuses, at synthesis, reserved concurrency the account cannot grant: Lambda keeps at least
 * UNRESERVED_MINIMUM of the account's quota unreserved, so a deployment reserving more than
 * `accountLimit - 100` in all fails half-way. The sum is over every function of `scope`.
 */
export function assertConcurrencyFits(scope: IConstruct, stage: Stage): void {
  if (!stage.concurrency) return;
  const reserved = scope.node
    .findAll()
    .filter((c): c is ServiceFunction => c instanceof ServiceFunction)
    .reduce((sum, fn) => sum + (fn.reservedConcurrency ?? 0), 0);
  const available = stage.concurrency.accountLimit - UNRESERVED_MINIMUM;
  if (reserved > available) {
    throw new Error(
      `Reserved concurrency ${reserved} exceeds what an account limit of ${stage.concurrency.accountLimit} allows (${available}: ` +
        `Lambda keeps ${UNRESERVED_MINIMUM} unreserved). Lower -c concurrency (login, register, sagaTask) or raise accountLimit after a quota increase.`,
    );
  }
}
