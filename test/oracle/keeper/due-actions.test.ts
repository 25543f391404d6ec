import { expect } from "chai";
import { ZeroHash } from "ethers";

import { dueActions } from "../../../oracle/keeper/due-actions.ts";
import type { KeeperRoundView } from "../../../oracle/keeper/round-view.ts";

const A = "0x00000000000000000000000000000000000000aA";
const B = "0x00000000000000000000000000000000000000bB";
const OP = "0x0000000000000000000000000000000000000001";
const ROOT = `0x${"12".repeat(32)}`;

/**
 * Reveal ends at 200, attestation at 300; a result at 310 is challengeable until 400, claims run [400, 1000); with
 * an invalid list, locks are released one window (90 s) after the challenge end, at 490.
 */
function view(overrides: Partial<KeeperRoundView> = {}): KeeperRoundView {
  return {
    roundId: 1n, status: "Finalized", swept: false, revealEnd: 200n, attestDeadline: 300n, challengeEnd: 400n, claimStart: 400n, claimEnd: 1000n,
    releaseAt: 400n, sweepOwed: false, invalidRoot: ZeroHash, unrevealed: [], unsettled: [], unpaidOperators: [], ...overrides,
  };
}
const kinds = (v: KeeperRoundView, now: bigint, invalid?: Parameters<typeof dueActions>[2]) => dueActions(v, now, invalid).actions.map((a) => a.kind);

describe("dueActions", function () {
  it("closes an open round once its reveal window has ended, not before", function () {
    expect([kinds(view({ status: "Open" }), 199n), kinds(view({ status: "Open" }), 200n)]).to.deep.equal([[], ["close"]]);
  });

  it("schedules an open round's next pass at the end of its reveal window", function () {
    expect(dueActions(view({ status: "Open" }), 10n).nextAt).to.equal(200n);
  });

  it("slashes a closed round's non-revealers at once and marks it failed at the attestation deadline", function () {
    const closed = view({ status: "Closed", unrevealed: [A] });
    expect([kinds(closed, 250n), kinds(closed, 300n)]).to.deep.equal([["slash-non-revealer"], ["slash-non-revealer", "mark-failed"]]);
  });

  it("slashes an invalid contributor only once the challenge window has ended", function () {
    const finalized = view({ unsettled: [A], invalidRoot: ROOT, releaseAt: 490n });
    const invalid = [{ account: A.toLowerCase(), reason: 4, proof: [] }];
    expect([kinds(finalized, 399n, invalid), kinds(finalized, 400n, invalid)]).to.deep.equal([[], ["slash-invalid"]]);
  });

  it("schedules the next pass of a challengeable result at the end of its challenge window", function () {
    const finalized = view({ unsettled: [A], unpaidOperators: [OP] });
    expect(dueActions(finalized, 320n).nextAt).to.equal(400n);
  });

  it("releases the other revealers one challenge window later when the result lists invalid contributors", function () {
    const finalized = view({ unsettled: [A, B], invalidRoot: ROOT, releaseAt: 490n });
    const invalid = [{ account: A.toLowerCase(), reason: 4, proof: [] }];
    expect([kinds(finalized, 489n, invalid), kinds(finalized, 490n, invalid)]).to.deep.equal([["slash-invalid"], ["slash-invalid", "release"]]);
  });

  it("releases revealers at the end of the challenge window when nobody is invalid", function () {
    const finalized = view({ unsettled: [A] });
    expect([kinds(finalized, 399n), kinds(finalized, 400n)]).to.deep.equal([[], ["release"]]);
  });

  it("holds every lock back while the round has invalid contributors this keeper does not know", function () {
    const due = dueActions(view({ unsettled: [A], invalidRoot: ROOT }), 500n);
    expect([due.actions.map((a) => a.kind), due.waitingForInvalidList, due.finished]).to.deep.equal([[], true, false]);
  });

  it("pays attesting operators from the end of the challenge window until the end of the claim window", function () {
    const finalized = view({ unpaidOperators: [OP] });
    expect([kinds(finalized, 399n), kinds(finalized, 400n), kinds(finalized, 1000n)]).to.deep.equal([[], ["claim-operator"], ["sweep"]]);
  });

  it("does nothing while a dispute freezes the round, and keeps watching it", function () {
    const due = dueActions(view({ status: "Disputed", unrevealed: [A], unsettled: [B], unpaidOperators: [OP] }), 2000n);
    expect([due.actions, due.nextAt, due.finished]).to.deep.equal([[], undefined, false]);
  });

  it("sweeps a failed round with a signed result only after its challenge window", function () {
    const failed = view({ status: "Failed", challengeEnd: 400n, claimStart: 400n, claimEnd: 400n });
    expect([kinds(failed, 399n), kinds(failed, 400n)]).to.deep.equal([[], ["sweep"]]);
  });

  it("sweeps again while a swept round still owes a failed transfer", function () {
    const swept = view({ swept: true, sweepOwed: true });
    const due = dueActions(swept, 1000n);
    expect([due.actions.map((a) => a.kind), due.finished]).to.deep.equal([["sweep"], false]);
  });

  it("sweeps a failed round at once and then has nothing left to do", function () {
    const failed = view({ status: "Failed", claimEnd: 300n, challengeEnd: 300n, releaseAt: 300n });
    expect(kinds(failed, 300n)).to.deep.equal(["sweep"]);
    expect(dueActions({ ...failed, swept: true }, 300n).finished).to.equal(true);
  });

  it("releases a failed round's revealers once the (immediate) challenge end has passed", function () {
    expect(kinds(view({ status: "Failed", swept: true, unsettled: [A], challengeEnd: 300n, claimEnd: 300n, releaseAt: 300n }), 300n)).to.deep.equal(["release"]);
  });
});
