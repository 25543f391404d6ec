// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
// solhint-disable no-empty-blocks, private-vars-leading-underscore, named-parameters-mapping, max-line-length
// Test-only handler: calls that must fail (repeated claims, second attestations, invalid results) run in try/catch
// with an empty catch; a success is recorded in the ghost state and caught by the invariants.

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IOracleRegistry} from "../interfaces/IOracleRegistry.sol";
import {IRounds} from "../interfaces/IRounds.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {ResultTrees} from "../libraries/ResultTrees.sol";
import {Rounds} from "../rounds/Rounds.sol";
import {MerkleHelper} from "./MerkleHelper.sol";

interface IRoundsVm {
    function prank(address msgSender) external;
    function warp(uint256 newTimestamp) external;
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function addr(uint256 privateKey) external pure returns (address);
}

/// @title RoundsHandler
/// @notice Test-only invariant handler that drives rounds through their whole life: open, commit, reveal, close,
/// attestations of competing results (two rewards trees and a failed result) signed with the operators' keys, failure
/// after the attestation deadline, claims with proofs built on chain, operator claims, stake settlement and sweeps.
/// Every action first warps time forward to its window if needed, so random sequences regularly reach
/// finalization and claims. Registry and dispute actions run in between: operators register (with eviction),
/// deregister and release, governance changes k, equivocations are reported, results are disputed and disputes
/// resolved either way, so quorum snapshots, voided results and re-opened rounds are exercised. Ghost state records
/// what actually moved: claims per leaf, tokens paid out per round (contributors and operators), distinct attesters per
/// digest, the final digests and end status, refunds, stake slashed and bonds.
contract RoundsHandler {
    IRoundsVm private constant VM = IRoundsVm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    /// @dev Rounds this handler opens at most (keeps each invariant check cheap).
    uint256 private constant MAX_ROUNDS = 10;
    /// @dev Leaves per rewards tree: one per contributor.
    uint256 public constant LEAVES = 4;
    /// @dev Result variants: 0 = tree A (always within the pool), 1 = tree B (may exceed the pool), 2 = failed.
    uint256 private constant VARIANTS = 3;

    /// @dev What an action needs from the round it picks (see {_pick}).
    enum Need {
        Commit,
        Reveal,
        Close,
        CloseEarly,
        Fail,
        Attest,
        Claim,
        Settle,
        Sweep,
        Dispute,
        Resolve
    }

    Rounds public immutable rounds;
    IStaking public immutable staking;
    IOracleRegistry public immutable oracles;
    /// @dev The oracle registry's admin and the rounds' resolver (the test contract standing in for the timelock).
    address public immutable governance;
    IERC20 public immutable token;
    address public immutable sponsor;
    address public immutable treasury;
    address[] public contributors;
    uint256[] private _operatorKeys;
    uint256[] public roundIds;

    mapping(uint256 roundId => mapping(uint256 variant => uint256[LEAVES] amounts)) private _amounts;
    mapping(uint256 roundId => uint256 variant) private _finalVariant;

    mapping(uint256 roundId => uint256) public ghostClaimed;
    mapping(uint256 roundId => uint256) public ghostPaidOut;
    mapping(uint256 roundId => mapping(address account => uint256)) public ghostClaimCount;
    mapping(uint256 roundId => mapping(bytes32 digest => mapping(address signer => bool))) private _ghostSigned;
    mapping(uint256 roundId => mapping(bytes32 digest => uint256)) public ghostDistinctAttesters;
    mapping(uint256 roundId => bytes32) public ghostFinalDigest;
    mapping(uint256 roundId => uint256) public ghostFinalAttesters;
    mapping(uint256 roundId => uint256) public ghostFinalizations;
    mapping(uint256 roundId => IRounds.RoundStatus) public ghostEndStatus;
    mapping(uint256 roundId => bool) public ghostSettleAttempted;
    mapping(uint256 roundId => uint256) public ghostRefunded;
    mapping(uint256 roundId => uint256) public ghostOperatorPaid;
    mapping(uint256 roundId => uint256) public ghostUpheld;
    uint256 public ghostBondsPaidIn;
    uint256 public ghostBondsPaidOut;
    uint256 public ghostDisputes;
    uint256 public ghostResolutions;
    uint256 public ghostEquivocations;
    uint256 public ghostRegistrations;
    uint256 public ghostFunded;
    uint256 public ghostOutflows;
    uint256 public ghostStakeSlashed;
    uint256 public ghostFinalizedRounds;
    uint256 public ghostClaims;
    uint256 public ghostFailedRounds;


    constructor(
        Rounds rounds_,
        IStaking staking_,
        IOracleRegistry oracles_,
        address governance_,
        IERC20 token_,
        address sponsor_,
        address[] memory contributors_,
        uint256[] memory keys
    ) {
        rounds = rounds_;
        staking = staking_;
        oracles = oracles_;
        governance = governance_;
        token = token_;
        sponsor = sponsor_;
        treasury = staking_.treasury();
        contributors = contributors_;
        _operatorKeys = keys;
    }

    function roundCount() external view returns (uint256) {
        return roundIds.length;
    }

    function operatorCount() external view returns (uint256) {
        return _operatorKeys.length;
    }

    function operator(uint256 i) public view returns (address) {
        return VM.addr(_operatorKeys[i]);
    }

    /// @notice The amount of leaf `i` of the round's final rewards tree.
    function finalAmount(uint256 roundId, uint256 i) external view returns (uint256) {
        return _amounts[roundId][_finalVariant[roundId]][i];
    }

    // ---------------------------------------------------------------- actions

    function open(uint256 budget) public {
        if (roundIds.length >= MAX_ROUNDS) return;
        budget = _bound(budget, 1e6, 1e21);
        VM.prank(sponsor);
        uint256 roundId = rounds.open(token, budget);
        roundIds.push(roundId);
        ghostFunded += budget;
    }

    /// @notice Commits up to four contributors (from `who` on) to a round in its commit window.
    function commit(uint256 roundSeed, uint256 who) public {
        (uint256 roundId, , bool ok) = _pick(roundSeed, Need.Commit);
        if (!ok) return;
        uint256 n = 1 + (who >> 8) % contributors.length;
        for (uint256 j = 0; j < n; ++j) {
            address c = contributors[(who % contributors.length + j) % contributors.length];
            if (rounds.contributionOf(roundId, c) != bytes32(0)) continue;
            bytes32 commitment = rounds.computeCommitment(roundId, c, _updateHash(roundId, c), bytes32(roundId));
            VM.prank(c);
            rounds.commit(roundId, commitment);
        }
    }

    /// @notice Reveals the round's committed contributors (warping to the reveal window), but one time in four
    /// leaves contributor `who` unrevealed (a non-revealer to slash).
    function reveal(uint256 roundSeed, uint256 who) public {
        (uint256 roundId, IRounds.Round memory r, bool ok) = _pick(roundSeed, Need.Reveal);
        if (!ok) return;
        if (block.timestamp < r.commitEnd) VM.warp(r.commitEnd);
        for (uint256 j = 0; j < contributors.length; ++j) {
            address c = contributors[j];
            if ((who >> 8) % 4 == 0 && j == who % contributors.length) continue;
            if (uint256(rounds.contributionOf(roundId, c)) <= 2) continue;
            VM.prank(c);
            rounds.reveal(roundId, _updateHash(roundId, c), bytes32(roundId), "uri");
        }
    }

    function advance(uint256 secondsSeed) external {
        VM.warp(block.timestamp + _bound(secondsSeed, 1, 10 minutes));
    }

    /// @notice Closes a round (warping to the end of its reveal window); a round still waiting for its reveals is
    /// closed early (and so fails) only one time in four.
    function close(uint256 roundSeed, uint256 seed) public {
        (uint256 roundId, IRounds.Round memory r, bool ok) = _pick(roundSeed, seed % 4 == 0 ? Need.CloseEarly : Need.Close);
        if (!ok) return;
        if (block.timestamp < r.revealEnd) VM.warp(r.revealEnd);
        rounds.close(roundId);
        _recordEnd(roundId);
    }

    /// @notice Settles a closed round whose attestation deadline passed without quorum (warping to it if needed).
    /// @dev Warps to the deadline only one time in six, so quorums get a chance to form first.
    function markFailed(uint256 roundSeed, uint256 seed) public {
        (uint256 roundId, IRounds.Round memory r, bool ok) = _pick(roundSeed, Need.Fail);
        if (!ok) return;
        if (block.timestamp < r.attestDeadline && seed % 6 != 0) return;
        if (block.timestamp < r.attestDeadline) VM.warp(r.attestDeadline);
        ghostSettleAttempted[roundId] = true;
        try rounds.markFailed(roundId) {} catch {}
        _recordEnd(roundId);
    }

    /// @notice One to three operators (from `opSeed` on, possibly the same one twice) attest one of the round's
    /// result variants: mostly tree A, so quorums form often; sometimes tree B or a failed result.
    function attest(uint256 roundSeed, uint256 opSeed, uint256 variantSeed, uint256 amountSeed) public {
        (uint256 roundId, IRounds.Round memory r, bool ok) = _pick(roundSeed, Need.Attest);
        if (!ok) return;
        uint256 variant = variantSeed % 8;
        variant = variant < 5 ? 0 : variant < 7 ? 1 : 2;
        if (variant < 2 && _amounts[roundId][variant][0] == 0) _initAmounts(roundId, variant, r.rewardPool, amountSeed);
        IRounds.RoundResult memory result = _result(roundId, variant, r.revealsHash);
        _attestMany(roundId, variant, result, opSeed);
        _recordEnd(roundId);
    }

    function _attestMany(uint256 roundId, uint256 variant, IRounds.RoundResult memory result, uint256 opSeed) private {
        bytes32 digest = rounds.hashRoundResult(result);
        bytes32 signed = rounds.hashAttestation(result, "model");
        uint256 n = 1 + (opSeed >> 8) % 3;
        uint256 stride = 1 + (opSeed >> 16) % 2; // stride 2 over 3 keys repeats the first operator on a third call
        uint256 keys = _operatorKeys.length;
        for (uint256 j = 0; j < n; ++j) _attestOne(roundId, variant, result, digest, signed, (opSeed + j * stride) % keys);
    }

    function _attestOne(
        uint256 roundId,
        uint256 variant,
        IRounds.RoundResult memory result,
        bytes32 digest,
        bytes32 signed,
        uint256 keyIndex
    ) private {
        uint256 key = _operatorKeys[keyIndex % _operatorKeys.length];
        try rounds.attest(result, _signature(key, signed), "model") returns (bool finalized) {
            address signer = VM.addr(key);
            if (!_ghostSigned[roundId][digest][signer]) {
                _ghostSigned[roundId][digest][signer] = true;
                ++ghostDistinctAttesters[roundId][digest];
            }
            if (finalized) {
                ++ghostFinalizations[roundId];
                // The latest final digest: a re-opened round (upheld dispute) finalizes again with another one.
                ghostFinalDigest[roundId] = digest;
                ghostFinalAttesters[roundId] = ghostDistinctAttesters[roundId][digest];
                _finalVariant[roundId] = variant;
                if (variant < 2) ++ghostFinalizedRounds;
            }
        } catch {}
    }

    /// @notice Claims leaf `leafSeed` of the final tree; a leaf already claimed is retried (and must fail).
    function claim(uint256 roundSeed, uint256 leafSeed) external {
        (uint256 roundId, IRounds.Round memory r, bool ok) = _pick(roundSeed, Need.Claim);
        if (!ok) return;
        if (block.timestamp < r.challengeEnd) VM.warp(r.challengeEnd);
        uint256 i = leafSeed % LEAVES;
        (bytes32[] memory leaves, uint256[LEAVES] memory amounts) = _leaves(roundId, _finalVariant[roundId]);
        address account = contributors[i];
        uint256 before = token.balanceOf(account);
        try rounds.claim(roundId, account, amounts[i], MerkleHelper.proof(leaves, i)) {
            uint256 paid = token.balanceOf(account) - before;
            ghostClaimed[roundId] += paid;
            ghostPaidOut[roundId] += paid;
            ghostOutflows += paid;
            ++ghostClaimCount[roundId][account];
            ++ghostClaims;
        } catch {}
    }

    function claimOperatorReward(uint256 roundSeed, uint256 opSeed) external {
        (uint256 roundId, IRounds.Round memory r, bool ok) = _pick(roundSeed, Need.Claim);
        if (!ok) return;
        if (block.timestamp < r.challengeEnd) VM.warp(r.challengeEnd);
        address op = operator(opSeed % _operatorKeys.length);
        uint256 before = token.balanceOf(op);
        try rounds.claimOperatorReward(roundId, op) {
            uint256 paid = token.balanceOf(op) - before;
            ghostPaidOut[roundId] += paid;
            ghostOperatorPaid[roundId] += paid;
            ghostOutflows += paid;
        } catch {}
    }

    // ---------------------------------------------------------------- registry and disputes

    /// @notice Operator `opSeed` registers with a stake of 1000..3000 tokens (evicting a smaller one when full).
    function registerOperator(uint256 opSeed, uint256 stakeSeed) external {
        address op = operator(opSeed % _operatorKeys.length);
        uint256 before = IERC20(staking.token()).balanceOf(address(staking));
        VM.prank(op);
        try oracles.registerWithStake(_bound(stakeSeed, 1000e18, 3000e18)) {
            ++ghostRegistrations;
        } catch {}
        assert(IERC20(staking.token()).balanceOf(address(staking)) == before);
    }

    function deregisterOperator(uint256 opSeed) external {
        VM.prank(operator(opSeed % _operatorKeys.length));
        try oracles.deregister() {} catch {}
    }

    function releaseOperatorStake(uint256 opSeed, uint256 secondsSeed) external {
        VM.warp(block.timestamp + _bound(secondsSeed, 0, 2 days));
        try oracles.releaseStake(operator(opSeed % _operatorKeys.length)) {} catch {}
    }

    /// @notice Governance sets k to 1..3 (refused when it would break 2k > n).
    function setThreshold(uint256 kSeed) external {
        VM.prank(governance);
        try oracles.setThreshold(1 + kSeed % 3) {} catch {}
    }

    /// @notice Reports operator `opSeed` for signing two results (tree A and a failed one) of a round.
    function reportEquivocation(uint256 roundSeed, uint256 opSeed) external {
        if (roundIds.length == 0) return;
        uint256 roundId = roundIds[roundSeed % roundIds.length];
        bytes32 revealsHash = rounds.round(roundId).revealsHash;
        uint256 key = _operatorKeys[opSeed % _operatorKeys.length];
        IRounds.SignedResult memory a = _signedResult(key, _result(roundId, 0, revealsHash));
        IRounds.SignedResult memory b = _signedResult(key, _result(roundId, 2, revealsHash));
        uint256 before = IERC20(staking.token()).balanceOf(address(staking));
        try rounds.reportEquivocation(a, b) {
            ++ghostEquivocations;
        } catch {}
        ghostStakeSlashed += before - IERC20(staking.token()).balanceOf(address(staking));
    }

    /// @notice Disputes the signed result of a round inside its window, listing its attesters.
    function dispute(uint256 roundSeed) external {
        (uint256 roundId, IRounds.Round memory r, bool ok) = _pick(roundSeed, Need.Dispute);
        if (!ok) return;
        address[] memory signers = _signersOf(roundId, r.resultDigest);
        IERC20 bondToken = IERC20(staking.token());
        uint256 before = bondToken.balanceOf(address(this));
        try rounds.dispute(roundId, signers) {
            ++ghostDisputes;
            ghostBondsPaidIn += before - bondToken.balanceOf(address(this));
        } catch {}
    }

    /// @notice Governance resolves a pending dispute, upheld or rejected.
    function resolveDispute(uint256 roundSeed, uint256 seed) external {
        (uint256 roundId, , bool ok) = _pick(roundSeed, Need.Resolve);
        if (!ok) return;
        bool upheld = seed % 2 == 0;
        IERC20 stakeToken = IERC20(staking.token());
        uint256 stakingBefore = stakeToken.balanceOf(address(staking));
        uint256 roundsBefore = stakeToken.balanceOf(address(rounds));
        VM.prank(governance);
        rounds.resolveDispute(roundId, upheld);
        ghostStakeSlashed += stakingBefore - stakeToken.balanceOf(address(staking));
        ghostBondsPaidOut += roundsBefore - stakeToken.balanceOf(address(rounds));
        ++ghostResolutions;
        if (upheld) {
            ++ghostUpheld[roundId];
            ghostEndStatus[roundId] = IRounds.RoundStatus.None; // Closed again: it may end anew
            ghostSettleAttempted[roundId] = false;
        }
    }

    /// @notice Releases or slashes one contributor's round stake, whichever applies.
    function settleStake(uint256 roundSeed, uint256 who) external {
        uint256 stakingBefore = IERC20(staking.token()).balanceOf(address(staking));
        (uint256 roundId, IRounds.Round memory r, bool ok) = _pick(roundSeed, Need.Settle);
        if (!ok) return;
        address c = contributors[who % contributors.length];
        uint256 slot = uint256(rounds.contributionOf(roundId, c));
        bool ended = r.status == IRounds.RoundStatus.Finalized || r.status == IRounds.RoundStatus.Failed;
        if (slot > 2 && (ended || r.status == IRounds.RoundStatus.Closed)) {
            rounds.slashNonRevealer(roundId, c);
        } else if (slot == 1 && ended) {
            if (block.timestamp < r.challengeEnd) VM.warp(r.challengeEnd);
            rounds.releaseStake(roundId, c);
        }
        ghostStakeSlashed += stakingBefore - IERC20(staking.token()).balanceOf(address(staking));
    }

    /// @notice Sweeps an ended round after its claim window (warping to it one time in four, as the warp ends the
    /// windows of every other round).
    function sweep(uint256 roundSeed, uint256 seed) external {
        (uint256 roundId, IRounds.Round memory r, bool ok) = _pick(roundSeed, Need.Sweep);
        if (!ok) return;
        if (block.timestamp < r.claimEnd && seed % 4 != 0) return;
        if (block.timestamp < r.claimEnd) VM.warp(r.claimEnd);
        uint256 balanceBefore = token.balanceOf(address(rounds));
        uint256 sponsorBefore = token.balanceOf(sponsor);
        rounds.sweep(roundId);
        uint256 paid = balanceBefore - token.balanceOf(address(rounds));
        ghostPaidOut[roundId] += paid;
        ghostOutflows += paid;
        if (r.status == IRounds.RoundStatus.Failed) ghostRefunded[roundId] = token.balanceOf(sponsor) - sponsorBefore;
    }

    // ---------------------------------------------------------------- helpers

    function _signedResult(
        uint256 key,
        IRounds.RoundResult memory result
    ) private view returns (IRounds.SignedResult memory signed) {
        signed.result = result;
        signed.modelUri = "model";
        signed.signature = _signature(key, rounds.hashAttestation(result, "model"));
    }

    /// @dev The handler's operators that attested `digest` in `roundId`, ascending.
    function _signersOf(uint256 roundId, bytes32 digest) private view returns (address[] memory signers) {
        uint256 n = _operatorKeys.length;
        address[] memory found = new address[](n);
        uint256 count;
        for (uint256 i = 0; i < n; ++i) {
            address op = operator(i);
            if (rounds.attestationOf(roundId, op) == digest) found[count++] = op;
        }
        signers = new address[](count);
        for (uint256 i = 0; i < count; ++i) signers[i] = found[i];
        // Insertion sort: at most a handful of operators.
        for (uint256 i = 1; i < count; ++i) {
            address x = signers[i];
            uint256 j = i;
            while (j > 0 && signers[j - 1] > x) {
                signers[j] = signers[j - 1];
                --j;
            }
            signers[j] = x;
        }
    }

    function _signature(uint256 key, bytes32 digest) private pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _initAmounts(uint256 roundId, uint256 variant, uint256 pool, uint256 seed) private {
        // Tree A: each leaf <= pool / 4, so the total is within the pool. Tree B: up to pool / 2 each, so its total
        // may exceed the pool, and then the contract must reject it.
        uint256 cap = variant == 0 ? pool / LEAVES : pool / 2;
        for (uint256 i = 0; i < LEAVES; ++i) {
            _amounts[roundId][variant][i] = _bound(uint256(keccak256(abi.encode(seed, i))), 1, cap < 1 ? 1 : cap);
        }
    }

    function _leaves(
        uint256 roundId,
        uint256 variant
    ) private view returns (bytes32[] memory leaves, uint256[LEAVES] memory amounts) {
        amounts = _amounts[roundId][variant];
        leaves = new bytes32[](LEAVES);
        for (uint256 i = 0; i < LEAVES; ++i) leaves[i] = ResultTrees.rewardLeaf(contributors[i], amounts[i]);
    }

    function _result(
        uint256 roundId,
        uint256 variant,
        bytes32 revealsHash
    ) private view returns (IRounds.RoundResult memory result) {
        result.roundId = roundId;
        result.metricsHash = keccak256("metrics");
        result.revealsHash = revealsHash;
        if (variant == 2) return result; // failed result: no model, no rewards
        (bytes32[] memory leaves, uint256[LEAVES] memory amounts) = _leaves(roundId, variant);
        result.modelHash = keccak256(abi.encode("model", roundId, variant));
        result.rewardsRoot = MerkleHelper.root(leaves);
        for (uint256 i = 0; i < LEAVES; ++i) result.totalRewards += amounts[i];
    }

    function _updateHash(uint256 roundId, address c) private pure returns (bytes32) {
        return keccak256(abi.encode(roundId, c));
    }

    function _recordEnd(uint256 roundId) private {
        IRounds.RoundStatus status = rounds.round(roundId).status;
        if (status == IRounds.RoundStatus.Finalized || status == IRounds.RoundStatus.Failed) {
            if (ghostEndStatus[roundId] == IRounds.RoundStatus.None) {
                ghostEndStatus[roundId] = status;
                if (status == IRounds.RoundStatus.Failed) ++ghostFailedRounds;
            }
        }
    }

    /// @dev The first round from `seed` on (cyclically) that `need` applies to, so actions rarely hit a round in the
    /// wrong state and random sequences keep rounds moving.
    function _pick(uint256 seed, Need need) private view returns (uint256 roundId, IRounds.Round memory r, bool ok) {
        uint256 n = roundIds.length;
        for (uint256 i = 0; i < n; ++i) {
            roundId = roundIds[(seed % n + i) % n];
            r = rounds.round(roundId);
            if (_applies(roundId, r, need)) return (roundId, r, true);
        }
        return (0, r, false);
    }

    function _applies(uint256 roundId, IRounds.Round memory r, Need need) private view returns (bool) {
        IRounds.RoundStatus st = r.status;
        bool ended = st == IRounds.RoundStatus.Finalized || st == IRounds.RoundStatus.Failed;
        if (need == Need.Commit) return st == IRounds.RoundStatus.Open && block.timestamp < r.commitEnd;
        if (need == Need.Reveal) {
            return st == IRounds.RoundStatus.Open && block.timestamp < r.revealEnd && r.commitCount > r.revealCount;
        }
        if (need == Need.Close) {
            return st == IRounds.RoundStatus.Open && (r.revealCount > 0 || block.timestamp >= r.revealEnd);
        }
        if (need == Need.CloseEarly) return st == IRounds.RoundStatus.Open;
        if (need == Need.Fail) return st == IRounds.RoundStatus.Closed;
        if (need == Need.Attest) return st == IRounds.RoundStatus.Closed && block.timestamp < r.attestDeadline;
        if (need == Need.Claim) return st == IRounds.RoundStatus.Finalized && block.timestamp < r.claimEnd;
        if (need == Need.Sweep) return ended && !r.swept;
        if (need == Need.Dispute) {
            return ended && r.resultDigest != bytes32(0) && block.timestamp < r.challengeEnd
                && rounds.disputeOf(roundId).digest != r.resultDigest;
        }
        if (need == Need.Resolve) return st == IRounds.RoundStatus.Disputed;
        return true; // Settle
    }

    function _bound(uint256 x, uint256 min, uint256 max) private pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}
