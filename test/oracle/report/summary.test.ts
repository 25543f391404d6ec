import { expect } from "chai";

import { InvalidInputError } from "../../../oracle/errors.ts";
import { parseDemoSummary } from "../../../oracle/report/summary.ts";
import { sampleSummary } from "./sample-summary.ts";
import { failureOf } from "../../support/failure.ts";

describe("report: the demo summary schema", function () {
  it("accepts the sample summary unchanged", function () {
    const sample = sampleSummary();

    const parsed = parseDemoSummary(JSON.parse(JSON.stringify(sample)));

    expect(parsed).to.deep.equal(sample);
  });

  it("rejects a negative amount, naming its path", function () {
    const sample = sampleSummary();
    sample.totals.paid = "-5";

    const failure = failureOf(() => parseDemoSummary(sample));

    expect(failure).to.be.instanceOf(InvalidInputError);
    expect((failure as Error).message).to.match(/totals\.paid: must be a non-negative integer string/);
  });

  it("rejects a missing field, naming it", function () {
    const { baselineAccuracy: _dropped, ...incomplete } = sampleSummary();

    const failure = failureOf(() => parseDemoSummary(incomplete));

    expect(failure).to.be.instanceOf(InvalidInputError);
    expect((failure as Error).message).to.match(/baselineAccuracy/);
  });

  it("rejects a mixed-case address used as a reward key", function () {
    const sample = sampleSummary();
    const round = sample.rounds[0];
    if (round === undefined) throw new Error("sample has no rounds");
    round.rewards["0xABCDEFabcdefABCDEFabcdefABCDEFabcdefABCD"] = "1";

    const failure = failureOf(() => parseDemoSummary(sample));

    expect(failure).to.be.instanceOf(InvalidInputError);
    expect((failure as Error).message).to.match(/rounds\.0\.rewards/);
  });
});
