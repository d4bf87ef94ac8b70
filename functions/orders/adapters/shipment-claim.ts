import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ClaimShipmentResult } from '../../contracts/shipment-claim';
import { sdkClient } from '../../shared/aws-clients';
import type { ShipmentClaimer } from '../domain/order-cancellation';

const lambdaClient = /* @__PURE__ */ sdkClient(LambdaClient, {});

/**
 * Invokes shipping's claim function synchronously (RequestResponse). The claim is idempotent, so
 * the SDK's own retries of a throttled or failed call are safe; a function error is a fault of
 * the request.
 */
export function lambdaShipmentClaimer(functionName: string): ShipmentClaimer {
  return {
    async claim(input) {
      const response = await lambdaClient().send(
        new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(input)) }),
      );
      const text = response.Payload ? new TextDecoder().decode(response.Payload) : 'null';
      if (response.FunctionError) throw new Error(`The shipment claim failed (${response.FunctionError}): ${text}`);
      return ClaimShipmentResult.parse(JSON.parse(text));
    },
  };
}
