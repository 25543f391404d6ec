import { expect } from "chai";

import { isTransientRpcError, withRetry } from "../../../oracle/chain/retry.ts";

function failing(errors: readonly Error[], value: string): { run: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    run: async () => {
      const err = errors[calls];
      calls += 1;
      if (err !== undefined) throw err;
      return value;
    },
    calls: () => calls,
  };
}

const REFUSED = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
const REVERT = Object.assign(new Error("execution reverted"), { code: "CALL_EXCEPTION" });

describe("chain: withRetry and the transient-error test", function () {
  it("retries a transient failure until the operation succeeds", async function () {
    const op = failing([REFUSED, REFUSED], "ok");

    const value = await withRetry(op.run, { baseDelayMs: 1 });

    expect(value).to.equal("ok");
    expect(op.calls()).to.equal(3);
  });

  it("does not retry a revert", async function () {
    const op = failing([REVERT], "ok");

    const failure = await withRetry(op.run, { baseDelayMs: 1 }).then(() => undefined, (err: unknown) => err);

    expect(failure).to.equal(REVERT);
    expect(op.calls()).to.equal(1);
  });

  it("gives up with the last error once the attempts are used up", async function () {
    const op = failing([REFUSED, REFUSED, REFUSED], "ok");

    const failure = await withRetry(op.run, { attempts: 2, baseDelayMs: 1 }).then(() => undefined, (err: unknown) => err);

    expect(failure).to.equal(REFUSED);
    expect(op.calls()).to.equal(2);
  });

  it("counts an HTTP 503 nested in an ethers error as transient", function () {
    expect(isTransientRpcError({ code: "UNKNOWN", error: { status: 503 } })).to.equal(true);
  });

  it("counts a nonce error as not transient", function () {
    expect(isTransientRpcError({ code: "NONCE_EXPIRED" })).to.equal(false);
  });
});
