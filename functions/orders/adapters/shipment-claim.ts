import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import { ClaimShipmentResult } from '../../contracts/shipment-claim';
import { readConfig } from '../../shared/config';
import { tracer } from '../../shared/observability';
import type { ShipmentClaimer } from '../domain/orders';
import { ORDERS_ENV } from '../orders-config';

/** Shipping's claim function, configured once at cold start of the function that calls it. */
const config = readConfig({ [ORDERS_ENV.claimShipmentFunction]: z.string().min(1) });

let client: LambdaClient | undefined;

/** Created on first use and reused by every invocation of the execution environment. */
function lambdaClient(): LambdaClient {
  return (client ??= tracer.captureAWSv3Client(new LambdaClient({})));
}

/**
 * Invokes shipping's claim synchronously (RequestResponse). The claim is idempotent, so the SDK's
 * own retries of a throttled or failed call are safe; a function error is a fault of the request.
 */
export const shipmentClaimer: ShipmentClaimer = {
  async claim(input) {
    const response = await lambdaClient().send(
      new InvokeCommand({ FunctionName: config[ORDERS_ENV.claimShipmentFunction], Payload: new TextEncoder().encode(JSON.stringify(input)) }),
    );
    const text = response.Payload ? new TextDecoder().decode(response.Payload) : 'null';
    if (response.FunctionError) throw new Error(`The shipment claim failed (${response.FunctionError}): ${text}`);
    return ClaimShipmentResult.parse(JSON.parse(text));
  },
};
