import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskConnection } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { isoDate, parseDurationSeconds } from "../timestamps.ts";

/** Options of `time:advance`. */
export interface TimeAdvanceArgs {
  readonly duration: string;
}

/** Local chains only: moves the chain clock forward and mines a block, so voting and timelock delays pass at once. */
export default async function advanceTime(args: TimeAdvanceArgs, hre: HardhatRuntimeEnvironment): Promise<{ timestamp: number }> {
  const seconds = parseDurationSeconds(args.duration);
  if (seconds === undefined || seconds <= 0) throw new TaskInputError(`the duration must be a positive number of seconds or 90s, 15m, 2h, 7d; got '${args.duration}'`);
  const connection = await taskConnection(hre);
  const client = String(await connection.provider.request({ method: "web3_clientVersion" }));
  if (!/hardhat|edr|anvil/i.test(client)) throw new TaskInputError(`time:advance only works on local development chains; ${connection.networkName} is ${client}`);
  const timestamp = await connection.networkHelpers.time.increase(seconds);
  console.log(`chain time is now ${isoDate(timestamp)}`);
  return { timestamp };
}
