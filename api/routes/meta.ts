// The API describing itself: the OpenAPI document and a page per problem type.
import { z } from 'zod';
import { notFound, PROBLEM_TYPES, type ProblemSlug } from '../problem';
import { defineRoute, type RouteSpec } from '../routing';

export function metaRoutes(openApi: () => unknown): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      operationId: 'openApi',
      summary: 'This OpenAPI 3.1 document',
      tag: 'operations',
      auth: 'none',
      responses: { 200: { description: 'The document', schema: z.looseObject({ openapi: z.string(), info: z.unknown(), paths: z.record(z.string(), z.unknown()) }) } },
      handler: async () => ({ status: 200, body: openApi() }),
    }),
    defineRoute({
      method: 'get',
      path: '/problems/:slug',
      operationId: 'describeProblem',
      summary: 'What a problem type means',
      tag: 'operations',
      auth: 'none',
      params: z.object({ slug: z.string().max(64) }),
      responses: {
        200: { description: 'The problem type', schema: z.object({ type: z.string(), status: z.number(), title: z.string(), description: z.string() }) },
        404: { description: 'No such problem type' },
      },
      handler: async ({ params }) => {
        const problem = PROBLEM_TYPES[params.slug as ProblemSlug];
        if (!Object.hasOwn(PROBLEM_TYPES, params.slug)) throw notFound('problem type');
        return { status: 200, body: { type: `/problems/${params.slug}`, ...problem } };
      },
    }),
  ];
}
