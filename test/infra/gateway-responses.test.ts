/**
 * The API's gateway responses (errors API Gateway answers itself, before or instead of a
 * function), as synthesized, rendered through the offline gateway's renderer, which substitutes
 * `$context` variables the way API Gateway's non-VTL gateway response templates do.
 */
import { App, Stack } from 'aws-cdk-lib';
import { ResponseType } from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TITLES } from '../../functions/shared/http/problem-types';
import { CommerceRestApi, PlatformRestApi } from '../../lib/platform/rest-api';
import { stageFrom } from '../../lib/platform/stage';
import { renderGatewayResponse } from '../../local/apigateway/gateway-responses';
import type { GatewayResponseDefinition } from '../../local/apigateway/rest-api-model';
import type { MappingSources } from '../../local/apigateway/mapping-expressions';

/** API Gateway's own status for each response type (its developer guide, "Gateway response types"). */
const AWS_DEFAULT_STATUS: Record<string, number> = {
  ACCESS_DENIED: 403, API_CONFIGURATION_ERROR: 500, AUTHORIZER_CONFIGURATION_ERROR: 500, AUTHORIZER_FAILURE: 500,
  BAD_REQUEST_PARAMETERS: 400, BAD_REQUEST_BODY: 400, EXPIRED_TOKEN: 403, INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504, INVALID_API_KEY: 403, INVALID_SIGNATURE: 403, MISSING_AUTHENTICATION_TOKEN: 403,
  QUOTA_EXCEEDED: 429, REQUEST_TOO_LARGE: 413, RESOURCE_NOT_FOUND: 404, THROTTLED: 429, UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415, WAF_FILTERED: 403,
  // What reaches the DEFAULT_nXX responses: a type added after this app was written, and a
  // failed Lambda proxy integration (API Gateway's 502).
  DEFAULT_4XX: 403, DEFAULT_5XX: 502,
};

/** The statuses the app answers with: API Gateway's, except an unrouted request, which the API contract calls a 404. */
const EXPECTED_STATUS: Record<string, number> = { ...AWS_DEFAULT_STATUS, MISSING_AUTHENTICATION_TOKEN: 404 };

const HOSTILE_MESSAGES = [
  'He said "hello" and left',
  'C:\\temp\\ and a trailing backslash \\',
  'line one\nline two\r\n\ttabbed',
  '</script><script>alert(1)</script>',
  'ünïcødé 😀 — \u2028\u2029 and a NUL \u0000',
  '{"injected":true}, "status": 200',
  'a variable: $context.requestId ${context.requestId}',
];

const REQUEST_ID = '0f6ad3a4-6f0e-4b8e-9a51-2cf1b86b9d11';

function sources(accept?: string): MappingSources {
  return {
    context: { requestId: REQUEST_ID },
    stageVariables: null,
    requestHeaders: accept ? { accept } : {},
    queryString: {},
    pathParameters: {},
  };
}

interface GatewayResponseProperties {
  ResponseType: string;
  StatusCode?: string;
  ResponseParameters: Record<string, string>;
  ResponseTemplates: Record<string, string>;
}

let synthesized: GatewayResponseProperties[];
/** As the offline gateway reads them from a cloud assembly (local/apigateway/rest-api-model.ts). */
let definitions: Map<string, GatewayResponseDefinition>;

beforeAll(() => {
  const stack = new Stack(new App(), 'GatewayResponses');
  const stage = stageFrom('dev');
  new CommerceRestApi(stack, 'Api', { stage, restApi: new PlatformRestApi(stack, 'RestApi', stage) });
  const resources = Template.fromStack(stack).findResources('AWS::ApiGateway::GatewayResponse');
  synthesized = Object.values(resources).map((resource) => resource.Properties as GatewayResponseProperties);
  definitions = new Map(
    synthesized.map((properties) => [
      properties.ResponseType,
      {
        responseType: properties.ResponseType,
        ...(properties.StatusCode === undefined ? {} : { statusCode: Number(properties.StatusCode) }),
        responseParameters: properties.ResponseParameters,
        responseTemplates: properties.ResponseTemplates,
      },
    ]),
  );
});

describe('gateway responses', () => {
  it('define every response type API Gateway has', () => {
    const all = Object.values(ResponseType).filter((value): value is ResponseType => value instanceof ResponseType);
    expect(synthesized.map((properties) => properties.ResponseType).sort()).toEqual(all.map((type) => type.responseType).sort());
  });

  it('keep each type its real status: no DEFAULT_4XX status that would turn every 4XX into one code', () => {
    const statuses = Object.fromEntries(synthesized.map((properties) => [properties.ResponseType, properties.StatusCode]));
    const expected = Object.fromEntries(
      Object.entries(EXPECTED_STATUS).map(([type, status]) => [type, type === 'DEFAULT_4XX' ? undefined : String(status)]),
    );
    expect(statuses).toEqual(expected);
  });

  it('never splice a message into JSON unescaped (templates are not VTL: no $util, only substitution)', () => {
    for (const { ResponseType: type, ResponseTemplates } of synthesized) {
      for (const template of Object.values(ResponseTemplates)) {
        expect(template, type).not.toMatch(/validationErrorString|\$util|\$context\.error\.message(?!String)/);
      }
    }
  });

  it.each(Object.keys(EXPECTED_STATUS))('render %s as problem+json with its status, keeping hostile messages verbatim', (type) => {
    // DEFAULT_4XX is reached by a 4XX type the app has no definition for: its own status must survive.
    const error = { type: type === 'DEFAULT_4XX' ? 'SOME_NEWER_4XX_TYPE' : type, status: AWS_DEFAULT_STATUS[type]!, message: '' };
    for (const message of HOSTILE_MESSAGES) {
      for (const accept of [undefined, 'application/problem+json', 'application/json', 'text/html']) {
        const answer = renderGatewayResponse(definitions, { ...error, message }, sources(accept));
        expect(answer.statusCode).toBe(EXPECTED_STATUS[type]);
        expect(answer.headers['Content-Type']).toBe('application/problem+json');
        // The contract returns X-Correlation-Id on every response: the gateway's own ones too, equal to the body's.
        expect(answer.headers['X-Correlation-Id']).toBe(REQUEST_ID);
        expect(answer.headers['Access-Control-Expose-Headers']).toBe('X-Correlation-Id');
        const problem = JSON.parse(answer.body) as Record<string, unknown>;
        expect(problem).toMatchObject({ type: expect.stringMatching(/^https:\/\/commerce\.dev\/problems\/[a-z-]+$/), correlationId: REQUEST_ID });
        if (type === 'DEFAULT_4XX') expect(problem).toMatchObject({ title: 'Client Error' });
        else expect(problem).toMatchObject({ title: PROBLEM_TITLES[answer.statusCode], status: answer.statusCode });
        if (type === 'MISSING_AUTHENTICATION_TOKEN') {
          // API Gateway's "Missing Authentication Token" would mislead: no route here takes one.
          expect(problem.detail).toBe('No route matches this method and path.');
        } else {
          expect(problem.detail).toBe(message);
        }
        if (type === 'BAD_REQUEST_BODY') expect(problem.errors).toEqual([{ path: 'body', message }]);
      }
    }
  });
});
