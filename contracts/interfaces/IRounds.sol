// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/**
 * @title IRounds
 * @notice Training rounds: reward escrow, commit-reveal of updates, k-of-n attested results, Merkle reward claims,
 * refunds and slashing of faulty contributors. No function a sponsor or operator must call loops over contributors:
 * non-revealers and invalid contributors are slashed by permissionless per-account calls.
 *
 * Life cycle (see {RoundStatus}): `open` (sponsor escrows the budget; the quorum is snapshotted) -> commit phase ->
 * reveal phase -> `close` (anyone) -> `Closed` -> k matching attestations of distinct eligible operators ->
 * `Finalized` -> challenge window (anyone may `dispute` with a bond) -> claims, operator shares, invalid slashing ->
 * `sweep` after the claim window. `Closed` -> no quorum by the attestation deadline (`markFailed`, anyone), a signed
 * failed result (zero model hash), or fewer reveals than the policy's `minContributors` at close -> `Failed`; `sweep`
 * refunds the whole budget (after the challenge window for a signed failed result).
 * A disputed result is frozen (`Disputed`) until governance resolves it ({resolveDispute}, through the timelock):
 * upheld -> the result and its model version are void, every signer loses the round's `wrongResultBps` of its stake
 * (the challenger gets its bond back and half of it), and the round is `Closed` again with a new attestation deadline
 * and a new quorum snapshot (or fails and refunds after it); rejected -> the bond goes to the treasury and the result
 * stands (its windows extended by the time it was frozen).
 *
 * Budget split (from the round's policy snapshot): `rewardPool = funded * contributorsBps / 10000` (the protocol
 * §2 `rewardPool`), `operatorPool = funded * operatorsBps / 10000`, treasury share = the rest.
 */
interface IRounds {
    /// @notice Round status. Commit and reveal phases are both `Open` and told apart by time.
    enum RoundStatus {
        None,
        Open,
        Closed,
        Finalized,
        Failed,
        Disputed
    }

    /// @notice State of a round's latest dispute.
    enum DisputeStatus {
        None,
        Pending,
        Upheld,
        Rejected
    }

    /// @notice Why a round failed.
    enum FailureReason {
        TooFewReveals,
        NoQuorum,
        FailedResult
    }

    /**
     * @notice The result operators sign (EIP-712 type `RoundResult`, domain "Commonweight Rounds", version "1").
     * @param roundId The round.
     * @param modelHash sha256 of the new model file; zero for a failed round.
     * @param rewardsRoot StandardMerkleTree root over `(address account, uint256 amount)` leaves with amount > 0;
     * zero when nothing is paid.
     * @param totalRewards Sum of the leaves' amounts, at most the round's `rewardPool`.
     * @param invalidRoot StandardMerkleTree root over `(address account, uint8 reason)` leaves of invalid
     * contributors (reason codes: 1 unavailable, 2 hash-mismatch, 3 malformed, 4 norm); zero when none.
     * @param metricsHash sha256 of the result document (docs/protocol.md §5).
     * @param revealsHash The round's reveal accumulator from {RoundClosed}: proves the operator used every reveal.
     */
    struct RoundResult {
        uint256 roundId;
        bytes32 modelHash;
        bytes32 rewardsRoot;
        uint256 totalRewards;
        bytes32 invalidRoot;
        bytes32 metricsHash;
        bytes32 revealsHash;
    }

    /**
     * @notice A signed attestation (EIP-712 type `Attestation(RoundResult result,string modelUri)`): the operator's
     * signature covers the result and where it published the model, so no relayer chooses the model's location.
     * Attestations of one result with different URIs count for the same result digest ({hashRoundResult}).
     * @param result The result.
     * @param modelUri Where this operator published the model file.
     * @param signature The operator's EIP-712 signature over `(result, modelUri)`.
     */
    struct SignedResult {
        RoundResult result;
        string modelUri;
        bytes signature;
    }

