import { getAddress, isAddress } from "ethers";

import type { Allocation } from "../../ignition/modules/Commonweight.ts";
import { TaskInputError } from "./task-error.ts";
import { formatTokenAmount, parseTokenAmount } from "./token-amount.ts";

/** How the initial supply is split: transfers from the deployer, what it keeps, and the treasury's rest. */
export interface DistributionPlan {
  /** Transfers from the deployer to everyone else, in the parameters' order. */
  readonly transfers: readonly Allocation[];
  /** What the deployer keeps (its own allocations). */
  readonly deployerKeeps: bigint;
  /** What the timelock (the DAO treasury) receives: everything not allocated. */
  readonly treasury: bigint;
}

/**
 * Parses the parameters file's `allocations`: `[{ "to": "0x…", "amount": "1000000" }, …]`, amounts in whole CWT
 * (decimals allowed). Everything not allocated goes to the treasury; the deployer keeps only what is allocated to it.
 * @throws {TaskInputError} on a bad entry or when the allocations exceed `supply`.
 */
export function planDistribution(allocations: unknown, supply: bigint, deployer: string): DistributionPlan {
  const list = allocations ?? [];
  if (!Array.isArray(list)) throw new TaskInputError("parameters: allocations must be a list of { \"to\": address, \"amount\": CWT }");
  const transfers: Allocation[] = [];
  let deployerKeeps = 0n;
  let total = 0n;
  list.forEach((entry: unknown, i) => {
    const where = `parameters: allocations[${i}]`;
    if (typeof entry !== "object" || entry === null) throw new TaskInputError(`${where} must be { "to": address, "amount": CWT }`);
    const { to, amount } = entry as Record<string, unknown>;
    if (typeof to !== "string" || !isAddress(to)) throw new TaskInputError(`${where}.to must be an address; got ${JSON.stringify(to)}`);
    const text = typeof amount === "bigint" || typeof amount === "number" ? String(amount) : amount;
    if (typeof text !== "string") throw new TaskInputError(`${where}.amount must be a CWT amount such as "1000000"`);
    const value = parseTokenAmount(`${where}.amount`, text);
    total += value;
    if (getAddress(to) === getAddress(deployer)) deployerKeeps += value;
    else transfers.push({ to: getAddress(to), amount: value });
  });
  if (total > supply) throw new TaskInputError(`parameters: allocations total ${formatTokenAmount(total)}, more than the supply of ${formatTokenAmount(supply)}`);
  return { transfers, deployerKeeps, treasury: supply - total };
}
