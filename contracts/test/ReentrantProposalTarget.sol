// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// TEST ONLY — never deployed by scripts/deploy.py. A contract that a malicious proposal calls during execution and
/// that tries to re-enter the governor and the timelock to run the same proposal a second time.
interface IReentryGovernor {
    function execute(uint256 proposalId) external payable;
}

interface IReentryTimelock {
    function executeBatch(
        address[] calldata targets,
        uint256[] calldata values,
        bytes[] calldata payloads,
        bytes32 predecessor,
        bytes32 salt
    ) external payable;
}

contract ReentrantProposalTarget {
    address public immutable governor;
    address public immutable timelock;

    uint256 public proposalId;
    bytes32 public salt;
    address[] private _targets;
    uint256[] private _values;
    bytes[] private _payloads;

    uint256 public calls;
    bool public governorReentered;
    bool public timelockReentered;
    bytes public governorRevert;
    bytes public timelockRevert;

    constructor(address governor_, address timelock_) {
        governor = governor_;
        timelock = timelock_;
    }

    /// @notice Remember the proposal this contract will be called by, so it can try to run it again.
    function arm(
        uint256 proposalId_,
        address[] calldata targets,
        uint256[] calldata values,
        bytes[] calldata payloads,
        bytes32 salt_
    ) external {
        proposalId = proposalId_;
        _targets = targets;
        _values = values;
        delete _payloads;
        for (uint256 i = 0; i < payloads.length; ++i) {
            _payloads.push(payloads[i]);
        }
        salt = salt_;
    }

    /// @notice Called by the timelock while it executes the proposal.
    function attack() external {
        calls += 1;
        try IReentryGovernor(governor).execute(proposalId) {
            governorReentered = true;
        } catch (bytes memory reason) {
            governorRevert = reason;
        }
        try IReentryTimelock(timelock).executeBatch(_targets, _values, _payloads, bytes32(0), salt) {
            timelockReentered = true;
        } catch (bytes memory reason) {
            timelockRevert = reason;
        }
    }
}