    /**
     * @notice A round's latest dispute (see {disputeOf}).
     * @param challenger Who disputed (posted the bond).
     * @param status Its state.
     * @param raisedAt When.
     * @param resumeStatus The round's status before the dispute (Finalized or Failed).
     * @param digest The disputed result digest.
     * @param bond Bond posted, in the staking token.
     * @param signers The operators that attested `digest` (ascending), frozen until resolution.
     */
    struct Dispute {
        address challenger;
        DisputeStatus status;
        uint48 raisedAt;
        RoundStatus resumeStatus;
        bytes32 digest;
        uint128 bond;
        address[] signers;
    }

    /// @notice Everything stored about one round (see {round}).
    struct Round {
        address sponsor;
        uint32 policyVersion;
        uint32 baseModelVersion;
        RoundStatus status;
        uint8 attesterCount;
        bool swept;
        IERC20 rewardToken;
        uint48 openedAt;
        uint48 commitEnd;
        uint48 revealEnd;
        uint48 attestDeadline;
        uint48 challengeEnd;
        uint48 claimEnd;
        uint32 commitCount;
        uint32 revealCount;
        uint128 funded;
        uint128 contributorStake;
        uint128 rewardPool;
        uint128 operatorPool;
        uint128 totalRewards;
        uint128 claimedRewards;
        uint128 operatorClaimed;
        uint32 challengeWindowSeconds;
        uint32 claimWindowSeconds;
        uint16 slashBps;
        bytes32 revealsHash;
        bytes32 rewardsRoot;
        bytes32 invalidRoot;
        bytes32 resultDigest;
        uint8 threshold;
        uint48 eligibleAt;
        uint128 operatorStake;
        uint16 wrongResultBps;
        uint128 disputeBond;
        uint128 operatorShare;
        uint32 modelVersion;
    }

