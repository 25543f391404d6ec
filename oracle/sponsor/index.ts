// The sponsor's actions. Close, mark failed and sweep are permissionless upkeep with one home in oracle/keeper/.
export { openRound, signerAddress, type OpenRoundOutcome } from "./open-round.ts";
export { closeRound, markRoundFailed, sweepRound } from "../keeper/upkeep.ts";
