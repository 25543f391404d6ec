// A contributor's connection to the chain: provider, optional wallet, typed contracts, and the round facts every
// command needs (phase by chain time, the DP parameters of the round's policy snapshot).
import type { JsonRpcProvider, Wallet } from "ethers";

import { connectContracts, type Contracts } from "../chain/contracts.ts";
import { readDeployment, type Deployment } from "../chain/deployment.ts";
import { providerFor } from "../chain/connect.ts";
import { decodeRoundStatus, type RoundStatusName } from "../chain/enums.ts";
import { roundPhase, type RoundPhase } from "../chain/round-phase.ts";
import { loadWallet } from "../chain/signer.ts";
import type { ContributorConfig } from "../config.ts";
import { ConfigError, InvalidInputError } from "../errors.ts";
import type { ContributorPolicy } from "./update.ts";

/** Scale of the policy's fixed-point DP fields (`dpClipNormE6`, `dpNoiseMultiplierE6`). */
const E6 = 1_000_000;
/** Scale of `dpDeltaE18`. */
const E18 = 10n ** 18n;

/** Chain access for one contributor; `wallet` is absent for read-only sessions. */
export interface ContributorSession {
  readonly config: ContributorConfig;
  readonly deployment: Deployment;
  readonly provider: JsonRpcProvider;
  readonly wallet: Wallet | undefined;
  /** Contracts connected to the wallet when there is one, else to the provider. */
  readonly contracts: Contracts;
  close(): void;
}

/**
 * Opens a session from a parsed config. The key is loaded only when `withKey` is set.
 * @throws {ConfigError} on an unreadable manifest or key.
 */
export async function openSession(config: ContributorConfig, withKey: boolean): Promise<ContributorSession> {
  const deployment = await readDeployment(config.DEPLOYMENT);
  const provider = providerFor(config.RPC_URL, deployment.chainId);
  let wallet: Wallet | undefined;
  try {
    if (withKey) {
      if (!config.CONTRIBUTOR_PRIVATE_KEY && !config.KEYSTORE) throw new ConfigError("no key: set CONTRIBUTOR_PRIVATE_KEY, or KEYSTORE and KEYSTORE_PASSWORD");
      wallet = await loadWallet(
        { privateKey: config.CONTRIBUTOR_PRIVATE_KEY, keystore: config.KEYSTORE, keystorePassword: config.KEYSTORE_PASSWORD },
        provider,
      );
    }
  } catch (err) {
    provider.destroy();
    throw err;
  }
  return {
    config,
    deployment,
    provider,
    wallet,
    contracts: connectContracts(deployment, wallet ?? provider),
    close: () => provider.destroy(),
  };
}

/** The session's wallet. @throws {ConfigError} for a read-only session. */
export function requireWallet(session: ContributorSession): Wallet {
  if (!session.wallet) throw new ConfigError("this command needs a key: set CONTRIBUTOR_PRIVATE_KEY, or KEYSTORE and KEYSTORE_PASSWORD");
  return session.wallet;
}

export type { RoundPhase };

/** The on-chain facts about a round a contributor acts on. */
export interface RoundInfo {
  readonly roundId: bigint;
  readonly status: RoundStatusName;
  readonly phase: RoundPhase;
  /** Latest block's timestamp (chain time, which a devnet may have warped). */
  readonly nowSeconds: bigint;
  readonly commitEnd: bigint;
  readonly revealEnd: bigint;
  readonly policyVersion: bigint;
  readonly baseModelVersion: bigint;
  readonly contributorStake: bigint;
  readonly rewardPool: bigint;
  readonly rewardsRoot: string;
  readonly totalRewards: bigint;
  readonly claimEnd: bigint;
}

/**
 * Reads round `roundId` and its phase by the latest block's time.
 * @throws {InvalidInputError} when the round does not exist.
 */
export async function readRoundInfo(contracts: Contracts, roundId: bigint): Promise<RoundInfo> {
  const round = await contracts.rounds.round(roundId);
  const status = decodeRoundStatus(round.status);
  if (status === "None") throw new InvalidInputError(`round ${roundId} does not exist`);
  const block = await contracts.rounds.runner?.provider?.getBlock("latest");
  const nowSeconds = BigInt(block?.timestamp ?? 0);
  return {
    roundId,
    status,
    phase: roundPhase(round, nowSeconds),
    nowSeconds,
    commitEnd: round.commitEnd,
    revealEnd: round.revealEnd,
    policyVersion: round.policyVersion,
    baseModelVersion: round.baseModelVersion,
    contributorStake: round.contributorStake,
    rewardPool: round.rewardPool,
    rewardsRoot: round.rewardsRoot,
    totalRewards: round.totalRewards,
    claimEnd: round.claimEnd,
  };
}

/** The round id given, or the newest round (the one a contributor most likely means). */
export async function resolveRoundId(contracts: Contracts, given: bigint | undefined): Promise<bigint> {
  if (given !== undefined) return given;
  const count = await contracts.rounds.roundCount();
  if (count === 0n) throw new InvalidInputError("no round has been opened yet");
  return count;
}

/**
 * The clip bound and DP parameters a contributor must apply in a round, from the round's policy snapshot
 * (docs/protocol.md §1.2: `Cdp = dpClipNormE6 / 1e6`, `z = dpNoiseMultiplierE6 / 1e6`, `δ = dpDeltaE18 / 1e18`).
 */
export async function readContributorPolicy(contracts: Contracts, policyVersion: bigint): Promise<ContributorPolicy> {
  const p = await contracts.policy.policy(policyVersion);
  return {
    clipMantissa: Number(p.clipMantissa),
    clipExp: Number(p.clipExp),
    dpClipNorm: Number(p.dpClipNormE6) / E6,
    noiseMultiplier: Number(p.dpNoiseMultiplierE6) / E6,
    delta: Number(p.dpDeltaE18) / Number(E18),
  };
}

/** Parses a round id flag. @throws {InvalidInputError} */
export function parseRoundId(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,76}$/.test(text)) throw new InvalidInputError(`round id must be a positive integer, got ${JSON.stringify(text)}`);
  return BigInt(text);
}
