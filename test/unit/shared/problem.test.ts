import { describe, expect, it } from 'vitest';
import {
  ConcurrentUpdateError, ConflictError, ForbiddenError, MalformedJsonError, NotFoundError, PayloadTooLargeError, TooManyRequestsError,
  UnauthorizedError, UnprocessableError, UnsupportedMediaTypeError, ValidationError,
} from '../../../functions/shared/errors';
import { toProblem } from '../../../functions/shared/http/problem';
import { problemType } from '../../../functions/shared/http/problem-types';

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

  it.each([
    [new ValidationError('x'), 400, 'validation-error', 'Bad Request'],
    [new MalformedJsonError('x'), 400, 'malformed-json', 'Bad Request'],
    [new UnauthorizedError('x'), 401, 'unauthorized', 'Unauthorized'],
    [new ForbiddenError('x'), 403, 'forbidden', 'Forbidden'],
    [new NotFoundError('x'), 404, 'not-found', 'Not Found'],
    [new ConflictError('x'), 409, 'conflict', 'Conflict'],
    [new ConcurrentUpdateError('x'), 409, 'concurrent-update', 'Conflict'],
    [new PayloadTooLargeError('x'), 413, 'payload-too-large', 'Content Too Large'],
    [new UnsupportedMediaTypeError('x'), 415, 'unsupported-media-type', 'Unsupported Media Type'],
    [new UnprocessableError('x'), 422, 'unprocessable', 'Unprocessable Content'],
    [new TooManyRequestsError('x', 2), 429, 'too-many-requests', 'Too Many Requests'],
  ])('answers %o with its status, problem type and title', (error, status, code, title) => {
    expect(error.name).toBe(error.constructor.name);
    expect(toProblem(error, 'c')).toMatchObject({ status, problem: { type: problemType(code), title, status, detail: 'x' } });
  });

  it('answers a write that kept losing races with 409 concurrent-update, saying what was contended', () => {
    const busy = new ConcurrentUpdateError('The order is being changed by another request; try again');
    expect(busy).toBeInstanceOf(ConflictError);
    expect(toProblem(busy, 'c').problem).toMatchObject({
      type: problemType('concurrent-update'), status: 409, detail: 'The order is being changed by another request; try again',
    });
    // Unlike other conflicts, trying again may well succeed: the answer says when.
    expect(toProblem(busy, 'c').headers).toEqual({ 'Retry-After': '1' });
    expect(toProblem(new ConflictError('Email already registered'), 'c').headers).toEqual({});
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
