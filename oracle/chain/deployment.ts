import { readFile } from "node:fs/promises";

import { z } from "zod";

import { ConfigError } from "../errors.ts";

const ADDRESS = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte hex address");

/**
 * The deployment manifest that `npx hardhat deploy` writes and every `cw` command reads: which chain,
 * which contracts where, and from which block to look for their events.
 */
export const DeploymentSchema = z.object({
  network: z.string().min(1),
  chainId: z.coerce.bigint().positive(),
  deployedAtBlock: z.number().int().min(0),
  contracts: z.object({
    token: ADDRESS,
    staking: ADDRESS,
    policy: ADDRESS,
    modelRegistry: ADDRESS,
    oracleRegistry: ADDRESS,
    rounds: ADDRESS,
    timelock: ADDRESS,
    governor: ADDRESS,
  }),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

/** Reads and validates a manifest. @throws {ConfigError} with the file and every problem. */
export async function readDeployment(path: string): Promise<Deployment> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read deployment manifest ${path}; deploy first (npx hardhat deploy) or set DEPLOYMENT`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`deployment manifest ${path} is not JSON`, { cause: err });
  }
  const parsed = DeploymentSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`deployment manifest ${path} is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

/** The manifest as JSON text (bigints as decimal strings), for writing. */
export function serializeDeployment(deployment: Deployment): string {
  return `${JSON.stringify({ ...deployment, chainId: deployment.chainId.toString() }, null, 2)}\n`;
}
