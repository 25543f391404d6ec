/**
 * The browser stand-in for scripts/tasks/task-error.ts (aliased in app/vite.config.ts): the same class name and
 * messages, without Hardhat's plugin error, so the tasks' flag parsing and bounds checks run unchanged here.
 */
export class TaskInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TaskInputError";
  }
}

/** Kept for import compatibility with the tasks' module. */
export const TASKS_PLUGIN_ID = "commonweight";
