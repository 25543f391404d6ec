import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ConfigError } from "../../oracle/errors.ts";
import { describeSettings, loadOperatorConfig, OperatorConfigSchema } from "../../oracle/config.ts";
import { failureOf } from "../support/failure.ts";

const KEY = `0x${"ab".repeat(32)}`;

describe("config: operator settings", function () {
  it("applies documented defaults", function () {
    const config = loadOperatorConfig({ ORACLE_PRIVATE_KEY: KEY }, "/dev/null");

    expect(config).to.include({ CONFIRMATIONS: 2, BACKEND: "auto", DASHBOARD: false, RPC_URL: "http://127.0.0.1:8545" });
  });

  it("lists every invalid variable in one ConfigError without echoing secret values", function () {
    const failure = failureOf(() => loadOperatorConfig({ ORACLE_PRIVATE_KEY: "0xdeadbeef-secret", CONFIRMATIONS: "-1", BACKEND: "quantum" }, "/dev/null"));

    expect(failure).to.be.instanceOf(ConfigError);
    const message = (failure as Error).message;
    expect(message).to.match(/ORACLE_PRIVATE_KEY/).and.match(/CONFIRMATIONS/).and.match(/BACKEND/);
    expect(message).to.not.include("deadbeef-secret");
  });

  it("requires a key or a keystore", function () {
    const failure = failureOf(() => loadOperatorConfig({}, "/dev/null"));

    expect(failure).to.be.instanceOf(ConfigError);
    expect((failure as Error).message).to.match(/ORACLE_PRIVATE_KEY, or KEYSTORE/);
  });

  it("reads a .env file, with the environment taking precedence", async function () {
    const dir = await mkdtemp(join(tmpdir(), "cw-env-"));
    try {
      const file = join(dir, ".env");
      await writeFile(file, `ORACLE_PRIVATE_KEY=${KEY}\nCONFIRMATIONS=7\nWORKER_CONCURRENCY=3\n`);

      const config = loadOperatorConfig({ WORKER_CONCURRENCY: "5" }, file);

      expect(config).to.include({ CONFIRMATIONS: 7, WORKER_CONCURRENCY: 5 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reports a named configuration file that does not exist", function () {
    const failure = failureOf(() => loadOperatorConfig({ ORACLE_PRIVATE_KEY: KEY }, "/nonexistent/.env"));

    expect(failure).to.be.instanceOf(ConfigError);
  });

  it("describes every setting with its default for --help", function () {
    const help = describeSettings(OperatorConfigSchema);

    for (const name of Object.keys(OperatorConfigSchema.shape)) expect(help).to.include(name);
    expect(help).to.match(/CONFIRMATIONS\s+2\s/);
  });
});