    /// @notice Round `roundId` is in `current`, not in one of the states set in the bitmap `expectedStates`
    /// (bit `i` set = status `i` allowed).
    /// @param roundId The round.
    /// @param current Its status.
    /// @param expectedStates Bitmap of allowed statuses.
    error RoundsUnexpectedStatus(uint256 roundId, RoundStatus current, bytes32 expectedStates);
    /// @notice The escrow received nothing (zero budget or a token that delivered zero).
    error RoundsZeroBudget();
    /// @notice The model registry has no version to train from.
    error RoundsNoBaseModel();
    /// @notice The phase of round `roundId` does not allow this call now: allowed in `[start, end)`.
    /// @param roundId The round.
    /// @param start First second of the allowed period.
    /// @param end First second after it.
    error RoundsOutsideWindow(uint256 roundId, uint256 start, uint256 end);
    /// @notice `commitment` is reserved (0, 1 and 2 mark empty, revealed and settled slots).
    /// @param commitment The rejected commitment.
    error RoundsInvalidCommitment(bytes32 commitment);
    /// @notice `account` already committed to round `roundId`.
    /// @param roundId The round.
    /// @param account The contributor.
    error RoundsAlreadyCommitted(uint256 roundId, address account);
    /// @notice `account` has no open commitment in round `roundId`.
    /// @param roundId The round.
    /// @param account The contributor.
    error RoundsNotCommitted(uint256 roundId, address account);
    /// @notice The revealed values of `account` do not match its commitment in round `roundId`.
    /// @param roundId The round.
    /// @param account The contributor.
    error RoundsCommitmentMismatch(uint256 roundId, address account);
    /// @notice `signer` may not attest round `roundId` (not registered, or registered after the round opened).
    /// @param roundId The round.
    /// @param signer The recovered signer.
    error RoundsNotOperator(uint256 roundId, address signer);
    /// @notice `operator` already attested round `roundId`.
    /// @param roundId The round.
    /// @param operator The operator.
    error RoundsAlreadyAttested(uint256 roundId, address operator);
    /// @notice The result's reveal accumulator `given` differs from the round's `expected`.
    /// @param roundId The round.
    /// @param given The result's value.
    /// @param expected The round's value.
    error RoundsRevealsMismatch(uint256 roundId, bytes32 given, bytes32 expected);
    /// @notice The result is inconsistent: a failed result (zero model hash) with rewards, rewards without a root,
    /// or `totalRewards` above `rewardPool`.
    /// @param roundId The round.
    /// @param totalRewards The result's total.
    /// @param rewardPool The round's pool.
    error RoundsInvalidResult(uint256 roundId, uint256 totalRewards, uint256 rewardPool);
    /// @notice `account` already claimed its reward of round `roundId`.
    /// @param roundId The round.
    /// @param account The contributor.
    error RoundsAlreadyClaimed(uint256 roundId, address account);
    /// @notice The Merkle proof does not prove its leaf against the round's root.
    /// @param roundId The round.
    /// @param account The account of the leaf.
    error RoundsInvalidProof(uint256 roundId, address account);
    /// @notice Paying `amount` would take round `roundId`'s contributor payouts above `totalRewards`.
    /// @param roundId The round.
    /// @param amount The claim.
    /// @param remaining What is left of `totalRewards`.
    error RoundsClaimExceedsTotal(uint256 roundId, uint256 amount, uint256 remaining);
    /// @notice `operator` did not attest the final result of round `roundId` or was already paid.
    /// @param roundId The round.
    /// @param operator The operator.
    error RoundsNoOperatorReward(uint256 roundId, address operator);
    /// @notice Round `roundId` was already swept.
    /// @param roundId The round.
    error RoundsAlreadySwept(uint256 roundId);
    /// @notice `account` cannot be slashed or unlocked this way in round `roundId` (wrong contribution state).
    /// @param roundId The round.
    /// @param account The contributor.
    error RoundsContributionNotSettleable(uint256 roundId, address account);
    /// @notice `reason` is not an invalid-update reason code (1..4).
    /// @param reason The code.
    error RoundsInvalidReason(uint8 reason);
    /// @notice The two signed results are not an equivocation (different rounds, same digest or different signers).
    error RoundsNotEquivocation();
    /// @notice The round's contributor and operator pools `atRisk` exceed `coverage`, what its quorum would lose for
    /// a wrong result (`k * minOperatorStake * wrongResultBps / 10000`).
    /// @param atRisk `rewardPool + operatorPool`.
    /// @param coverage The snapshotted quorum's slashable stake.
    error RoundsBudgetNotCovered(uint256 atRisk, uint256 coverage);
    /// @notice Round `roundId` has no signed result to dispute.
    /// @param roundId The round.
    error RoundsNothingToDispute(uint256 roundId);
    /// @notice Result `digest` of round `roundId` was already disputed.
    /// @param roundId The round.
    /// @param digest The result.
    error RoundsAlreadyDisputed(uint256 roundId, bytes32 digest);
    /// @notice The challenge window of round `roundId` ended at `challengeEnd`.
    /// @param roundId The round.
    /// @param challengeEnd End of the window.
    error RoundsChallengeWindowClosed(uint256 roundId, uint256 challengeEnd);
    /// @notice The signer list of a dispute of round `roundId` is not exactly the attesters of its result, ascending.
    /// @param roundId The round.
    error RoundsInvalidSigners(uint256 roundId);
    /// @notice Only the resolver (the timelock) may resolve disputes; `caller` is not it.
    /// @param caller The caller.
    error RoundsNotResolver(address caller);
    /// @notice Result `digest` of round `roundId` was voided by an upheld dispute.
    /// @param roundId The round.
    /// @param digest The void result.
    error RoundsResultVoided(uint256 roundId, bytes32 digest);

