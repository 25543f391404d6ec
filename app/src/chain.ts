// The page's view of the chain: the deployment it serves (loaded at run time from deployment.json beside the
// build), a read-only JSON-RPC provider, and the user's wallet (any EIP-1193 provider) for signing.
import { BrowserProvider, JsonRpcProvider, getAddress, type Eip1193Provider, type JsonRpcSigner } from "ethers";
import { z } from "zod";

import { connectContracts, type Contracts } from "../../oracle/chain/contracts.ts";
import { DeploymentSchema, type Deployment } from "../../oracle/chain/deployment.ts";
import { AppError } from "./app-error.ts";

const AppDeploymentSchema = DeploymentSchema.extend({
  rpcUrl: z.url({ protocol: /^https?$/ }),
  resultsUrl: z.string().default(""),
});

/** What the page knows about the deployment it serves. */
export interface Chain {
  readonly deployment: Deployment;
  readonly rpcUrl: string;
  readonly resultsUrl: string;
  readonly reader: JsonRpcProvider;
  /** Contracts connected to the read-only provider. */
  readonly read: Contracts;
}

/** A connected wallet on the deployment's chain. */
export interface Wallet {
  readonly address: string;
  readonly signer: JsonRpcSigner;
  /** Contracts connected to the wallet's signer. */
  readonly write: Contracts;
}

declare global {
  interface Window {
    ethereum?: Eip1193Provider & { on?: (event: string, listener: (...args: unknown[]) => void) => void };
  }
}

/** Loads `deployment.json` from beside the page. @throws {AppError} naming what is wrong with it. */
export async function loadChain(): Promise<Chain> {
  let json: unknown;
  try {
    const response = await fetch("./deployment.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    json = await response.json();
  } catch (err) {
    throw new AppError("No deployment.json beside the app: start it with `npm run app` (DEPLOYMENT, RPC_URL) or copy a manifest there.", { cause: err });
  }
  const parsed = AppDeploymentSchema.safeParse(json);
  if (!parsed.success) throw new AppError(`deployment.json is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const { rpcUrl, resultsUrl, ...deployment } = parsed.data;
  // Polling off and no response cache: every read is fresh, so a page never shows a stale phase.
  const reader = new JsonRpcProvider(rpcUrl, Number(deployment.chainId), { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 1 });
  return { deployment, rpcUrl, resultsUrl, reader, read: connectContracts(deployment, reader) };
}

/**
 * Asks the wallet for an account and checks it is on the deployment's chain.
 * @throws {AppError} with no wallet, a refused connection, or the wrong network.
 */
export async function connectWallet(chain: Chain): Promise<Wallet> {
  const injected = window.ethereum;
  if (injected === undefined) throw new AppError("No wallet found: install an EIP-1193 wallet such as MetaMask (or open this page in a wallet's browser), then reload.");
  const provider = new BrowserProvider(injected, "any");
  let accounts: string[];
  try {
    accounts = (await injected.request({ method: "eth_requestAccounts" })) as string[];
  } catch (err) {
    throw new AppError("The wallet refused the connection; nothing was shared.", { cause: err });
  }
  const first = accounts[0];
  if (first === undefined) throw new AppError("The wallet shared no account: unlock it and connect again.");
  const walletChain = async (): Promise<bigint> => BigInt((await injected.request({ method: "eth_chainId" })) as string);
  let chainId = await walletChain();
  if (chainId !== chain.deployment.chainId) {
    try {
      // EIP-3326: the wallet asks its user to switch; a wallet that does not know the chain (or refuses) throws.
      await injected.request({ method: "wallet_switchEthereumChain", params: [{ chainId: `0x${chain.deployment.chainId.toString(16)}` }] });
      chainId = await walletChain();
    } catch (err) {
      throw new AppError(`Wrong network: your wallet is on chain ${chainId}, this deployment (${chain.deployment.network}) is on chain ${chain.deployment.chainId}. Add or switch to that network in your wallet (RPC ${chain.rpcUrl}) and connect again.`, { cause: err });
    }
    if (chainId !== chain.deployment.chainId) throw new AppError(`Wrong network: your wallet stayed on chain ${chainId}; this deployment is on chain ${chain.deployment.chainId}.`);
  }
  const signer = await provider.getSigner(getAddress(first));
  return { address: signer.address, signer, write: connectContracts(chain.deployment, signer) };
}

/** The latest block's timestamp: chain time, which a local node may have moved ahead of the wall clock. */
export async function chainNow(chain: Chain): Promise<bigint> {
  const block = await chain.reader.getBlock("latest");
  return BigInt(block?.timestamp ?? 0);
}
