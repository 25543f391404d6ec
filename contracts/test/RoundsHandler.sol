// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
// solhint-disable no-empty-blocks, private-vars-leading-underscore, named-parameters-mapping, max-line-length
// Test-only handler: reverting protocol calls are expected and skipped (try/catch with empty catch).

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IRounds} from "../interfaces/IRounds.sol";
import {RewardLeaf} from "../libraries/RewardLeaf.sol";
import {Rounds} from "../rounds/Rounds.sol";

interface IRoundsVm {
    function prank(address msgSender) external;
    function warp(uint256 newTimestamp) external;
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function addr(uint256 privateKey) external pure returns (address);
}

/// @title RoundsHandler
/// @notice Test-only invariant handler driving rounds end to end (open, commit, reveal, close, attest one of two
/// competing results, fail, claim, operator claims, sweep) with ghost accounting of claims and attestations.
contract RoundsHandler {
    IRoundsVm private constant VM = IRoundsVm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    Rounds public immutable rounds;
    IERC20 public immutable token;
    address public immutable sponsor;
    address[] public contributors;
    uint256[] private _operatorKeys;
    uint256[] public roundIds;

    mapping(uint256 roundId => uint256[2] amounts) private _variantA;
    mapping(uint256 roundId => uint256[2] amounts) private _variantB;
    mapping(uint256 roundId => uint256[2] amounts) private _finalAmounts;
    mapping(uint256 roundId => uint256) public ghostClaimed;
    mapping(uint256 roundId => mapping(address account => uint256)) public ghostClaimCount;
    mapping(uint256 roundId => mapping(bytes32 digest => uint256)) public ghostAttesters;
    mapping(uint256 roundId => bytes32) public ghostFinalDigest;
    mapping(uint256 roundId => IRounds.RoundStatus) public ghostEndStatus;

    constructor(Rounds rounds_, IERC20 token_, address sponsor_, address[] memory contributors_, uint256[] memory keys) {
        rounds = rounds_;
        token = token_;
        sponsor = sponsor_;
        contributors = contributors_;
        _operatorKeys = keys;
    }

    function roundCount() external view returns (uint256) {
        return roundIds.length;
    }

    function open(uint256 budget) public {
        if (roundIds.length >= 8) return;
        VM.prank(sponsor);
        uint256 roundId = rounds.open(token, _bound(budget, 1, 1e21));
        roundIds.push(roundId);
    }

    function commit(uint256 roundSeed, uint256 who) public {
        (uint256 roundId, bool ok) = _round(roundSeed);
        if (!ok) return;
        address c = contributors[who % contributors.length];
        bytes32 commitment = rounds.computeCommitment(roundId, c, keccak256(abi.encode(c)), bytes32(roundId));
        VM.prank(c);
        try rounds.commit(roundId, commitment) {} catch {}
    }

    function reveal(uint256 roundSeed, uint256 who) public {
        (uint256 roundId, bool ok) = _round(roundSeed);
        if (!ok) return;
        address c = contributors[who % contributors.length];
        VM.prank(c);
        try rounds.reveal(roundId, keccak256(abi.encode(c)), bytes32(roundId), "uri") {} catch {}
    }

    function advance(uint256 secondsSeed) external {
        VM.warp(block.timestamp + _bound(secondsSeed, 1, 3 hours));
    }

    function close(uint256 roundSeed) public {
        (uint256 roundId, bool ok) = _round(roundSeed);
        if (!ok) return;
        try rounds.close(roundId) {} catch {}
        _recordEnd(roundId);
    }

    function markFailed(uint256 roundSeed) public {
        (uint256 roundId, bool ok) = _round(roundSeed);
        if (!ok) return;
        try rounds.markFailed(roundId) {} catch {}
        _recordEnd(roundId);
    }

    function attest(uint256 roundSeed, uint256 opSeed, bool variantB, uint256 amountSeed) public {
        (uint256 roundId, bool ok) = _round(roundSeed);
        if (!ok) return;
        IRounds.Round memory r = rounds.round(roundId);
        if (r.status != IRounds.RoundStatus.Closed) return;
        uint256[2] storage amounts = variantB ? _variantB[roundId] : _variantA[roundId];
        if (amounts[0] == 0) {
            amounts[0] = _bound(amountSeed, 1, r.rewardPool / 2 + 1);
            amounts[1] = _bound(amountSeed >> 128, 1, r.rewardPool / 2 + 1);
        }
        IRounds.RoundResult memory result = _result(roundId, r.revealsHash, amounts);
        bytes32 digest = rounds.hashRoundResult(result);
        (uint8 v, bytes32 rr, bytes32 s) = VM.sign(_operatorKeys[opSeed % _operatorKeys.length], digest);
        try rounds.attest(result, abi.encodePacked(rr, s, v), "model") returns (bool finalized) {
            ghostAttesters[roundId][digest] += 1;
            if (finalized) {
                ghostFinalDigest[roundId] = digest;
                _finalAmounts[roundId] = amounts;
            }
        } catch {}
        _recordEnd(roundId);
    }

    function claim(uint256 roundSeed, uint256 who) external {
        (uint256 roundId, bool ok) = _round(roundSeed);
        if (!ok) return;
        uint256 i = who % 2;
        uint256[2] memory amounts = _finalAmounts[roundId];
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = RewardLeaf.hash(contributors[1 - i], amounts[1 - i]);
        try rounds.claim(roundId, contributors[i], amounts[i], proof) {
            ghostClaimed[roundId] += amounts[i];
            ghostClaimCount[roundId][contributors[i]] += 1;
        } catch {}
    }

    function claimOperatorReward(uint256 roundSeed, uint256 opSeed) external {
        (uint256 roundId, bool ok) = _round(roundSeed);
        if (!ok) return;
        address op = VM.addr(_operatorKeys[opSeed % _operatorKeys.length]);
        try rounds.claimOperatorReward(roundId, op) {} catch {}
    }

    function sweep(uint256 roundSeed) external {
        (uint256 roundId, bool ok) = _round(roundSeed);
        if (!ok) return;
        try rounds.sweep(roundId) {} catch {}
    }

    function _result(
        uint256 roundId,
        bytes32 revealsHash,
        uint256[2] memory amounts
    ) private view returns (IRounds.RoundResult memory) {
        bytes32 a = RewardLeaf.hash(contributors[0], amounts[0]);
        bytes32 b = RewardLeaf.hash(contributors[1], amounts[1]);
        bytes32 root = a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
        return IRounds.RoundResult({
            roundId: roundId,
            modelHash: keccak256(abi.encode("model", roundId)),
            rewardsRoot: root,
            totalRewards: amounts[0] + amounts[1],
            invalidRoot: bytes32(0),
            metricsHash: keccak256("metrics"),
            revealsHash: revealsHash
        });
    }

    function _recordEnd(uint256 roundId) private {
        IRounds.RoundStatus status = rounds.round(roundId).status;
        if (status == IRounds.RoundStatus.Finalized || status == IRounds.RoundStatus.Failed) {
            if (ghostEndStatus[roundId] == IRounds.RoundStatus.None) ghostEndStatus[roundId] = status;
        }
    }

    function _round(uint256 seed) private view returns (uint256, bool) {
        if (roundIds.length == 0) return (0, false);
        return (roundIds[seed % roundIds.length], true);
    }

    function _bound(uint256 x, uint256 min, uint256 max) private pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}