    /// @notice Round `roundId` was opened by `sponsor` with `funded` tokens of `rewardToken` in escrow.
    /// @param roundId The round.
    /// @param sponsor The sponsor.
    /// @param rewardToken The reward token.
    /// @param funded Tokens actually received.
    /// @param rewardPool Contributors' share (docs/protocol.md §2 `rewardPool`).
    /// @param policyVersion Snapshotted policy version.
    /// @param baseModelVersion Snapshotted base model version (the registry's latest).
    /// @param baseModelHash Its hash (the update files' `base`).
    /// @param commitEnd End of the commit phase.
    /// @param revealEnd End of the reveal phase.
    /// @param attestDeadline Last second to attest.
    event RoundOpened(
        uint256 indexed roundId,
        address indexed sponsor,
        IERC20 indexed rewardToken,
        uint256 funded,
        uint256 rewardPool,
        uint256 policyVersion,
        uint256 baseModelVersion,
        bytes32 baseModelHash,
        uint256 commitEnd,
        uint256 revealEnd,
        uint256 attestDeadline
    );
    /// @notice `contributor` committed `commitment` to round `roundId`, locking `lockedStake`.
    /// @param roundId The round.
    /// @param contributor The contributor.
    /// @param commitment `keccak256(abi.encode(roundId, contributor, updateHash, salt))`.
    /// @param lockedStake Stake locked for the round.
    event Committed(uint256 indexed roundId, address indexed contributor, bytes32 commitment, uint256 lockedStake);
    /// @notice `contributor` revealed `updateHash` at `uri`; the round's accumulator is now `revealsHash`.
    /// @param roundId The round.
    /// @param contributor The contributor.
    /// @param updateHash sha256 of the update file.
    /// @param uri Where the update file can be fetched.
    /// @param revealCount Reveals so far.
    /// @param revealsHash `keccak256(abi.encode(previousRevealsHash, contributor, updateHash))`, starting at zero.
    event Revealed(
        uint256 indexed roundId,
        address indexed contributor,
        bytes32 updateHash,
        string uri,
        uint256 revealCount,
        bytes32 revealsHash
    );
    /// @notice Round `roundId` closed with `revealCount` reveals summarised by `revealsHash`.
    /// @param roundId The round.
    /// @param commitCount Commitments.
    /// @param revealCount Reveals.
    /// @param revealsHash Final reveal accumulator; operators check they collected every reveal against it.
    /// @param closedAt Close time.
    event RoundClosed(
        uint256 indexed roundId,
        uint256 commitCount,
        uint256 revealCount,
        bytes32 revealsHash,
        uint256 closedAt
    );
    /// @notice `operator` attested result `digest` of round `roundId`, which now has `count` attestations.
    /// @param roundId The round.
    /// @param operator The signer.
    /// @param digest EIP-712 digest of the result.
    /// @param count Attestations of this digest.
    event Attested(uint256 indexed roundId, address indexed operator, bytes32 indexed digest, uint256 count);
    /// @notice Round `roundId` finalized with result `digest`; the model became version `modelVersion`.
    /// @param roundId The round.
    /// @param digest EIP-712 digest of the result.
    /// @param modelVersion New model registry version.
    /// @param modelHash New model hash.
    /// @param rewardsRoot Rewards Merkle root.
    /// @param totalRewards Sum of rewards.
    /// @param invalidRoot Invalid-contributor Merkle root.
    /// @param metricsHash Result document hash.
    /// @param challengeEnd End of the challenge window: claims open then.
    event RoundFinalized(
        uint256 indexed roundId,
        bytes32 indexed digest,
        uint256 modelVersion,
        bytes32 modelHash,
        bytes32 rewardsRoot,
        uint256 totalRewards,
        bytes32 invalidRoot,
        bytes32 metricsHash,
        uint256 challengeEnd
    );
    /// @notice `operator` attested round `roundId` with its model published at `modelUri` (a mirror of the model).
    /// @param roundId The round.
    /// @param operator The signer.
    /// @param modelUri The URI it signed.
    event ModelUriAttested(uint256 indexed roundId, address indexed operator, string modelUri);
    /// @notice `challenger` disputed result `digest` of round `roundId`, posting `bond`; the round is frozen.
    /// @param roundId The round.
    /// @param challenger The challenger.
    /// @param digest The disputed result.
    /// @param bond Bond posted (staking token).
    /// @param signers The attesters of `digest`, frozen until resolution.
    event RoundDisputed(
        uint256 indexed roundId,
        address indexed challenger,
        bytes32 indexed digest,
        uint256 bond,
        address[] signers
    );
    /// @notice Governance resolved the dispute of round `roundId`.
    /// @param roundId The round.
    /// @param upheld Whether the result was wrong (void) or stands.
    /// @param slashed Operator stake slashed (0 if rejected).
    /// @param challengerReward Paid to the challenger on top of its bond (0 if rejected).
    /// @param attestDeadline The new attestation deadline (upheld) or 0.
    event DisputeResolved(
        uint256 indexed roundId,
        bool upheld,
        uint256 slashed,
        uint256 challengerReward,
        uint256 attestDeadline
    );
    /// @notice A sweep transfer of `amount` to `recipient` failed; it stays owed and the next {sweep} retries it.
    /// @param roundId The round.
    /// @param recipient The recipient.
    /// @param amount The amount.
    event SweepTransferFailed(uint256 indexed roundId, address indexed recipient, uint256 amount);
    /// @notice Round `roundId` failed for `reason`; {sweep} refunds the whole escrow to the sponsor.
    /// @param roundId The round.
    /// @param reason Why.
    /// @param invalidRoot Invalid contributors of a signed failed result (else zero).
    event RoundFailed(uint256 indexed roundId, FailureReason reason, bytes32 invalidRoot);
    /// @notice `account` received its reward `amount` for round `roundId`.
    /// @param roundId The round.
    /// @param account The contributor.
    /// @param amount Tokens paid.
    event RewardClaimed(uint256 indexed roundId, address indexed account, uint256 amount);
    /// @notice Attesting `operator` received its share `amount` of round `roundId`'s operator pool.
    /// @param roundId The round.
    /// @param operator The operator.
    /// @param amount Tokens paid.
    event OperatorRewardClaimed(uint256 indexed roundId, address indexed operator, uint256 amount);
    /// @notice After the claim window, `treasuryAmount` went to `treasury` and `remainderAmount` (unclaimed rewards
    /// and dust) to `remainderRecipient`.
    /// @param roundId The round.
    /// @param treasury Treasury.
    /// @param treasuryAmount The treasury share.
    /// @param remainderRecipient Treasury or sponsor, per the policy.
    /// @param remainderAmount Unclaimed rewards, dust and unclaimed operator shares.
    event RoundSwept(
        uint256 indexed roundId,
        address treasury,
        uint256 treasuryAmount,
        address remainderRecipient,
        uint256 remainderAmount
    );
    /// @notice `account` was slashed `amount` in round `roundId` for `reason` (0 non-reveal, 1..4 invalid update).
    /// @param roundId The round.
    /// @param account The contributor.
    /// @param amount Stake slashed.
    /// @param reason Reason code.
    event ContributorSlashed(uint256 indexed roundId, address indexed account, uint256 amount, uint8 reason);
    /// @notice `account`'s stake `amount` locked for round `roundId` was released.
    /// @param roundId The round.
    /// @param account The contributor.
    /// @param amount Stake unlocked.
    event ContributorStakeReleased(uint256 indexed roundId, address indexed account, uint256 amount);

