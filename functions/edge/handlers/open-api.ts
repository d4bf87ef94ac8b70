import { buildOpenApiDocument } from '../../contracts/openapi';
import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';

// Built once per execution environment: the document only changes with a deployment.
const document = buildOpenApiDocument();

export const handler = httpRoute(routes.openApi, async () => ({
  status: 200,
  body: document,
  headers: { 'Cache-Control': 'public, max-age=300' },
}));
