import { expect } from "chai";

import type { ComputeBackend, CoordinateRange } from "../../../oracle/compute/types.ts";
import { caseRound, driveRound, newRoundJob, roundDeps, type CaseRound } from "./round-harness.ts";

/** Wraps a backend to record each aggregate call's range and how many event-loop turns had run by then. */
function recording(calls: { range: CoordinateRange; turns: number }[], turns: () => number): (b: ComputeBackend) => ComputeBackend {
  return (backend) => ({
    name: backend.name,
    dispose: () => backend.dispose(),
    async open(round) {
      const session = await backend.open(round);
      return {
        distances: (range) => session.distances(range),
        aggregate: (plan, range) => {
          calls.push({ range, turns: turns() });
          return session.aggregate(plan, range);
        },
        scoreDots: (members, aggregate, range) => session.scoreDots(members, aggregate, range),
        close: () => session.close(),
      };
    },
  });
}

describe("operator: shard jobs compute in slices with the event loop free between them", function () {
  this.timeout(60_000);
  let round: CaseRound;

  beforeEach(async function () {
    round = await caseRound("fedavg-uniform");
  });

  afterEach(async function () {
    await round.remove();
  });

  it("splits each shard's range into slices and lets the event loop turn between them (so BullMQ can renew the lock)", async function () {
    const calls: { range: CoordinateRange; turns: number }[] = [];
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    try {
      await driveRound(newRoundJob(round), roundDeps(round), undefined, recording(calls, () => turns));
    } finally {
      ticking = false;
    }

    expect(calls.length).to.be.greaterThan(1);
    for (const call of calls) expect(call.range.end - call.range.start).to.be.at.most(3);
    for (let i = 1; i < calls.length; i += 1) expect((calls[i]?.turns ?? 0) > (calls[i - 1]?.turns ?? 0), `turns before call ${i}`).to.equal(true);
  });
});
