import { expect } from "chai";

import { connectChain } from "../../../oracle/chain/connect.ts";
import { ChainUnavailableError } from "../../../oracle/chain/errors.ts";

const ADDRESS = `0x${"11".repeat(20)}`;
const DEPLOYMENT = {
  network: "localhost",
  chainId: 31337n,
  deployedAtBlock: 0,
  contracts: { token: ADDRESS, staking: ADDRESS, policy: ADDRESS, modelRegistry: ADDRESS, oracleRegistry: ADDRESS, rounds: ADDRESS, timelock: ADDRESS, governor: ADDRESS },
};

describe("connectChain", function () {
  it("reports an unreachable node as one ChainUnavailableError naming the URL", async function () {
    // Port 9 (discard) on loopback: nothing listens there.
    const err = await connectChain({ rpcUrl: "http://127.0.0.1:9", deployment: DEPLOYMENT }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ChainUnavailableError);
    expect((err as Error).message).to.equal("no chain answers at http://127.0.0.1:9 (is the node running? set RPC_URL)");
  });
});
