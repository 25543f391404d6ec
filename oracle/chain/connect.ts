// One way to reach the chain: a provider without ethers' response cache, the deployment's contracts, and the
// actor's wallet when it has a key. Every actor front door (cw, the keeper, the demo's tools) connects here.
import { JsonRpcProvider, Network, type Wallet } from "ethers";

import { connectContracts, type Contracts } from "./contracts.ts";
import { readDeployment, type Deployment } from "./deployment.ts";
import { ChainUnavailableError } from "./errors.ts";
import { loadWallet, type KeySource } from "./signer.ts";

/** What {@link connectChain} needs. */
export interface ConnectOptions {
  readonly rpcUrl: string;
  /** The manifest, or the path to read it from. */
  readonly deployment: Deployment | string;
  /** The actor's key; without it the connection is read-only. */
  readonly key?: KeySource | undefined;
  /** How often the provider polls for new blocks and receipts. @defaultValue 1000 */
  readonly pollingIntervalMs?: number;
  /** Ask the node for its chain id first and fail fast with one line when it does not answer. @defaultValue true */
  readonly check?: boolean;
}

/** A live connection; `close()` stops the provider's timers. */
export interface ChainConnection {
  readonly deployment: Deployment;
  readonly provider: JsonRpcProvider;
  readonly wallet: Wallet | undefined;
  /** Contracts connected to the wallet when there is one, else to the provider. */
  readonly contracts: Contracts;
  close(): void;
}

/**
 * A JSON-RPC provider for `chainId` with the response cache turned off: ethers caches answers for 250 ms by
 * default, so a nonce read right after a mined transaction is stale and the next send fails "nonce too low".
 */
export function providerFor(rpcUrl: string, chainId: bigint, pollingIntervalMs = 1_000): JsonRpcProvider {
  const network = Network.from(chainId);
  return new JsonRpcProvider(rpcUrl, network, { staticNetwork: network, cacheTimeout: -1, pollingInterval: pollingIntervalMs });
}

/**
 * Connects to the chain of a deployment.
 * @throws {ConfigError} on an unreadable manifest or key; {@link ChainUnavailableError} when no node answers at
 * `rpcUrl` or it serves another chain than the manifest's.
 */
export async function connectChain(options: ConnectOptions): Promise<ChainConnection> {
  const deployment = typeof options.deployment === "string" ? await readDeployment(options.deployment) : options.deployment;
  const provider = providerFor(options.rpcUrl, deployment.chainId, options.pollingIntervalMs);
  try {
    if (options.check !== false) await checkChain(provider, options.rpcUrl, deployment);
    const wallet = options.key === undefined ? undefined : await loadWallet(options.key, provider);
    return { deployment, provider, wallet, contracts: connectContracts(deployment, wallet ?? provider), close: () => provider.destroy() };
  } catch (err) {
    provider.destroy();
    throw err;
  }
}

async function checkChain(provider: JsonRpcProvider, rpcUrl: string, deployment: Deployment): Promise<void> {
  let answered: unknown;
  try {
    answered = await provider.send("eth_chainId", []);
  } catch (err) {
    throw new ChainUnavailableError(`no chain answers at ${redactRpcUrl(rpcUrl)} (is the node running? set RPC_URL)`, { cause: err });
  }
  const chainId = typeof answered === "string" ? BigInt(answered) : undefined;
  if (chainId !== deployment.chainId) {
    throw new ChainUnavailableError(
      `the node at ${redactRpcUrl(rpcUrl)} serves chain ${chainId ?? String(answered)}, but the deployment manifest is for chain ${deployment.chainId} (${deployment.network})`,
    );
  }
}

/** An RPC URL without credentials or an API key path, for messages. */
export function redactRpcUrl(rpcUrl: string): string {
  try {
    const url = new URL(rpcUrl);
    const keyLike = url.pathname.length > 20;
    return `${url.protocol}//${url.host}${keyLike ? "/…" : url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return "(invalid RPC URL)";
  }
}
