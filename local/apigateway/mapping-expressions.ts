/**
 * The small part of API Gateway's mapping language the local gateway needs: parameter mapping
 * expressions (`'static'`, `context.requestId`, `method.request.header.Origin`, ...) and
 * `$context.*` / `$stageVariables.*` references in gateway response templates. Those are not VTL
 * on AWS either, only substitution: a value goes in verbatim, is never re-scanned for references,
 * and `$util.*` stays literal text. So a message is safe inside JSON only as
 * `$context.error.messageString`, the message as a quoted, escaped JSON string.
 */

export interface MappingSources {
  /** `$context` flattened: `requestId`, `error.message`, `identity.sourceIp`, ... */
  readonly context: Readonly<Record<string, string>>;
  readonly stageVariables: Readonly<Record<string, string>> | null;
  /** By lower-cased name, last value. */
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly queryString: Readonly<Record<string, string>>;
  readonly pathParameters: Readonly<Record<string, string>>;
}

const STATIC = /^'(.*)'$/s;

function lookup(record: Readonly<Record<string, string>> | null, key: string): string | undefined {
  return record ? record[key] : undefined;
}

/** The value of one mapping expression; undefined when it names nothing available here. */
export function evaluateMapping(expression: string, sources: MappingSources): string | undefined {
  const literal = STATIC.exec(expression);
  if (literal) return literal[1];
  const [head, ...rest] = expression.split('.');
  if (head === 'context') return lookup(sources.context, rest.join('.'));
  if (head === 'stageVariables') return lookup(sources.stageVariables, rest.join('.'));
  if (head === 'method' && rest[0] === 'request' && rest.length >= 3) {
    const name = rest.slice(2).join('.');
    switch (rest[1]) {
      case 'header':
        return lookup(sources.requestHeaders, name.toLowerCase());
      case 'querystring':
        return lookup(sources.queryString, name);
      case 'path':
        return lookup(sources.pathParameters, name);
    }
  }
  return undefined;
}

// `$context.a.b`, `${context.a.b}`, `$!context.a.b`, `$!{context.a.b}`, same for stageVariables.
const REFERENCE = /\$!?(?:\{(context|stageVariables)\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\}|(context|stageVariables)\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*))/g;

/** Substitutes variable references in a template; unknown ones render empty. */
export function renderTemplate(template: string, sources: MappingSources): string {
  return template.replace(REFERENCE, (_match, braceRoot?: string, bracePath?: string, root?: string, path?: string) => {
    const source = (braceRoot ?? root) === 'context' ? sources.context : sources.stageVariables;
    return lookup(source, (bracePath ?? path)!) ?? '';
  });
}
