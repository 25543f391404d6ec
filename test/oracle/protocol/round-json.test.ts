import { readFile } from "node:fs/promises";

import { expect } from "chai";
import fc from "fast-check";

import { InvalidInputError } from "../../../oracle/errors.ts";
import { parsePolicy, RULES, type Policy } from "../../../oracle/protocol/policy.ts";
import { parseRoundJson } from "../../../oracle/protocol/round-input.ts";

const POLICY = { rule: "fedavg", trimBps: 0, krumF: 0, weighting: "uniform", maxSampleWeight: 1000, clipMantissa: 1, clipExp: 0, minContributors: 1, rewardPool: "1000" } as const;
const ADDRESS = "0x6e53a13043b026c48bbf33feff9243a8f506b409";
const HASH = `0x${"ab".repeat(32)}`;
const round = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ roundId: "7", policy: POLICY, contributors: [{ address: ADDRESS, revealedHash: HASH, file: "u.safetensors" }], ...extra });

/** The message of the InvalidInputError `run` throws. */
function problem(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidInputError);
    return (err as Error).message;
  }
  throw new Error("expected an InvalidInputError");
}

describe("policy and round.json checks (the aggregation path's own, without a schema library)", function () {
  it("parses every conformance case's round.json to the same policy and contributors it holds", async function () {
    for (const name of ["fedavg-uniform", "median-odd", "trimmed-mean", "multi-krum-wide", "failed-too-few", "invalid-reasons"]) {
      const json = JSON.parse(await readFile(new URL(`../../vectors/${name}/round.json`, import.meta.url), "utf8")) as { roundId: string; policy: Record<string, unknown>; contributors: { address: string }[] };
      const parsed = parseRoundJson(json);
      expect(parsed.roundId).to.equal(json.roundId);
      expect(parsed.policy).to.deep.equal({ ...json.policy, rewardPool: BigInt(json.policy.rewardPool as string) });
      expect(parsed.contributors.map((c) => c.address)).to.deep.equal(json.contributors.map((c) => c.address.toLowerCase()));
    }
  });

  it("accepts exactly the policies within the protocol's bounds, rewardPool exact", function () {
    fc.assert(
      fc.property(
        fc.record({
          rule: fc.constantFrom(...RULES),
          trimBps: fc.integer({ min: -2, max: 5_001 }),
          krumF: fc.integer({ min: -1, max: 50 }),
          maxSampleWeight: fc.integer({ min: 0, max: 10 }),
          clipMantissa: fc.integer({ min: 0, max: 9_000 }),
          clipExp: fc.integer({ min: -1_080, max: 14 }),
          pool: fc.bigInt({ min: 0n, max: 2n ** 257n }),
        }),
        ({ rule, trimBps, krumF, maxSampleWeight, clipMantissa, clipExp, pool }) => {
          const json = { ...POLICY, rule, trimBps, krumF, maxSampleWeight, clipMantissa, clipExp, rewardPool: pool.toString() };
          const clipOk = clipMantissa >= 1 && clipExp >= -1074 && clipExp <= 12 && BigInt(clipMantissa) <= 2n ** BigInt(12 - clipExp);
          const valid = trimBps >= 0 && trimBps <= 4_999 && krumF >= 0 && maxSampleWeight >= 1 && clipOk && pool < 2n ** 256n;
          if (valid) expect(parsePolicy(json)).to.deep.equal({ ...json, rewardPool: pool } satisfies Policy);
          else expect(() => parsePolicy(json)).to.throw(InvalidInputError, /^invalid policy: /);
        },
      ),
      { seed: 20_261_201, numRuns: 400 },
    );
  });

  it("names every problem of a policy with its field", function () {
    const message = problem(() => parsePolicy({ ...POLICY, rule: "mean", trimBps: 1.5, krumF: "1", rewardPool: 5, extra: true }));
    expect(message).to.equal(
      'invalid policy: policy: unknown key "extra"; rule: must be one of "fedavg", "median", "trimmed-mean", "multi-krum"; trimBps: must be a safe integer; krumF: must be a safe integer; rewardPool: must be a decimal uint256',
    );
    expect(problem(() => parsePolicy({ ...POLICY, clipMantissa: 2, clipExp: 12 }))).to.equal("invalid policy: policy: clip norm C = clipMantissa * 2^clipExp exceeds 2^12");
    expect(problem(() => parsePolicy({ ...POLICY, rewardPool: (2n ** 256n).toString() }))).to.equal("invalid policy: rewardPool: exceeds uint256");
    expect(problem(() => parsePolicy({ ...POLICY, minContributors: undefined }))).to.equal("invalid policy: minContributors: required");
    expect(problem(() => parsePolicy([]))).to.equal("invalid policy: policy: must be an object");
    expect(problem(() => parsePolicy({ ...POLICY, maxSampleWeight: 2 ** 53 }))).to.equal("invalid policy: maxSampleWeight: must be a safe integer");
  });

  it("lowercases addresses, keeps null files, and names every problem of round.json with its path", function () {
    const upper = parseRoundJson(round({ contributors: [{ address: ADDRESS.toUpperCase().replace("0X", "0x"), revealedHash: HASH, file: null }] }));
    expect(upper.contributors).to.deep.equal([{ address: ADDRESS, revealedHash: HASH, file: null }]);
    expect(problem(() => parseRoundJson(round({ roundId: "07", policy: { ...POLICY, weighting: "equal" } })))).to.equal(
      'invalid round.json: roundId: must be a decimal integer; policy.weighting: must be one of "uniform", "samples"',
    );
    expect(
      problem(() =>
        parseRoundJson(
          round({
            contributors: [
              { address: ADDRESS, revealedHash: HASH, file: "../etc/passwd" },
              { address: ADDRESS.toUpperCase().replace("0X", "0x"), revealedHash: "0x12", file: "b" },
              { address: ADDRESS, revealedHash: HASH, file: "c", more: 1 },
              "nobody",
            ],
          }),
        ),
      ),
    ).to.equal(
      'invalid round.json: contributors.0.file: must be a plain file name or null; contributors.1.revealedHash: must be a 32-byte hex hash; contributors.1.address: duplicate contributor address; contributors.2: unknown key "more"; contributors.2.address: duplicate contributor address; contributors.3: must be an object',
    );
    expect(problem(() => parseRoundJson(round({ contributors: {} })))).to.equal("invalid round.json: contributors: must be an array");
    expect(problem(() => parseRoundJson(round({ extra: 1 })))).to.equal('invalid round.json: round: unknown key "extra"');
    expect(problem(() => parseRoundJson(null))).to.equal("invalid round.json: round: must be an object");
  });
});
