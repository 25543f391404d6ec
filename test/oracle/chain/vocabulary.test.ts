import { expect } from "chai";

import { decodeRoundStatus, decodeSlashReason, encodeEnum, VOTE_SUPPORT } from "../../../oracle/chain/enums.ts";
import { ChainReadError } from "../../../oracle/chain/errors.ts";
import { aggregationPolicyOf, policyFromChain, POLICY_FIELD_NAMES } from "../../../oracle/chain/policy-codec.ts";
import { roundPhase, type RoundTimes } from "../../../oracle/chain/round-phase.ts";
import { formatTokens, parseTokens } from "../../../oracle/chain/units.ts";
import { InvalidInputError } from "../../../oracle/errors.ts";

const E18 = 10n ** 18n;

/** A round with commit until 100, reveal until 200, attest until 300, challenge until 400, claims until 500. */
function round(status: number, swept = false): RoundTimes {
  return { status: BigInt(status), swept, commitEnd: 100n, revealEnd: 200n, attestDeadline: 300n, challengeEnd: 400n, claimEnd: 500n };
}

describe("chain vocabulary", function () {
  it("decodes a round status by its Solidity value", function () {
    expect(decodeRoundStatus(3n)).to.equal("Finalized");
  });

  it("refuses an enum value the table does not know with a ChainReadError", function () {
    expect(() => decodeSlashReason(9n)).to.throw(ChainReadError, /unknown slash reason 9/);
  });

  it("encodes a vote's support as GovernorCountingSimple numbers it", function () {
    expect(encodeEnum(VOTE_SUPPORT, "for", "vote support")).to.equal(1);
  });

  it("names an open round's phases by chain time", function () {
    expect([0n, 100n, 199n, 200n].map((t) => roundPhase(round(1), t))).to.deep.equal(["commit", "reveal", "reveal", "awaiting-close"]);
  });

  it("names a closed round past its attestation deadline attest-expired", function () {
    expect([299n, 300n].map((t) => roundPhase(round(2), t))).to.deep.equal(["computing", "attest-expired"]);
  });

  it("names a finalized round's challenge, claims, sweepable and settled phases", function () {
    expect([399n, 400n, 500n].map((t) => roundPhase(round(3), t))).to.deep.equal(["challenge", "claims", "sweepable"]);
    expect(roundPhase(round(3, true), 500n)).to.equal("settled");
  });

  it("names a failed round refundable until it is swept", function () {
    expect([roundPhase(round(4), 0n), roundPhase(round(4, true), 0n)]).to.deep.equal(["failed", "refunded"]);
  });

  it("formats token base units as tokens with the symbol", function () {
    expect([formatTokens(1000n * E18), formatTokens(E18 / 2n), formatTokens(0n)]).to.deep.equal(["1000 CWT", "0.5 CWT", "0 CWT"]);
  });

  it("parses a decimal token amount into base units", function () {
    expect(parseTokens("--budget", "2.5")).to.equal(25n * 10n ** 17n);
  });

  it("refuses a token amount with more decimals than the token has", function () {
    expect(() => parseTokens("--budget", "1.0000000000000000001")).to.throw(InvalidInputError, /--budget must be a token amount/);
  });

  it("converts a chain policy into the protocol's policy with the round's reward pool", function () {
    const chain = Object.fromEntries(POLICY_FIELD_NAMES.map((name) => [name, 1n]));
    const policy = aggregationPolicyOf(policyFromChain({ ...chain, rule: 2n, weighting: 0n, clipExp: -3n }), 7n);
    expect(policy).to.deep.include({ rule: "trimmed-mean", weighting: "uniform", clipExp: -3, rewardPool: 7n });
  });

  it("refuses a chain policy with a missing field", function () {
    expect(() => policyFromChain({ rule: 0n })).to.throw(ChainReadError, /trimBps is missing/);
  });
});
