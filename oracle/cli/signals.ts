import type { Logger } from "../logger.ts";

/**
 * Resolves on the first SIGTERM or SIGINT, once `stop` has finished (a failing `stop` is logged, not
 * thrown: the process is shutting down either way). Both handlers are removed at the first signal.
 */
export function untilSignal(stop: () => Promise<void> = () => Promise.resolve(), log?: Logger): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      log?.info({ signal }, "shutting down");
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      void stop().then(resolve, (err: unknown) => {
        log?.error({ err }, "shutdown failed");
        resolve();
      });
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
}