    /// @notice Opens a round: escrows `budget` of `rewardToken` from the caller (after `approve`) and snapshots the
    /// current policy version and the model registry's latest version as base model.
    /// @dev Credits what actually arrived (balance delta), so fee-on-transfer tokens fund less than `budget`.
    /// Rebasing tokens are not supported.
    /// @param rewardToken The reward token.
    /// @param budget Tokens to escrow.
    /// @return roundId The new round.
    function open(IERC20 rewardToken, uint256 budget) external returns (uint256 roundId);

    /// @notice Commits to an update during the commit phase, locking the round's contributor stake.
    /// @param roundId The round.
    /// @param commitment `keccak256(abi.encode(roundId, msg.sender, updateHash, salt))`, see {computeCommitment}.
    function commit(uint256 roundId, bytes32 commitment) external;

    /// @notice Reveals the committed update during the reveal phase. The URI goes in the event, not storage.
    /// @param roundId The round.
    /// @param updateHash sha256 of the update file.
    /// @param salt The commitment's salt.
    /// @param uri Where the update file can be fetched.
    function reveal(uint256 roundId, bytes32 updateHash, bytes32 salt, string calldata uri) external;

    /// @notice Closes the round after the reveal phase (anyone). Fails it at once if fewer than the policy's
    /// `minContributors` revealed.
    /// @param roundId The round.
    function close(uint256 roundId) external;

