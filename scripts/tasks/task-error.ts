import { HardhatPluginError } from "hardhat/plugins";

/** The id under which Hardhat's CLI prints our errors: "Error in community plugin commonweight: <message>". */
export const TASKS_PLUGIN_ID = "commonweight";

/**
 * A task was given unusable input (a bad flag value, a missing manifest, a policy out of bounds) or would revert.
 * Thrown before any transaction is sent whenever the problem can be seen in advance. Hardhat prints the message
 * without a stack trace because this is a {@link HardhatPluginError}.
 */
export class TaskInputError extends HardhatPluginError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(TASKS_PLUGIN_ID, message, options?.cause instanceof Error ? options.cause : undefined);
    this.name = "TaskInputError";
  }
}
