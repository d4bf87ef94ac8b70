/**
 * Event filtering of an event source mapping (`FilterCriteria.Filters[].Pattern`): Lambda uses
 * EventBridge's pattern syntax, applied to each record as the function would receive it, and a
 * record passes when any of the (up to five) filters matches.
 */
import { matchesEventPattern, validateEventPattern, type EventPattern } from '../eventbridge/event-pattern';
import { errorMessage } from './error-message';

export type RecordFilter = (record: unknown) => boolean;

const MAX_FILTERS = 5;

/** Throws when a pattern is not JSON or not a valid pattern, as CreateEventSourceMapping would. */
export function compileFilterCriteria(patterns: readonly string[], where: string): RecordFilter {
  if (patterns.length === 0) return () => true;
  if (patterns.length > MAX_FILTERS) throw new Error(`${where}: at most ${MAX_FILTERS} filters are allowed, found ${patterns.length}`);
  const compiled: EventPattern[] = patterns.map((pattern, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      throw new Error(`${where}: filter ${index + 1} is not JSON: ${errorMessage(error)}`, { cause: error });
    }
    try {
      return validateEventPattern(parsed);
    } catch (error) {
      throw new Error(`${where}: filter ${index + 1}: ${errorMessage(error)}`, { cause: error });
    }
  });
  return (record) => compiled.some((pattern) => matchesEventPattern(pattern, record));
}

/**
 * An SQS record as filters see it: a body holding a JSON object or array is matched as that
 * JSON (`{"body": {"type": ["order"]}}`), any other body as the plain string it is.
 */
export function sqsFilterView<T extends { readonly body: string }>(record: T): Omit<T, 'body'> & { body: unknown } {
  return { ...record, body: jsonBody(record.body) };
}

function jsonBody(body: string): unknown {
  const start = body.trimStart()[0];
  if (start !== '{' && start !== '[') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}