    /// @notice Submits an operator's signed attestation (anyone may relay it). Counts distinct operators eligible
    /// under the round's quorum snapshot; the attestation that brings a result digest to the snapshotted k finalizes:
    /// the model is appended to the registry (with the finalizing signer's own `modelUri`) and the challenge window
    /// opens, or for a zero model hash the round fails (refund after the window).
    /// @param result The result.
    /// @param signature The operator's EIP-712 signature over `Attestation(result, modelUri)`.
    /// @param modelUri Where this operator published the model file (signed).
    /// @return finalized Whether this attestation settled the round.
    function attest(
        RoundResult calldata result,
        bytes calldata signature,
        string calldata modelUri
    ) external returns (bool finalized);

    /// @notice Fails a closed round without quorum after its attestation deadline (anyone); {sweep} refunds it.
    /// @param roundId The round.
    function markFailed(uint256 roundId) external;

    /// @notice Pays `account` its reward `amount` of round `roundId` (anyone may submit) after the challenge window and
    /// before the claim window ends.
    /// @param roundId The round.
    /// @param account The rewarded contributor (receives the tokens).
    /// @param amount The leaf's amount.
    /// @param proof StandardMerkleTree proof of the leaf `(account, amount)`.
    function claim(uint256 roundId, address account, uint256 amount, bytes32[] calldata proof) external;

    /// @notice Pays an operator that attested the final result its share `operatorPool / k` (anyone may submit),
    /// between the end of the challenge window and the end of the claim window. An operator slashed for equivocation
    /// in the round is not paid.
    /// @param roundId The round.
    /// @param operator The operator (receives the tokens).
    function claimOperatorReward(uint256 roundId, address operator) external;

    /// @notice Settles the escrow of an ended round (anyone may call). Finalized round, after its claim window: the
    /// treasury share goes to the treasury and the rest (unclaimed rewards, dust, unclaimed operator shares) where the
    /// policy says. Failed round, at once: the whole escrow is refunded to the sponsor.
    /// @dev Refunds are pulled by this call rather than pushed by the failing transition, so no status change ever
    /// depends on the (sponsor-chosen) reward token behaving. The treasury and remainder transfers are independent:
    /// one that fails stays owed ({SweepTransferFailed}) and a later call retries it.
    /// @param roundId The round.
    function sweep(uint256 roundId) external;

    /// @notice Slashes a contributor that committed but did not reveal (anyone, any time after close): the policy's
    /// `slashBps` of its round lock goes to the treasury and the rest is released.
    /// @param roundId The round.
    /// @param account The contributor.
    function slashNonRevealer(uint256 roundId, address account) external;

    /// @notice Slashes a revealed contributor listed invalid in the round's result (anyone, after the challenge
    /// window, while its stake is locked).
    /// @param roundId The round.
    /// @param account The contributor.
    /// @param reason Its reason code (1..4).
    /// @param proof StandardMerkleTree proof of the leaf `(account, reason)` against `invalidRoot`.
    function slashInvalid(uint256 roundId, address account, uint8 reason, bytes32[] calldata proof) external;

