import * as z from 'zod';

/** Bounded contexts that publish events; `source` is `commerce.<context>`. */
export type EventSourceContext = 'users' | 'catalog' | 'cart' | 'inventory' | 'orders' | 'payments' | 'shipping';

export const EventMetadata = z.object({
  eventId: z.string().min(1),
  correlationId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  version: z.literal(1),
});
export type EventMetadata = z.infer<typeof EventMetadata>;

/**
 * One domain event: its EventBridge `source`, `detail-type` and the schema of `detail.data`.
 * Producers build events through it and consumers parse with it, so a name or a field can
 * never drift between the two sides.
 */
export interface EventContract<Name extends string = string, Data extends z.ZodType = z.ZodType> {
  readonly source: `commerce.${EventSourceContext}`;
  readonly detailType: Name;
  readonly data: Data;
  readonly detail: z.ZodObject<{ metadata: typeof EventMetadata; data: Data }>;
}

export function defineEvent<Name extends string, Data extends z.ZodType>(
  context: EventSourceContext,
  detailType: Name,
  data: Data,
): EventContract<Name, Data> {
  // Built on first use: a bundle carries every event of the contracts it imports, and a
  // function parses the detail of the few it publishes or consumes (zod builds are the costliest
  // part of a cold start after the SDK's; see the README's Measure section).
  let detail: EventContract<Name, Data>['detail'] | undefined;
  return {
    source: `commerce.${context}`,
    detailType,
    data,
    get detail() {
      return (detail ??= z.object({ metadata: EventMetadata, data }));
    },
  };
}

export type EventData<E extends EventContract> = z.infer<E['data']>;
export type EventDetail<E extends EventContract> = z.infer<E['detail']>;

/** The EventBridge pattern that selects exactly these events. */
export function patternFor(...events: EventContract[]): { source: string[]; 'detail-type': string[] } {
  return {
    source: [...new Set(events.map((e) => e.source))],
    'detail-type': events.map((e) => e.detailType),
  };
}
