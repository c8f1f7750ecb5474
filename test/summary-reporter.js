// Prints one plain closing line, `tests: N passed, N failed, N skipped`, after jest's own summary, so that
// CI logs state the count in a form any tool reads (.ci/run repeats it as its very last line).
//
// While the run goes on it also names any test file that has been running for long (every minute past two), so a
// hang says where it is before jest's timeout ends it; the waits inside a file say what they wait for
// (eventually(), resultWithin()).
const SLOW_AFTER_MS = 120_000;
const EVERY_MS = 60_000;

class SummaryReporter {
  constructor() {
    this.running = new Map(); // test file path -> start time
    this.timer = undefined;
  }

  onRunStart() {
    this.timer = setInterval(() => this.reportSlow(), EVERY_MS);
    this.timer.unref();
  }

  onTestFileStart(test) {
    this.running.set(test.path, Date.now());
  }

  onTestFileResult(test) {
    this.running.delete(test.path);
  }

  reportSlow() {
    const now = Date.now();
    for (const [file, started] of this.running) {
      const ms = now - started;
      if (ms >= SLOW_AFTER_MS) process.stderr.write(`[still running] ${file.replace(`${process.cwd()}/`, '')} for ${Math.round(ms / 1000)} s\n`);
    }
  }

  onRunComplete(_contexts, results) {
    clearInterval(this.timer);
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests, numRuntimeErrorTestSuites } = results;
    // A file that failed to run (an import that throws, a failing beforeAll) ran no test: it counts as one failure,
    // so the line never says "0 failed" for a red run.
    const failed = numFailedTests + numRuntimeErrorTestSuites;
    process.stdout.write(`tests: ${numPassedTests} passed, ${failed} failed, ${numPendingTests + numTodoTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
