// Liveness (the process answers) and readiness (Postgres and Temporal answer), for orchestrators and people.
import { z } from 'zod';
import { isDatabaseReachable } from '../../db/database';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../routing';

const READINESS_TIMEOUT_MS = 2_000;

async function isTemporalReachable(deps: ApiDeps): Promise<boolean> {
  try {
    await deps.temporal.connection.withDeadline(Date.now() + READINESS_TIMEOUT_MS, () =>
      deps.temporal.workflowService.getSystemInfo({}),
    );
    return true;
  } catch {
    return false;
  }
}

const readiness = z.object({
  status: z.enum(['ready', 'not-ready']),
  checks: z.object({ postgres: z.enum(['up', 'down']), temporal: z.enum(['up', 'down']) }),
});

export function healthRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'health',
      summary: 'The process is up',
      tag: 'operations',
      auth: 'none',
      responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok') }) } },
      handler: async () => ({ status: 200, body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'readiness',
      summary: 'Postgres and Temporal are reachable',
      tag: 'operations',
      auth: 'none',
      responses: {
        200: { description: 'Ready', schema: readiness },
        503: { description: 'A dependency is down', schema: readiness },
      },
      handler: async () => {
        const [postgres, temporal] = await Promise.all([isDatabaseReachable(deps.db), isTemporalReachable(deps)]);
        const ready = postgres && temporal;
        return {
          status: ready ? 200 : 503,
          body: {
            status: ready ? 'ready' : 'not-ready',
            checks: { postgres: postgres ? 'up' : 'down', temporal: temporal ? 'up' : 'down' },
          },
        };
      },
    }),
  ];
}
