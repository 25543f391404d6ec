import { expect } from "chai";

import { connectContracts } from "../../../oracle/chain/contracts.ts";
import { startDevnet, type Devnet } from "../../../oracle/devnet/devnet.ts";
import { registerOperator } from "../../../oracle/staking/stake.ts";
import { tempDir } from "../../e2e/support.ts";

const TOKEN = 10n ** 18n;

describe("registerOperator", function () {
  this.timeout(120_000);
  let work: Awaited<ReturnType<typeof tempDir>>;
  let devnet: Devnet;

  before(async function () {
    work = await tempDir("cw-register-");
    devnet = await startDevnet({ dir: work.dir, operators: 3, contributors: 0, operatorThreshold: 3n, policy: { minOperatorStake: 1_000n * TOKEN } });
  });

  after(async function () {
    await devnet?.close();
    await work?.remove();
  });

  async function freshAccount(index: number, tokens: bigint) {
    const signer = (await devnet.connection.ethers.getSigners())[index];
    if (!signer) throw new Error("no signer");
    await (await devnet.as(devnet.deployer).token.transfer(signer.address, tokens)).wait();
    return { signer, contracts: connectContracts(devnet.deployment, signer) };
  }

  it("stakes only what the free stake lacks, then registers", async function () {
    const { signer, contracts } = await freshAccount(10, 2_000n * TOKEN);
    await (await contracts.token.approve(devnet.deployment.contracts.staking, 400n * TOKEN)).wait();
    await (await contracts.staking.stake(400n * TOKEN)).wait();

    const done = await registerOperator(contracts);

    expect(done.topUp.staked).to.equal(600n * TOKEN);
    expect(await contracts.oracleRegistry.isOperator(signer.address)).to.equal(true);
  });

  it("is a success with nothing sent when retried after registering", async function () {
    const { contracts } = await freshAccount(11, 2_000n * TOKEN);
    await registerOperator(contracts);

    const again = await registerOperator(contracts);

    expect([again.alreadyRegistered, again.topUp.staked, again.register]).to.deep.equal([true, 0n, undefined]);
  });
});
