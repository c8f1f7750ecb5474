// Idempotency as the real APIs honour it: a repeated key gets the first answer again and changes nothing.
import type { EmulatorResponse } from './server';

export class IdempotencyStore {
  private readonly answers = new Map<string, { fingerprint: string; response: EmulatorResponse }>();
  /** How many requests were answered from the store instead of being applied again. */
  replays = 0;

  /**
   * Runs `apply` once per (scope, key). A repeat with the same request replays the stored answer; a repeat with
   * a different request gets `conflict()` (what the real API says to a reused key).
   */
  async once(scope: string, key: string | undefined, fingerprint: string, apply: () => Promise<EmulatorResponse> | EmulatorResponse,
    conflict: () => EmulatorResponse): Promise<EmulatorResponse> {
    if (!key) return apply();
    const id = `${scope}\0${key}`;
    const earlier = this.answers.get(id);
    if (earlier) {
      this.replays++;
      return earlier.fingerprint === fingerprint ? earlier.response : conflict();
    }
    const response = await apply();
    // Only completed writes are remembered: a failed request may be retried with the same key.
    if (response.status < 500 && response.status !== 429) this.answers.set(id, { fingerprint, response });
    return response;
  }
}
