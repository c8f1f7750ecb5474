// Bundles the workflow code once per process (webpack takes seconds), for every workflows worker it starts.
// Workflow code converts failures inside the sandbox, so the bundle carries Settle's failure converter: a Worker
// given a prebuilt bundle ignores its dataConverter's failureConverterPath.
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../lib/temporal/payload-codec';

export const WORKFLOWS_ENTRY = require.resolve('../workflows');

/** `workflowsPath`: another workflows module than Settle's (the benchmarks' no-op workflows). */
export function bundleWorkflows(workflowsPath = WORKFLOWS_ENTRY): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, failureConverterPath: FAILURE_CONVERTER_PATH, logger: quietBundlerLogger });
}

// webpack's progress chatter is noise in `npm start` and test output; warnings and errors still show.
const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`[bundle] ${message}\n`),
  error: (message: string) => process.stderr.write(`[bundle] ${message}\n`),
};
