import { describe, expect, it } from 'vitest';
import { withLocalAddresses } from '../../local/lambda/function-definitions';

const API = 'https://k3x9q2m7ab.execute-api.us-east-1.amazonaws.com/dev';
const GATEWAY = 'http://127.0.0.1:41234';
const addresses = [{ deployed: API, local: GATEWAY }];

describe('withLocalAddresses', () => {
  it("points any variable holding the API's deployed URL at the local gateway, which serves the stage at its root", () => {
    expect(withLocalAddresses({ COMMERCE_API_URL: API, CATALOG_API: `${API}/` }, addresses)).toEqual({
      COMMERCE_API_URL: GATEWAY,
      CATALOG_API: `${GATEWAY}/`,
    });
  });

  it('keeps the path of a URL under it', () => {
    expect(withLocalAddresses({ PRODUCTS_URL: `${API}/products?limit=5` }, addresses)).toEqual({ PRODUCTS_URL: `${GATEWAY}/products?limit=5` });
  });

  it('leaves every other value alone, a longer path segment or another stage included', () => {
    const variables = {
      TABLE_NAME: 'orders',
      OTHER_STAGE: 'https://k3x9q2m7ab.execute-api.us-east-1.amazonaws.com/prod',
      LONGER_SEGMENT: `${API}ices`,
      OTHER_API: 'https://zzzzzzzzzz.execute-api.us-east-1.amazonaws.com/dev',
      EMBEDDED: `see ${API}`,
    };
    expect(withLocalAddresses(variables, addresses)).toEqual(variables);
  });
});
