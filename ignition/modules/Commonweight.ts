// Deploys and wires the whole Commonweight suite, then hands every parameter to the DAO:
// token, timelock, staking, policy registry, model registry (+ genesis model), oracle registry, rounds, governor.
// After deployment the timelock owns the policy registry and holds the admin roles of staking, the oracle registry,
// the model registry and itself; the deployer holds no role. Run:
//   npx hardhat ignition deploy ignition/modules/Commonweight.ts [--network localhost] [--parameters params.json]
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ZeroAddress, ZeroHash, id, parseEther } from "ethers";

const DAY = 24 * 3600;
const ADMIN_ROLE = ZeroHash; // AccessControl DEFAULT_ADMIN_ROLE
const LOCKER_ROLE = id("LOCKER_ROLE");
const SLASHER_ROLE = id("SLASHER_ROLE");
const APPENDER_ROLE = id("APPENDER_ROLE");
const PROPOSER_ROLE = id("PROPOSER_ROLE");
const CANCELLER_ROLE = id("CANCELLER_ROLE");

/** The genesis policy (IModelPolicyRegistry.Policy); governance changes it later. */
export const GENESIS_POLICY = {
  rule: 0, // fedavg
  trimBps: 1000,
  krumF: 1,
  weighting: 1, // samples
  maxSampleWeight: 10_000,
  clipMantissa: 1,
  clipExp: 3, // C = 8
  minContributors: 2,
  commitWindowSeconds: DAY,
  revealWindowSeconds: DAY,
  attestWindowSeconds: DAY,
  challengeWindowSeconds: DAY,
  claimWindowSeconds: 30 * DAY,
  minContributorStake: parseEther("100"),
  minOperatorStake: parseEther("10000"),
  slashBps: 5000,
  contributorsBps: 8000,
  operatorsBps: 1000,
  treasuryBps: 1000,
  dpClipNormE6: 1_000_000, // Cdp = 1.0
  dpNoiseMultiplierE6: 1_100_000, // z = 1.1
  dpDeltaE18: 10_000_000_000_000n, // delta = 1e-5
  remainderTo: 0, // treasury
  disputeBond: parseEther("1000"), // a challenger's bond; returned (plus half the slash) when upheld
  wrongResultBps: 10_000, // signers of a result overturned by an upheld dispute lose their whole lock
};

/** The whole CWT supply minted at deployment (parameter `initialSupply`). */
export const DEFAULT_INITIAL_SUPPLY = parseEther("1000000000");

const CommonweightModule = buildModule("Commonweight", (m) => {
  const deployer = m.getAccount(0);
  const initialSupply = m.getParameter("initialSupply", DEFAULT_INITIAL_SUPPLY);
  const initialHolder = m.getParameter("initialHolder", deployer);
  const genesisModelHash = m.getParameter("genesisModelHash", id("commonweight genesis model"));
  const genesisModelUri = m.getParameter("genesisModelUri", "file://genesis.safetensors");
  const timelockDelaySeconds = m.getParameter("timelockDelaySeconds", 2 * DAY);
  const votingDelaySeconds = m.getParameter("votingDelaySeconds", DAY);
  const votingPeriodSeconds = m.getParameter("votingPeriodSeconds", 7 * DAY);
  const proposalThresholdVotes = m.getParameter("proposalThresholdVotes", parseEther("100000"));
  const quorumPercent = m.getParameter("quorumPercent", 4n);
  const unbondingSeconds = m.getParameter("unbondingSeconds", 7 * DAY);
  const operatorExitSeconds = m.getParameter("operatorExitSeconds", 7 * DAY);
  const operatorThreshold = m.getParameter("operatorThreshold", 2n);
  const genesisPolicy = m.getParameter("genesisPolicy", GENESIS_POLICY);

  const token = m.contract("CommonweightToken", [initialHolder, initialSupply]);
  const timelock = m.contract("CommonweightTimelock", [timelockDelaySeconds, [], [ZeroAddress], deployer]);
  const staking = m.contract("Staking", [token, timelock, unbondingSeconds, deployer]);
  const policies = m.contract("ModelPolicyRegistry", [timelock, genesisPolicy]);
  const models = m.contract("ModelRegistry", [deployer]);
  const oracles = m.contract("OracleRegistry", [staking, policies, operatorThreshold, operatorExitSeconds, deployer]);
  const rounds = m.contract("Rounds", [staking, oracles, policies, models, timelock]);
  const governor = m.contract("CommonweightGovernor", [
    token, staking, timelock, votingDelaySeconds, votingPeriodSeconds, proposalThresholdVotes, quorumPercent,
  ]);

  const genesis = m.call(models, "appendGenesis", [genesisModelHash, genesisModelUri]);
  const grants = [
    m.call(staking, "grantRole", [LOCKER_ROLE, rounds], { id: "stakingLockerRounds" }),
    m.call(staking, "grantRole", [SLASHER_ROLE, rounds], { id: "stakingSlasherRounds" }),
    m.call(staking, "grantRole", [LOCKER_ROLE, oracles], { id: "stakingLockerOracles" }),
    m.call(staking, "grantRole", [SLASHER_ROLE, oracles], { id: "stakingSlasherOracles" }),
    m.call(models, "grantRole", [APPENDER_ROLE, rounds], { id: "modelsAppenderRounds" }),
    m.call(oracles, "grantRole", [SLASHER_ROLE, rounds], { id: "oraclesSlasherRounds" }),
    m.call(timelock, "grantRole", [PROPOSER_ROLE, governor], { id: "timelockProposerGovernor" }),
    m.call(timelock, "grantRole", [CANCELLER_ROLE, governor], { id: "timelockCancellerGovernor" }),
    genesis,
  ];

  // Hand every admin role to the timelock, then renounce the deployer's.
  const handovers = [staking, models, oracles].map((c, i) => {
    const grant = m.call(c, "grantRole", [ADMIN_ROLE, timelock], { id: `adminToTimelock${i}`, after: grants });
    return m.call(c, "renounceRole", [ADMIN_ROLE, deployer], { id: `renounceAdmin${i}`, after: [grant] });
  });
  m.call(timelock, "renounceRole", [ADMIN_ROLE, deployer], { id: "renounceTimelockAdmin", after: [...grants, ...handovers] });

  return { token, timelock, staking, policies, models, oracles, rounds, governor };
});
export default CommonweightModule;

/** One initial CWT allocation: `amount` base units from the deployer to `to`. */
export interface Allocation {
  readonly to: string;
  readonly amount: bigint;
}

/**
 * The suite plus its token distribution, as `npx hardhat deploy` runs it: the deployer (who receives the whole
 * supply) transfers each allocation, then `treasuryAmount` to the timelock, the DAO's treasury. The deploy task
 * computes the plan from its parameters file, so the deployer keeps only what the parameters allocate to it.
 */
export function distributionModule(allocations: readonly Allocation[], treasuryAmount: bigint) {
  return buildModule("CommonweightDistribution", (m) => {
    const suite = m.useModule(CommonweightModule);
    const transfers = allocations.map((a, i) => m.call(suite.token, "transfer", [a.to, a.amount], { id: `allocation${i}` }));
    if (treasuryAmount > 0n) m.call(suite.token, "transfer", [suite.timelock, treasuryAmount], { id: "treasury", after: transfers });
    return suite;
  });
}
