// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IGovernor, Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from
    "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorPreventLateQuorum} from "@openzeppelin/contracts/governance/extensions/GovernorPreventLateQuorum.sol";
import {GovernorStorage} from "@openzeppelin/contracts/governance/extensions/GovernorStorage.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/**
 * @title IssuanceGovernor — the Black Gold holders' issuance vote
 * @notice Holders of delegated Black Gold propose and vote on additional issuance (raising the token's cap, or
 *         raising it and granting the new grams to a named recipient) and on the parameters of the system.
 *         Everything passed is executed by the {TimelockController} after its delay; the timelock is the only
 *         holder of the token's cap-raising and role-admin rights.
 *
 * This contract is OpenZeppelin 5.3.0's Governor assembled from its own extensions; it adds no voting logic:
 * - {GovernorSettings}: voting delay, voting period and proposal threshold are constructor parameters and can only
 *   be changed afterwards by a passed proposal (`onlyGovernance`: executed through the timelock).
 * - {GovernorCountingSimple}: for / against / abstain; a proposal succeeds when for > against and
 *   for + abstain reach the quorum.
 * - {GovernorVotes}: voting power is the voter's delegated Black Gold at the proposal's snapshot
 *   (`token.getPastVotes(voter, proposalSnapshot)`), so grams bought or received after the snapshot do not count.
 *   The clock is the token's (timestamp mode): delays and periods are in seconds.
 * - {GovernorVotesQuorumFraction}: quorum is a percentage of the total supply at the snapshot.
 * - {GovernorTimelockControl}: passed proposals are queued in, and executed by, the timelock.
 * - {GovernorPreventLateQuorum}: if the quorum is reached late, the deadline moves to at least
 *   `lateQuorumVoteExtension` seconds after that vote, so a last-minute whale cannot pass a proposal without giving
 *   the other holders time to answer.
 * - {GovernorStorage}: keeps each proposal's actions on chain so holders can queue, execute and cancel by id, and
 *   tools can enumerate proposals (`proposalCount`, `proposalDetailsAt`).
 *
 * The one addition is an execution window: OpenZeppelin's TimelockController never expires an operation, so a passed
 * proposal left queued could otherwise be executed months later, when the holders who passed it have moved on. Here
 * a queued proposal not executed within `executionWindow` seconds after its ETA becomes {ProposalState-Expired}, and
 * {Governor-execute} refuses Expired proposals. The governor is the timelock's only executor, so the stale
 * operation cannot be run around it. The window is a deploy parameter, changed only by a passed proposal.
 */
contract IssuanceGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorStorage,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl,
    GovernorPreventLateQuorum
{
    uint48 private _executionWindow;

    /// @notice Emitted when the execution window changes (at deployment, then only by a passed proposal).
    event ExecutionWindowSet(uint48 oldExecutionWindow, uint48 newExecutionWindow);

    /// @notice An execution window of zero would expire proposals at the very second they become executable.
    error ZeroExecutionWindow();

    /**
     * @param token_ the Black Gold token (ERC20Votes, timestamp clock)
     * @param timelock_ the TimelockController that executes passed proposals; this governor must be its only
     *        proposer and canceller (scripts/deploy.py wires it)
     * @param initialVotingDelay seconds between a proposal and its snapshot / the start of voting
     * @param initialVotingPeriod seconds voting stays open (before any late-quorum extension)
     * @param initialProposalThreshold voting power (grams in wei) needed to make a proposal
     * @param quorumNumerator_ quorum as a percentage (out of 100) of the total supply at the snapshot
     * @param initialLateQuorumExtension seconds voting stays open at least after the vote that reached quorum
     * @param initialExecutionWindow seconds after its ETA during which a queued proposal can be executed
     */
    constructor(
        IVotes token_,
        TimelockController timelock_,
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 initialProposalThreshold,
        uint256 quorumNumerator_,
        uint48 initialLateQuorumExtension,
        uint48 initialExecutionWindow
    )
        Governor("Black Gold IssuanceGovernor")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, initialProposalThreshold)
        GovernorVotes(token_)
        GovernorVotesQuorumFraction(quorumNumerator_)
        GovernorTimelockControl(timelock_)
        GovernorPreventLateQuorum(initialLateQuorumExtension)
    {
        _setExecutionWindow(initialExecutionWindow);
    }

    /// @notice Seconds after its ETA during which a queued proposal can be executed; afterwards it is Expired.
    function executionWindow() public view returns (uint48) {
        return _executionWindow;
    }

    /// @notice Change the execution window. Only by a passed proposal (executed through the timelock).
    function setExecutionWindow(uint48 newExecutionWindow) public onlyGovernance {
        _setExecutionWindow(newExecutionWindow);
    }

    function _setExecutionWindow(uint48 newExecutionWindow) internal {
        if (newExecutionWindow == 0) revert ZeroExecutionWindow();
        emit ExecutionWindowSet(_executionWindow, newExecutionWindow);
        _executionWindow = newExecutionWindow;
    }

    // ---- The overrides below only resolve Solidity's multiple inheritance; each defers to OpenZeppelin. ----

    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    function state(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (ProposalState)
    {
        ProposalState current = super.state(proposalId);
        // A queued proposal whose execution window has passed is Expired: execute() accepts only Succeeded/Queued.
        if (current == ProposalState.Queued && clock() > proposalEta(proposalId) + _executionWindow) {
            return ProposalState.Expired;
        }
        return current;
    }

    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    function proposalDeadline(uint256 proposalId)
        public
        view
        override(Governor, GovernorPreventLateQuorum)
        returns (uint256)
    {
        return super.proposalDeadline(proposalId);
    }

    function _tallyUpdated(uint256 proposalId) internal override(Governor, GovernorPreventLateQuorum) {
        super._tallyUpdated(proposalId);
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override(Governor, GovernorStorage) returns (uint256) {
        return super._propose(targets, values, calldatas, description, proposer);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
