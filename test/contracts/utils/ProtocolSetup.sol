// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {ModelPolicyRegistry} from "../../../contracts/governance/ModelPolicyRegistry.sol";
import {IModelPolicyRegistry} from "../../../contracts/interfaces/IModelPolicyRegistry.sol";
import {IRounds} from "../../../contracts/interfaces/IRounds.sol";
import {OracleRegistry} from "../../../contracts/oracle/OracleRegistry.sol";
import {ModelRegistry} from "../../../contracts/registry/ModelRegistry.sol";
import {Rounds} from "../../../contracts/rounds/Rounds.sol";
import {Staking} from "../../../contracts/staking/Staking.sol";
import {CommonweightToken} from "../../../contracts/token/CommonweightToken.sol";
import {Base} from "./Base.t.sol";
import {TestPolicies} from "./TestPolicies.sol";

/// @notice The whole protocol wired as in production (cf. v4 `Deployers`), with this test contract as governance
/// (policy owner and role admin), 3 oracle operators with known keys (k = 2), staked contributors and a sponsor that
/// pays in a separate reward token (so stake and escrow balances never mix).
abstract contract ProtocolSetup is Base {
    uint256 internal constant K = 2;
    uint256 internal constant OPERATOR_COUNT = 3;
    uint256 internal constant STAKE_PER_ACCOUNT = 1e24;
    address internal constant TREASURY = address(0x7EA5);
    address internal constant SPONSOR = address(0x5905);

    CommonweightToken internal stakeToken;
    CommonweightToken internal rewardToken;
    Staking internal staking;
    ModelPolicyRegistry internal policies;
    ModelRegistry internal models;
    OracleRegistry internal oracles;
    Rounds internal rounds;
    uint256[] internal operatorKeys;
    address[] internal contributors;

    function _deployProtocol(uint256 contributorCount) internal {
        stakeToken = new CommonweightToken(address(this), 1e30);
        rewardToken = new CommonweightToken(address(this), 1e36);
        staking = new Staking(IERC20(address(stakeToken)), TREASURY, 1 days, address(this));
        policies = new ModelPolicyRegistry(address(this), TestPolicies.basic());
        models = new ModelRegistry(address(this));
        models.appendGenesis(keccak256("genesis"), "");
        oracles = new OracleRegistry(staking, policies, K, 1 days, address(this));
        rounds = new Rounds(staking, oracles, policies, models, address(this));
        staking.grantRole(staking.LOCKER_ROLE(), address(rounds));
        staking.grantRole(staking.SLASHER_ROLE(), address(rounds));
        staking.grantRole(staking.LOCKER_ROLE(), address(oracles));
        staking.grantRole(staking.SLASHER_ROLE(), address(oracles));
        models.grantRole(models.APPENDER_ROLE(), address(rounds));
        oracles.grantRole(oracles.SLASHER_ROLE(), address(rounds));

        for (uint256 i = 0; i < OPERATOR_COUNT; ++i) {
            uint256 key = 0xB0B0 + i;
            operatorKeys.push(key);
            _fundAndStake(vm.addr(key));
            vm.prank(vm.addr(key));
            oracles.register();
        }
        for (uint256 i = 0; i < contributorCount; ++i) {
            address c = address(uint160(0xC0FFEE + i));
            contributors.push(c);
            _fundAndStake(c);
        }
        rewardToken.transfer(SPONSOR, 1e35);
        vm.prank(SPONSOR);
        rewardToken.approve(address(rounds), type(uint256).max);
        // Operators must have registered before a round opens.
        vm.warp(block.timestamp + 1);
    }

    function _fundAndStake(address account) internal {
        stakeToken.transfer(account, STAKE_PER_ACCOUNT);
        vm.startPrank(account);
        stakeToken.approve(address(staking), type(uint256).max);
        staking.stake(STAKE_PER_ACCOUNT);
        vm.stopPrank();
    }

    /// @dev EIP-712 attestation signature of `result` with model URI "model" by the operator with private key `key`
    /// (r, s, v packed).
    function _sign(uint256 key, IRounds.RoundResult memory result) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, rounds.hashAttestation(result, "model"));
        return abi.encodePacked(r, s, v);
    }

    /// @dev Opens a round, has `contributors[0]` commit and reveal, and closes it. Returns the round id.
    function _openRevealedAndClosedRound(uint256 budget) internal returns (uint256 roundId) {
        vm.prank(SPONSOR);
        roundId = rounds.open(IERC20(address(rewardToken)), budget);
        address c = contributors[0];
        bytes32 updateHash = keccak256(abi.encode("update", roundId));
        bytes32 commitment = rounds.computeCommitment(roundId, c, updateHash, bytes32(roundId));
        vm.prank(c);
        rounds.commit(roundId, commitment);
        vm.warp(rounds.round(roundId).commitEnd);
        vm.prank(c);
        rounds.reveal(roundId, updateHash, bytes32(roundId), "uri");
        vm.warp(rounds.round(roundId).revealEnd);
        rounds.close(roundId);
    }

    /// @dev A successful result of `roundId` with the given rewards root and total.
    function _result(
        uint256 roundId,
        bytes32 rewardsRoot,
        uint256 totalRewards
    ) internal view returns (IRounds.RoundResult memory) {
        return IRounds.RoundResult({
            roundId: roundId,
            modelHash: keccak256(abi.encode("model", roundId)),
            rewardsRoot: rewardsRoot,
            totalRewards: totalRewards,
            invalidRoot: bytes32(0),
            metricsHash: keccak256("metrics"),
            revealsHash: rounds.round(roundId).revealsHash
        });
    }

    /// @dev Has the first k operators attest `result` (the k-th finalizes).
    function _finalize(IRounds.RoundResult memory result) internal {
        for (uint256 i = 0; i < K; ++i) rounds.attest(result, _sign(operatorKeys[i], result), "model");
    }

    /// @dev The basic test policy with a different reward split.
    function _policyWithSplit(
        uint16 contributorsBps,
        uint16 operatorsBps
    ) internal pure returns (IModelPolicyRegistry.Policy memory p) {
        p = TestPolicies.basic();
        p.contributorsBps = contributorsBps;
        p.operatorsBps = operatorsBps;
        p.treasuryBps = 10_000 - contributorsBps - operatorsBps;
    }
}
