import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

import { localhostRpcUrl } from "./oracle/config.ts";
import { commonweightTasks } from "./scripts/tasks/index.ts";

const require = createRequire(import.meta.url);

/**
 * The compiler is the `solc` npm package's soljson.js, pinned in package.json to this exact version.
 * Hardhat never downloads a compiler: builds work offline and are reproducible.
 */
const SOLC_VERSION = "0.8.30";
const SOLJSON_PATH = require.resolve("solc/soljson.js");

/** Cancun: accepted by Ethereum mainnet, Sepolia and the major L2s; needed for transient storage. */
const EVM_VERSION = "cancun";

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  // deploy, token:delegate, stake, operator:register, round:open/status, gov:*, policy:show, time:advance
  tasks: commonweightTasks,
  solidity: {
    profiles: {
      default: {
        version: SOLC_VERSION,
        path: SOLJSON_PATH,
        settings: {
          optimizer: { enabled: true, runs: 200 },
          evmVersion: EVM_VERSION,
        },
      },
      production: {
        version: SOLC_VERSION,
        path: SOLJSON_PATH,
        settings: {
          optimizer: { enabled: true, runs: 10_000 },
          evmVersion: EVM_VERSION,
        },
      },
    },
  },
  paths: {
    tests: {
      mocha: "test",
      solidity: "test/contracts",
    },
  },
  test: {
    mocha: {
      timeout: 120_000,
    },
    // Solidity fuzz and invariant tests: fixed seed, so every run is reproducible. `default` runs in `npm test`;
    // `ci-deep` runs 10x more: `npx hardhat test solidity --test-profile ci-deep` (or HARDHAT_TEST_PROFILE=ci-deep).
    solidity: {
      profiles: {
        default: {
          fuzz: { runs: 1_000, seed: "0x436f6d6d6f6e776569676874" },
          invariant: { runs: 32, depth: 100, failOnRevert: true },
        },
        "ci-deep": {
          fuzz: { runs: 10_000, seed: "0x436f6d6d6f6e776569676874" },
          invariant: { runs: 320, depth: 1_000, failOnRevert: true },
        },
      },
    },
  },
  networks: {
    // The in-process chain: 40 development accounts, so the demo and the operator benchmark can run
    // up to 35 contributors (Hardhat's public test keys; never for real funds).
    default: {
      type: "edr-simulated",
      chainType: "l1",
      accounts: { count: 40 },
    },
    hardhatMainnet: {
      type: "edr-simulated",
      chainType: "l1",
    },
    localhost: {
      type: "http",
      chainType: "l1",
      url: localhostRpcUrl(), // LOCALHOST_RPC_URL, default http://127.0.0.1:8545
    },
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
  },
});
