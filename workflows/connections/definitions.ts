// What the upkeep workflow and its Schedule (lib/schedules/connection-upkeep.ts) share.

export interface ConnectionUpkeepResult {
  /** Expiry Messages written by this run (none for a grant already warned of). */
  warned: number;
  statesDeleted: number;
  pendingConsentsEnded: number;
}

/** One Schedule per deployment (task-queue prefix). */
export const connectionUpkeepScheduleId = (taskQueuePrefix: string) => `connection-upkeep/${taskQueuePrefix}`;
