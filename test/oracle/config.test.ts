import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ConfigError } from "../../oracle/errors.ts";
import { describeSettings, KeeperConfigSchema, loadActorConfig, loadAuditorConfig, loadOperatorConfig, OperatorConfigSchema, workerEnvironment } from "../../oracle/config.ts";
import { failureOf } from "../support/failure.ts";

const KEY = `0x${"ab".repeat(32)}`;

describe("config: operator settings", function () {
  it("applies documented defaults", function () {
    const config = loadOperatorConfig({ env: { ORACLE_PRIVATE_KEY: KEY }, envFile: false });

    expect(config).to.include({ CONFIRMATIONS: 2, BACKEND: "auto", DASHBOARD: false, RPC_URL: "http://127.0.0.1:8545" });
  });

  it("lists every invalid variable in one ConfigError without echoing secret values", function () {
    const failure = failureOf(() => loadOperatorConfig({ env: { ORACLE_PRIVATE_KEY: "0xdeadbeef-secret", CONFIRMATIONS: "-1", BACKEND: "quantum" }, envFile: false }));

    expect(failure).to.be.instanceOf(ConfigError);
    const message = (failure as Error).message;
    expect(message).to.match(/ORACLE_PRIVATE_KEY/).and.match(/CONFIRMATIONS/).and.match(/BACKEND/);
    expect(message).to.not.include("deadbeef-secret");
  });

  it("requires a key or a keystore", function () {
    const failure = failureOf(() => loadOperatorConfig({ env: {}, envFile: false }));

    expect(failure).to.be.instanceOf(ConfigError);
    expect((failure as Error).message).to.match(/ORACLE_PRIVATE_KEY, or KEYSTORE/);
  });

  it("reads a .env file, with the environment taking precedence", async function () {
    const dir = await mkdtemp(join(tmpdir(), "cw-env-"));
    try {
      const file = join(dir, ".env");
      await writeFile(file, `ORACLE_PRIVATE_KEY=${KEY}\nCONFIRMATIONS=7\nWORKER_CONCURRENCY=3\n`);

      const config = loadOperatorConfig({ env: { WORKER_CONCURRENCY: "5" }, envFile: file });

      expect(config).to.include({ CONFIRMATIONS: 7, WORKER_CONCURRENCY: 5 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reports a named configuration file that does not exist", function () {
    const failure = failureOf(() => loadOperatorConfig({ env: { ORACLE_PRIVATE_KEY: KEY }, envFile: "/nonexistent/.env" }));

    expect(failure).to.be.instanceOf(ConfigError);
  });

  it("describes every setting with its default for --help", function () {
    const help = describeSettings(OperatorConfigSchema);

    for (const name of Object.keys(OperatorConfigSchema.shape)) expect(help).to.include(name);
    expect(help).to.match(/CONFIRMATIONS\s+2\s/);
  });

  it("takes command-line flags as an object, over the environment and the env file", function () {
    const config = loadOperatorConfig({ env: { ORACLE_PRIVATE_KEY: KEY, RPC_URL: "http://env.example:8545" }, envFile: false, flags: { RPC_URL: "http://flag.example:8545", DEPLOYMENT: undefined } });

    expect(config).to.include({ RPC_URL: "http://flag.example:8545", DEPLOYMENT: "deployments/localhost.json" });
  });

  it("loads an auditor's settings without any key", function () {
    const config = loadAuditorConfig({ env: { FETCH_TIMEOUT_MS: "1234" }, envFile: false });

    expect(config).to.include({ FETCH_TIMEOUT_MS: 1234, RPC_URL: "http://127.0.0.1:8545" });
  });

  it("gives the keeper the IPFS node settings its recomputation reads ipfs:// updates with", function () {
    const config = loadActorConfig(KeeperConfigSchema, { env: { IPFS_PEERS: "/ip4/10.0.0.2/tcp/4001/p2p/12D3KooWPeer" }, envFile: false, requireKey: false });

    expect(config).to.include({ IPFS_PEERS: "/ip4/10.0.0.2/tcp/4001/p2p/12D3KooWPeer", IPFS_REPO: ".cw/ipfs" });
  });
});

describe("config: the environment of a compute worker", function () {
  const parent = { PATH: "/usr/bin", HOME: "/home/op", SEPOLIA_PRIVATE_KEY: KEY, AWS_SECRET_ACCESS_KEY: "cloud-secret", ORACLE_PRIVATE_KEY: KEY };
  const config = loadOperatorConfig({ env: parent, envFile: false });

  it("does not pass on a SEPOLIA_PRIVATE_KEY or any other variable of the parent that is no setting", function () {
    const env = workerEnvironment(config, "redis://127.0.0.1:6390", parent);

    expect(env).to.not.have.property("SEPOLIA_PRIVATE_KEY");
    expect(env).to.not.have.property("AWS_SECRET_ACCESS_KEY");
    expect(Object.values(env)).to.not.include(KEY);
  });

  it("carries the parsed settings, the resolved Redis and PATH, without the operator key", function () {
    const env = workerEnvironment(config, "redis://127.0.0.1:6390", parent);

    expect(env).to.include({ PATH: "/usr/bin", REDIS_URL: "redis://127.0.0.1:6390", CONFIRMATIONS: "2", QUEUE_PREFIX: "{cw}" });
    expect(env).to.not.have.property("ORACLE_PRIVATE_KEY");
  });
});