    /// @notice Releases a revealed contributor's round lock once the round ended: at once without an invalid list,
    /// else one challenge window after the challenge window (so listed contributors can be slashed first).
    /// @param roundId The round.
    /// @param account The contributor.
    function releaseStake(uint256 roundId, address account) external;

    /// @notice Proves an operator signed two different results for one round; the registry slashes the round's
    /// snapshotted `slashBps` of its stake (registered or exiting), the caller gets half of it, and its attestation
    /// of the round no longer counts and is not paid.
    /// @param a First signed attestation.
    /// @param b Second one (same round, different result digest).
    function reportEquivocation(SignedResult calldata a, SignedResult calldata b) external;

    /// @notice Disputes the signed result of round `roundId` inside its challenge window (anyone), posting the
    /// round's `disputeBond` of the staking token (after `approve`). Freezes the round and the signers' stakes until
    /// governance resolves it. One dispute per result.
    /// @param roundId The round.
    /// @param signers The operators that attested the result (from {Attested}), ascending, all of them.
    function dispute(uint256 roundId, address[] calldata signers) external;

    /// @notice Resolves the pending dispute of round `roundId`. Only the resolver (the timelock, i.e. a passed
    /// governance proposal). See the life cycle above for what upheld and rejected do.
    /// @param roundId The round.
    /// @param upheld Whether the disputed result was wrong.
    function resolveDispute(uint256 roundId, bool upheld) external;

    /// @notice The latest dispute of round `roundId`.
    /// @param roundId The round.
    /// @return The dispute (status `None` when the round was never disputed).
    function disputeOf(uint256 roundId) external view returns (Dispute memory);

    /// @notice The address allowed to resolve disputes (the timelock).
    function resolver() external view returns (address);

    /// @notice The EIP-712 digest of `result` on this contract's domain: the value attestations are counted by.
    /// @param result The round result, field for field as operators sign it.
    function hashRoundResult(RoundResult calldata result) external view returns (bytes32);

    /// @notice The EIP-712 digest an operator signs: `Attestation(result, modelUri)`.
    /// @param result The round result, field for field as operators sign it.
    /// @param modelUri Where this operator says the new model can be fetched.
    /// @return The digest.
    function hashAttestation(RoundResult calldata result, string calldata modelUri) external view returns (bytes32);

    /// @notice `keccak256(abi.encode(roundId, contributor, updateHash, salt))`.
    /// @param roundId The round.
    /// @param contributor The committing contributor.
    /// @param updateHash The sha256 of the update file.
    /// @param salt The contributor's secret salt.
    function computeCommitment(
        uint256 roundId,
        address contributor,
        bytes32 updateHash,
        bytes32 salt
    ) external pure returns (bytes32);

    /// @notice Round `roundId`.
    /// @param roundId The round.
    function round(uint256 roundId) external view returns (Round memory);

    /// @notice Number of rounds opened; round ids are `1..roundCount()`.
    function roundCount() external view returns (uint256);

    /// @notice The contribution slot of `account` in `roundId`: 0 none, 1 revealed, 2 settled, else its commitment.
    /// @param roundId The round.
    /// @param account The contributor.
    function contributionOf(uint256 roundId, address account) external view returns (bytes32);

    /// @notice Whether `account` claimed its reward of `roundId`.
    /// @param roundId The round.
    /// @param account The contributor.
    function isClaimed(uint256 roundId, address account) external view returns (bool);

    /// @notice The digest `operator` attested in `roundId` (zero if none).
    /// @param roundId The round.
    /// @param operator The operator.
    function attestationOf(uint256 roundId, address operator) external view returns (bytes32);

    /// @notice Attestations of `digest` in `roundId`.
    /// @param roundId The round.
    /// @param digest The attested result digest.
    function attestationCount(uint256 roundId, bytes32 digest) external view returns (uint256);
}
