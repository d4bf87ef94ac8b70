import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { edgeRoutes } from '../../contracts/routes/edge';
import { httpRoute } from '../../shared/http/route-handler';
import { OPENAPI_DOCUMENT_FILE } from '../openapi-document';

// Built when bundling and read once per execution environment: the document only changes with a deployment.
const document = JSON.parse(readFileSync(path.join(__dirname, OPENAPI_DOCUMENT_FILE), 'utf8')) as Record<string, unknown>;

export const handler = httpRoute(edgeRoutes.openApi, async () => ({
  status: 200,
  body: document,
  headers: { 'Cache-Control': 'public, max-age=300' },
}));
