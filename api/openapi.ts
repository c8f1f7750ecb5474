// The OpenAPI 3.1 document, generated from the route declarations (OpenAPI 3.1 schemas are JSON Schema 2020-12,
// which zod emits directly).
import { z } from 'zod';
import { PROBLEM_TYPES } from './problem';
import type { RouteSpec } from './routing';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(where: 'path' | 'query' | 'header', schema: z.ZodType | undefined) {
  if (!schema) return [];
  const s = jsonSchema(schema, 'input');
  return Object.entries(s.properties ?? {}).map(([name, property]) => ({
    name: where === 'header' ? name.replace(/(^|-)([a-z])/g, (_m, dash, c) => dash + c.toUpperCase()) : name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema: property,
    ...(property.description ? { description: property.description } : {}),
  }));
}

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', enum: Object.keys(PROBLEM_TYPES).map((slug) => `/problems/${slug}`) },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string', description: 'Why the request failed, for a person to read.' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { in: { type: 'string' }, path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function buildOpenApi(routes: RouteSpec[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      // Every refusal is problem+json, whether or not the route names a schema for it.
      const documented: { description: string; content?: Record<string, unknown> } = Number(status) >= 400 && !response.schema ? problemResponse(response.description) : {
        description: response.description,
        ...(response.schema ? { content: { 'application/json': { schema: jsonSchema(response.schema, 'output') } } } : {}),
      };
      if (response.page) documented.content = { ...documented.content, 'text/html': { schema: { type: 'string' } } };
      responses[status] = documented;
    }
    // What every operation of its kind can answer besides its own statuses (test/integration/bad-input.test.ts checks
    // each answer against this document).
    if (route.params || route.query || route.headers || route.body) responses['400'] ??= problemResponse('The request is not valid.');
    if (route.auth !== 'none') {
      responses['401'] = problemResponse('Missing or invalid API key.');
      responses['403'] ??= problemResponse('The key is valid but of another kind (e.g. a merchant key on an admin route).');
      responses['429'] = problemResponse('Too many failed authentications from this address (or of this key); see Retry-After.');
    }
    if (route.params) responses['404'] ??= problemResponse('No such resource for this merchant.');
    if (route.body) {
      responses['413'] = problemResponse('The body is too large.');
      responses['415'] = problemResponse('The body is not JSON.');
    }
    responses['500'] = problemResponse('Internal error.');
    responses['503'] ??= problemResponse('Postgres or Temporal is unavailable; nothing was changed. Retry shortly.');
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(route.auth === 'merchant' ? { security: [{ merchantApiKey: [] }, { consoleSession: [] }] } : {}),
      ...(route.merchantRole === 'admin' ? { description: 'Console users: merchant admins only (a billing user gets 403).' } : {}),
      ...(route.merchantRole === 'platform-admin' ? { description: 'Only a Settle platform admin signed in to the console (anyone else, API keys included, gets 403).' } : {}),
      ...(route.auth === 'admin' ? { security: [{ adminApiKey: [] }] } : {}),
      ...(route.auth === 'cpq' ? { security: [{ cpqApiKey: [] }] } : {}),
      parameters: [
        ...parameters('path', route.params),
        ...parameters('query', route.query),
        ...parameters('header', route.headers),
      ],
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: {
        merchantApiKey: { type: 'http', scheme: 'bearer', description: "A merchant's API key: every route answers for that merchant only." },
        consoleSession: { type: 'apiKey', in: 'cookie', name: 'settle_session', description: 'The merchant console\'s session (POST /v1/session). Writes also need the X-CSRF-Token header that POST/GET /v1/session answer.' },
        adminApiKey: { type: 'http', scheme: 'bearer', description: 'The admin key from SETTLE_ADMIN_API_KEY.' },
        cpqApiKey: { type: 'http', scheme: 'bearer', description: "The merchant's ConnectWise Sell key (Integrations > ConnectWise Sell): CPQ's calls only." },
      },
    },
  };
}
