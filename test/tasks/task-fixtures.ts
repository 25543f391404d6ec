// Shared setup of the task tests: no side effects at import. Each test file makes its own fixture (a stable named
// function per file, so loadFixture snapshots it) writing the manifest into that file's temporary directory.
import { writeFile } from "node:fs/promises";
import path from "node:path";

import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import type { Deployment } from "../../oracle/chain/deployment.ts";
import type { TaskContext } from "../../scripts/tasks/task-context.ts";
import { openTaskContext, taskConnection } from "../../scripts/tasks/task-context.ts";

/** Runs task `name` with `args` on the in-process network, as `npx hardhat <name>` would. */
export async function runTask<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  return (await hre.tasks.getTask(name).run(args)) as T;
}

/** The connection the tasks use (Hardhat caches it per network), so tests move the same chain's clock. */
export async function tasksConnection(): Promise<NetworkConnection> {
  return taskConnection(hre);
}

/** A deployment made by the `deploy` task, its manifest path and typed handles for assertions. */
export interface DeployedByTasks {
  readonly manifest: string;
  readonly deployment: Deployment;
  readonly context: TaskContext;
}

/** CWT the task fixtures allocate to the deployer (half the supply), so it can stake and pass proposals alone. */
export const DEPLOYER_ALLOCATION = "500000000";

/**
 * A fixture that deploys with the `deploy` task and writes the manifest to `manifest`; the deployer is allocated
 * {@link DEPLOYER_ALLOCATION}, the rest goes to the treasury, and the genesis model to a store beside the manifest.
 */
export function deployedByTasksFixture(manifest: string): () => Promise<DeployedByTasks> {
  return async function deployedByTasks(): Promise<DeployedByTasks> {
    const [deployer] = await (await tasksConnection()).ethers.getSigners();
    const parameters = path.join(path.dirname(manifest), "allocations.json");
    await writeFile(parameters, JSON.stringify({ Commonweight: { allocations: [{ to: deployer?.address, amount: DEPLOYER_ALLOCATION }] } }));
    const store = path.join(path.dirname(manifest), "store");
    const deployment = await runTask<Deployment>("deploy", { deployment: manifest, parameters, store });
    const context = await openTaskContext(hre, { deployment: manifest });
    return { manifest, deployment, context };
  };
}

/** Block number and the nonce of `account`: unchanged when nothing was sent. */
export async function chainMark(connection: NetworkConnection, account: string): Promise<{ block: number; nonce: number }> {
  const { provider } = connection.ethers;
  return { block: await provider.getBlockNumber(), nonce: await provider.getTransactionCount(account) };
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) return err;
    throw err;
  }
  throw new Error("expected the task to fail, but it succeeded");
}
