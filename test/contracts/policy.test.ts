import { expect } from "chai";
import { network } from "hardhat";

import { defaultPolicy, deployProtocolFixture } from "./fixtures.ts";

const { networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

// Indices of IModelPolicyRegistry.PolicyField.
const FIELD = {
  TrimBps: 0, KrumF: 1, MaxSampleWeight: 2, ClipMantissa: 3, ClipExp: 4, MinContributors: 5,
  CommitWindowSeconds: 6, RevealWindowSeconds: 7, AttestWindowSeconds: 8, ChallengeWindowSeconds: 9,
  ClaimWindowSeconds: 10, MinContributorStake: 11, MinOperatorStake: 12, SlashBps: 13,
  DpClipNormE6: 14, DpNoiseMultiplierE6: 15, DpDeltaE18: 16,
} as const;
const MAX_I64 = 2n ** 63n - 1n;
const MAX_I128 = 2n ** 127n - 1n;
const MAX_I32 = 2n ** 31n - 1n;

describe("ModelPolicyRegistry", function () {
  it("test_constructor_storesGenesisAsVersion1", async function () {
    const { policies } = await loadFixture(deployProtocolFixture);
    expect(await policies.currentVersion()).to.equal(1n);
    expect((await policies.currentPolicy()).slashBps).to.equal(5000n);
    expect((await policies.policy(1n)).minContributors).to.equal(2n);
  });

  it("test_setPolicy_appendsVersionAndEmitsOldAndNew", async function () {
    const { policies, governance } = await loadFixture(deployProtocolFixture);
    const next = { ...defaultPolicy(), rule: 2, trimBps: 2000 };
    await expect(policies.connect(governance).setPolicy(next)).to.emit(policies, "ModelPolicyUpdated");
    expect(await policies.currentVersion()).to.equal(2n);
    expect((await policies.policy(2n)).rule).to.equal(2n);
    expect((await policies.policy(1n)).rule).to.equal(0n);
  });

  it("test_setPolicy_revertsForNonOwner", async function () {
    const { policies, outsider } = await loadFixture(deployProtocolFixture);
    await expect(policies.connect(outsider).setPolicy(defaultPolicy()))
      .to.be.revertedWithCustomError(policies, "OwnableUnauthorizedAccount").withArgs(outsider.address);
  });

  it("test_policy_revertsForUnknownVersion", async function () {
    const { policies } = await loadFixture(deployProtocolFixture);
    await expect(policies.policy(0n)).to.be.revertedWithCustomError(policies, "PolicyUnknownVersion").withArgs(0n, 1n);
    await expect(policies.policy(2n)).to.be.revertedWithCustomError(policies, "PolicyUnknownVersion").withArgs(2n, 1n);
  });

  it("test_checkPolicy_acceptsTheEdges", async function () {
    const { policies } = await loadFixture(deployProtocolFixture);
    await policies.checkPolicy({ ...defaultPolicy(), clipMantissa: 4096, clipExp: 0, trimBps: 4999 });
    await policies.checkPolicy({ ...defaultPolicy(), clipMantissa: 1, clipExp: 12, slashBps: 10_000 });
    await policies.checkPolicy({ ...defaultPolicy(), clipMantissa: 2n ** 64n - 1n, clipExp: -64 });
    await policies.checkPolicy({ ...defaultPolicy(), rule: 3, krumF: 2, minContributors: 7 });
  });

  const cases: [string, Record<string, bigint | number>, number, bigint, bigint, bigint][] = [
    ["trimBps above 4999", { trimBps: 5000 }, FIELD.TrimBps, 5000n, 0n, 4999n],
    ["krumF above 1000", { krumF: 1001 }, FIELD.KrumF, 1001n, 0n, 1000n],
    ["maxSampleWeight zero", { maxSampleWeight: 0 }, FIELD.MaxSampleWeight, 0n, 1n, MAX_I64],
    ["clipExp above 12", { clipExp: 13 }, FIELD.ClipExp, 13n, -64n, 12n],
    ["clipExp below -64", { clipExp: -65 }, FIELD.ClipExp, -65n, -64n, 12n],
    ["clip norm above 2^12", { clipMantissa: 4097, clipExp: 0 }, FIELD.ClipMantissa, 4097n, 1n, 4096n],
    ["clip norm above 2^12 (exp 3)", { clipMantissa: 513, clipExp: 3 }, FIELD.ClipMantissa, 513n, 1n, 512n],
    ["clipMantissa zero", { clipMantissa: 0 }, FIELD.ClipMantissa, 0n, 1n, 4096n],
    ["minContributors zero", { minContributors: 0 }, FIELD.MinContributors, 0n, 1n, MAX_I32],
    ["multi-krum minContributors < 2f+3", { rule: 3, krumF: 2, minContributors: 6 }, FIELD.MinContributors, 6n, 7n, MAX_I32],
    ["commit window too short", { commitWindowSeconds: 599 }, FIELD.CommitWindowSeconds, 599n, 600n, 2_592_000n],
    ["reveal window too long", { revealWindowSeconds: 2_592_001 }, FIELD.RevealWindowSeconds, 2_592_001n, 600n, 2_592_000n],
    ["attest window too short", { attestWindowSeconds: 1 }, FIELD.AttestWindowSeconds, 1n, 600n, 2_592_000n],
    ["challenge window too short", { challengeWindowSeconds: 0 }, FIELD.ChallengeWindowSeconds, 0n, 600n, 2_592_000n],
    ["claim window too short", { claimWindowSeconds: 3600 }, FIELD.ClaimWindowSeconds, 3600n, 86_400n, 31_536_000n],
    ["contributor stake zero", { minContributorStake: 0 }, FIELD.MinContributorStake, 0n, 1n, MAX_I128],
    ["operator stake zero", { minOperatorStake: 0 }, FIELD.MinOperatorStake, 0n, 1n, MAX_I128],
    ["slashBps above 10000", { slashBps: 10_001 }, FIELD.SlashBps, 10_001n, 0n, 10_000n],
    ["DP clip norm zero", { dpClipNormE6: 0 }, FIELD.DpClipNormE6, 0n, 1n, MAX_I64],
    ["DP noise multiplier above 1000", { dpNoiseMultiplierE6: 1_000_000_001 }, FIELD.DpNoiseMultiplierE6, 1_000_000_001n, 0n, 1_000_000_000n],
    ["DP delta zero", { dpDeltaE18: 0 }, FIELD.DpDeltaE18, 0n, 1n, 10n ** 18n - 1n],
    ["DP delta one", { dpDeltaE18: 10n ** 18n }, FIELD.DpDeltaE18, 10n ** 18n, 1n, 10n ** 18n - 1n],
  ];
  for (const [name, patch, field, value, min, max] of cases) {
    it(`test_setPolicy_revertsWhen_${name.replaceAll(" ", "_")}`, async function () {
      const { policies, governance } = await loadFixture(deployProtocolFixture);
      await expect(policies.connect(governance).setPolicy({ ...defaultPolicy(), ...patch }))
        .to.be.revertedWithCustomError(policies, "PolicyFieldOutOfBounds").withArgs(field, value, min, max);
    });
  }

  it("test_setPolicy_revertsWhenSplitIsNot10000", async function () {
    const { policies, governance } = await loadFixture(deployProtocolFixture);
    await expect(policies.connect(governance).setPolicy({ ...defaultPolicy(), treasuryBps: 999 }))
      .to.be.revertedWithCustomError(policies, "PolicyRewardSplitInvalid").withArgs(9999n);
  });
});
