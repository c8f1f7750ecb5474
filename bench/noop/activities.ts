// No-op activities for the overhead benchmark's baseline workflow.
export const noopActivities = {
  async noop(id: string): Promise<string> {
    return id;
  },
};
