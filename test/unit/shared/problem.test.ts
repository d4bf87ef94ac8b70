import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../functions/shared/errors';
import { toProblem } from '../../../functions/shared/http/problem';

describe('the error mapper', () => {
  it('keeps a typed error status, message and field errors', () => {
    const { status, problem } = toProblem(
      new ValidationError('The request is invalid', { errors: [{ path: 'body.email', message: 'Invalid email' }] }),
      'corr-1',
    );
    expect(status).toBe(400);
    expect(problem).toEqual({
      type: expect.stringContaining('validation-error'), title: 'Bad Request', status: 400,
      detail: 'The request is invalid', errors: [{ path: 'body.email', message: 'Invalid email' }], correlationId: 'corr-1',
    });
    expect(toProblem(new NotFoundError('gone'), 'c').status).toBe(404);
    expect(toProblem(new ConflictError('taken'), 'c').problem.title).toBe('Conflict');
  });

  it('answers anything else with a 500 that leaks nothing', () => {
    const fault = Object.assign(new Error('ResourceNotFoundException: table commerce-users-Table not found'), {
      name: 'ResourceNotFoundException',
    });
    const { status, problem } = toProblem(fault, 'corr-2');
    expect(status).toBe(500);
    const text = JSON.stringify(problem);
    expect(text).not.toContain('ResourceNotFound');
    expect(text).not.toContain('commerce-users');
    expect(text).not.toContain('at ');
    expect(problem.correlationId).toBe('corr-2');
  });
});
