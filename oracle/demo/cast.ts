import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { Role } from "../report/summary.ts";

/** A contributor of the demo: who it is and what it was scripted to do. */
export interface CastMember {
  /** Index among the devnet's contributors, also its data partition index. */
  readonly index: number;
  readonly signer: HardhatEthersSigner;
  readonly label: string;
  readonly role: Role;
}

/**
 * The demo's cast: with five or more contributors, the last three are a poisoner (sign-flipped
 * update within the norm bound), a booster (update over the norm bound: invalid, slashed) and a
 * non-revealer (commits, never reveals: slashed on chain); everyone else is honest.
 */
export function castOf(contributors: readonly HardhatEthersSigner[]): CastMember[] {
  const adversaries: Role[] = contributors.length >= 5 ? ["poisoner", "oversized", "non-revealer"] : [];
  const honestCount = contributors.length - adversaries.length;
  const labels: Record<Role, string> = { honest: "honest", poisoner: "poisoner", oversized: "norm-cheat", "non-revealer": "non-revealer" };
  return contributors.map((signer, index) => {
    const role = index < honestCount ? "honest" : (adversaries[index - honestCount] as Role);
    return { index, signer, role, label: role === "honest" ? `honest-${index + 1}` : labels[role] };
  });
}
