"""Deploy Black Gold with its issuance vote, wire the roles, renounce the deployer, write the deployment file.

Run: `brownie run scripts/deploy.py --network ganache-cli` (or any configured Brownie network).
     `brownie run scripts/deploy.py main production --network <net>` forces the production parameters on a
     local chain; `... main local` forces the short ones.

What `main()` deploys (see the README's issuance vote section):
1. `BlackGold` with the 1,000,000,000-gram cap; the deployer is its temporary admin.
2. OpenZeppelin `TimelockController` with the timelock delay; the deployer is its temporary admin.
3. `IssuanceGovernor` over the token and the timelock, with the governance parameters (GovernanceSettings).
4. Wiring: the timelock gets the token's DEFAULT_ADMIN_ROLE and CAP_RAISER_ROLE; the governor gets the timelock's
   PROPOSER_ROLE, CANCELLER_ROLE and EXECUTOR_ROLE (execution goes through `governor.execute`, which anyone may
   call once the timelock delay has passed, so the executor role is not opened to everyone).
5. `PurchaseMining` (`deploy_mining` below) with the mining parameters (blackgold.params.MiningSettings): it gets the token's
   MINTER_ROLE; the oracle addresses given get its ORACLE_ROLE; then its DEFAULT_ADMIN_ROLE and PAUSER_ROLE go to
   the timelock. The deployer administers it only for these few transactions.
6. The deployer renounces every role it holds on the token, the timelock and PurchaseMining, and the script checks
   that none is left: from then on only a passed proposal can raise the cap, grant or revoke roles (oracles
   included), or change a parameter.

Oracles: `brownie run scripts/deploy.py main production 0xOracleAddress --network <net>`. On local chains the
default oracle is `accounts[LOCAL_ORACLE_INDEX]` (a Ganache account whose key the demo hands to the oracle).

The deployment file (`deployments/<network>.json`, or `deployments/local/<network>.json` for local
development chains, which are git-ignored) is the one source of truth for addresses: scripts and the
oracle read it instead of pasting addresses by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brownie import accounts, network

from blackgold.deployment import FORMAT, artifact_abi, default_path, is_local_network, write_record
from blackgold.params import (  # noqa: F401 - re-exported for tests and bench
    DAY,
    DEFAULT_CAP_GRAMS,
    LOCAL_DEV_ALLOCATION_GRAMS,
    LOCAL_ORACLE_INDEX,
    LOCAL_SETTINGS,
    PRODUCTION_SETTINGS,
    SETTINGS_PROFILES,
    GovernanceSettings,
    MiningSettings,
)
from blackgold.units import GRAM


@dataclass
class System:
    """The deployed, wired contracts."""

    token: Any
    timelock: Any
    governor: Any
    settings: GovernanceSettings
    extra: dict[str, Any] = field(default_factory=dict)

    def contract_addresses(self) -> dict[str, str]:
        out = {
            "BlackGold": self.token.address,
            "TimelockController": self.timelock.address,
            "IssuanceGovernor": self.governor.address,
        }
        out.update({name: c.address for name, c in self.extra.items()})
        return out


class WiringError(RuntimeError):
    """The wiring did not end in the expected state (e.g. the deployer kept a role)."""


def deployment_path(network_name: str | None = None) -> Path:
    """Where the deployment file for `network_name` (default: the active network) lives."""
    return default_path(network_name or network.show_active())


def contract_container(name: str) -> Any:
    """The project's contract container (resolved at call time so this module imports without a project)."""
    import brownie
    from brownie import project

    if hasattr(brownie, name):
        return getattr(brownie, name)
    for loaded in project.get_loaded_projects():
        if hasattr(loaded, name):
            return getattr(loaded, name)
    raise WiringError(f"contract {name} is not loaded: run from the project (`brownie run`/`brownie test`)")


def deploy_token(deployer: Any, cap_grams: int = DEFAULT_CAP_GRAMS) -> Any:
    """Deploy BlackGold with a cap of `cap_grams` whole grams; the deployer is the initial admin."""
    return contract_container("BlackGold").deploy(cap_grams * GRAM, deployer, {"from": deployer})


def deploy_system(
    deployer: Any,
    governance_settings: GovernanceSettings | None = None,
    extra_minters: Iterable[Any] = (),
    before_renounce: Callable[[Any, Any], Mapping[str, Any] | None] | None = None,
    *,
    cap_grams: int = DEFAULT_CAP_GRAMS,
    initial_allocation: Mapping[Any, int] | None = None,
) -> System:
    """Deploy token + TimelockController + IssuanceGovernor, wire them and renounce every deployer privilege.

    - `governance_settings`: defaults to PRODUCTION_SETTINGS.
    - `extra_minters`: addresses (or accounts/contracts) that get the token's MINTER_ROLE.
    - `initial_allocation`: {address: whole grams} minted at deployment (local development only; the deployer
      holds MINTER_ROLE just for this and renounces it).
    - `before_renounce(token, timelock)`: runs while the deployer still administers the token and the timelock
      (e.g. deploy PurchaseMining and grant it MINTER_ROLE). If it returns a mapping {name: contract}, those
      contracts are added to `System.extra` and to the deployment file.

    Afterwards the deployer holds no role on the token or the timelock (checked; WiringError otherwise).
    """
    settings = governance_settings or PRODUCTION_SETTINGS
    tx = {"from": deployer}
    token = deploy_token(deployer, cap_grams)
    timelock = contract_container("TimelockController").deploy(settings.timelock_delay, [], [], deployer, tx)
    governor = contract_container("IssuanceGovernor").deploy(
        token,
        timelock,
        settings.voting_delay,
        settings.voting_period,
        settings.proposal_threshold_grams * GRAM,
        settings.quorum_percent,
        settings.late_quorum_extension,
        settings.execution_window,
        tx,
    )

    # The timelock (the holders' vote) administers the token and is its only cap raiser.
    token.grantRole(token.DEFAULT_ADMIN_ROLE(), timelock, tx)
    token.grantRole(token.CAP_RAISER_ROLE(), timelock, tx)
    token.grantRole(token.DIVIDENDS_ADMIN_ROLE(), timelock, tx)
    # Only the governor may schedule, cancel and execute timelock operations.
    for role in (timelock.PROPOSER_ROLE(), timelock.CANCELLER_ROLE(), timelock.EXECUTOR_ROLE()):
        timelock.grantRole(role, governor, tx)

    _grant_minters(token, deployer, extra_minters, initial_allocation)

    extra: dict[str, Any] = {}
    if before_renounce is not None:
        returned = before_renounce(token, timelock)
        if returned:
            extra.update(returned)

    renounce_deployer(deployer, token, timelock)
    return System(token=token, timelock=timelock, governor=governor, settings=settings, extra=extra)


def _grant_minters(token: Any, deployer: Any, minters: Iterable[Any], allocation: Mapping[Any, int] | None) -> None:
    """MINTER_ROLE to `minters`; on local chains mint the dev allocation ({address: whole grams}) first."""
    tx = {"from": deployer}
    minter_role = token.MINTER_ROLE()
    for minter in minters:
        token.grantRole(minter_role, minter, tx)
    if allocation:
        token.grantRole(minter_role, deployer, tx)
        for holder, grams in allocation.items():
            token.mint(holder, int(grams) * GRAM, tx)


def renounce_deployer(deployer: Any, token: Any, timelock: Any) -> None:
    """Renounce every role the deployer holds on the token and the timelock, then check none is left."""
    tx = {"from": deployer}
    token_roles = [
        token.MINTER_ROLE(),
        token.CAP_RAISER_ROLE(),
        token.DIVIDENDS_ADMIN_ROLE(),
        token.DEFAULT_ADMIN_ROLE(),
    ]  # admin last
    timelock_roles = [
        timelock.PROPOSER_ROLE(),
        timelock.CANCELLER_ROLE(),
        timelock.EXECUTOR_ROLE(),
        timelock.DEFAULT_ADMIN_ROLE(),
    ]
    for contract, roles in ((token, token_roles), (timelock, timelock_roles)):
        for role in roles:
            if contract.hasRole(role, deployer):
                contract.renounceRole(role, deployer, tx)
    left = [
        (contract, role)
        for contract, roles in ((token, token_roles), (timelock, timelock_roles))
        for role in roles
        if contract.hasRole(role, deployer)
    ]
    if left:
        raise WiringError(f"deployer {deployer} still holds roles: {left}")
    # The timelock must be the sole administrator of the token.
    roles = (token.DEFAULT_ADMIN_ROLE(), token.CAP_RAISER_ROLE(), token.DIVIDENDS_ADMIN_ROLE())
    if not all(token.hasRole(role, timelock) for role in roles):
        raise WiringError("the timelock does not hold the token's admin, cap-raiser and dividends-admin roles")


def mining_hook(
    deployer: Any, oracles: Iterable[Any] = (), settings: Any = None
) -> Callable[[Any, Any], Mapping[str, Any]]:
    """A `before_renounce` hook for `deploy_system` that deploys and wires PurchaseMining.

    The deployer is PurchaseMining's administrator only while it grants the oracle roles; then the timelock
    receives DEFAULT_ADMIN_ROLE and PAUSER_ROLE and the deployer renounces both (checked).
    """

    def hook(token: Any, timelock: Any) -> Mapping[str, Any]:
        tx = {"from": deployer}
        mining = deploy_mining(token, deployer, deployer, settings)
        wire_mining(token, mining, deployer)
        for oracle in oracles:
            add_oracle(mining, oracle, deployer)
        admin, pauser = mining.DEFAULT_ADMIN_ROLE(), mining.PAUSER_ROLE()
        mining.grantRole(admin, timelock, tx)
        mining.grantRole(pauser, timelock, tx)
        mining.renounceRole(pauser, deployer, tx)
        mining.renounceRole(admin, deployer, tx)
        if mining.hasRole(admin, deployer) or mining.hasRole(pauser, deployer) or not mining.hasRole(admin, timelock):
            raise WiringError("PurchaseMining's admin roles were not handed to the timelock")
        return {"PurchaseMining": mining}

    return hook


def stablecoin_hook(deployer: Any) -> Callable[[Any, Any], Mapping[str, Any]]:
    """Local chains only: deploy Test USD (6 decimals, mintable by anyone) and register it as a payout asset.

    Runs while the deployer still holds the token's DIVIDENDS_ADMIN_ROLE; on real networks a proposal of the
    holders registers a real stablecoin instead.
    """

    def hook(token: Any, timelock: Any) -> Mapping[str, Any]:
        coin = contract_container("TestStablecoin").deploy({"from": deployer})
        token.registerPayoutAsset(coin, {"from": deployer})
        return {"TestStablecoin": coin}

    return hook


def chain_hooks(*hooks: Callable[[Any, Any], Mapping[str, Any] | None]) -> Callable[[Any, Any], Mapping[str, Any]]:
    """Several `before_renounce` hooks run in order; their contracts are merged."""

    def hook(token: Any, timelock: Any) -> Mapping[str, Any]:
        merged: dict[str, Any] = {}
        for each in hooks:
            merged.update(each(token, timelock) or {})
        return merged

    return hook


def deployment_record(system: System, deployer: Any, oracles: Iterable[Any] = ()) -> dict[str, Any]:
    """The deployment file's content for `system`, read back from the chain."""
    gov = system.governor
    contracts = {"BlackGold": system.token, "TimelockController": system.timelock, "IssuanceGovernor": gov}
    contracts.update(system.extra)
    return {
        "format": FORMAT,
        "abi": {**{name: c.abi for name, c in contracts.items()}, "IERC20Metadata": artifact_abi("IERC20Metadata")},
        "network": network.show_active(),
        "chain_id": network.chain.id,
        "deployer": str(deployer),
        "deployed_at_block": system.governor.tx.block_number if system.governor.tx else None,
        "contracts": system.contract_addresses(),
        "governance": {
            "voting_delay": gov.votingDelay(),
            "voting_period": gov.votingPeriod(),
            "proposal_threshold_grams": gov.proposalThreshold() // GRAM,
            "quorum_percent": gov.quorumNumerator() * 100 // gov.quorumDenominator(),
            "late_quorum_extension": gov.lateQuorumVoteExtension(),
            "timelock_delay": system.timelock.getMinDelay(),
            "execution_window": gov.executionWindow(),
            "clock_mode": system.token.CLOCK_MODE(),
            "executor": "IssuanceGovernor",
        },
        "token": {"cap_grams": system.token.cap() // GRAM},
        "mining": mining_record(system.extra.get("PurchaseMining")),
        "blocks": {name: c.tx.block_number for name, c in system.extra.items() if getattr(c, "tx", None)},
        "oracles": [str(o) for o in oracles],
    }


def mining_record(mining: Any) -> dict[str, Any]:
    """PurchaseMining's parameters as deployed (empty when the system has no PurchaseMining)."""
    if mining is None:
        return {}
    consumer, referrer, supplier, platform_bps = mining.split()
    return {
        "base_rate": mining.baseRate(),
        "allocation": str(mining.allocation()),
        "platform": mining.platform(),
        "split_bps": [consumer, referrer, supplier, platform_bps],
        "max_referrer_bps": mining.maxReferrerBps(),
        "daily_ceiling": str(mining.dailyCeiling()),
    }


def deploy_and_record(
    deployer: Any,
    governance_settings: GovernanceSettings | None = None,
    path: Path | None = None,
    oracles: Iterable[Any] = (),
    **kwargs: Any,
) -> tuple[System, Path]:
    """`deploy_system` + write the deployment file (default location for the active network).

    `oracles` are only recorded in the file; pass `before_renounce=mining_hook(deployer, oracles)` to grant them.
    """
    system = deploy_system(deployer, governance_settings, **kwargs)
    written = write_record(deployment_record(system, deployer, oracles), path or deployment_path())
    return system, written


def main(profile: str | None = None, oracle: str | None = None, cap_grams: int = DEFAULT_CAP_GRAMS) -> Any:
    """Deploy the whole system on the active network; returns the System (token, timelock, governor, mining).

    `profile`: "production" or "local"; default "local" on local development chains, "production" elsewhere.
    `oracle`: the address that gets PurchaseMining's ORACLE_ROLE; default accounts[LOCAL_ORACLE_INDEX] on local
    chains, none elsewhere (then only a proposal can add one).
    """
    name = network.show_active()
    local = is_local_network(name)
    profile = profile or ("local" if local else "production")
    if profile not in SETTINGS_PROFILES:
        raise SystemExit(f"unknown settings profile {profile!r}: use one of {', '.join(SETTINGS_PROFILES)}")
    deployer = accounts[0]
    allocation = None
    if local:
        allocation = {accounts[i + 1]: g for i, g in enumerate(LOCAL_DEV_ALLOCATION_GRAMS) if i + 1 < len(accounts)}
    oracles = [oracle] if oracle else ([accounts[LOCAL_ORACLE_INDEX]] if local else [])
    system, path = deploy_and_record(
        deployer,
        SETTINGS_PROFILES[profile],
        oracles=oracles,
        cap_grams=cap_grams,
        initial_allocation=allocation,
        before_renounce=chain_hooks(mining_hook(deployer, oracles), *([stablecoin_hook(deployer)] if local else [])),
    )
    print(f"BlackGold deployed at {system.token.address}")
    print(f"TimelockController deployed at {system.timelock.address}")
    print(f"IssuanceGovernor deployed at {system.governor.address} ({profile} parameters)")
    print(
        f"PurchaseMining deployed at {system.extra['PurchaseMining'].address}; oracles: {[str(o) for o in oracles] or 'none'}"
    )
    if "TestStablecoin" in system.extra:
        print(f"TestStablecoin (tUSD, local only) deployed at {system.extra['TestStablecoin'].address}, a payout asset")
    print(f"deployment file: {path}")
    return system


# ---------------------------------------------------------------------------------------------------------------
# PurchaseMining: deploy, wire to the token, add oracles
# ---------------------------------------------------------------------------------------------------------------
# Two steps, deliberately separate: `deploy_mining` deploys with `governance` as DEFAULT_ADMIN_ROLE and PAUSER_ROLE
# (the timelock in production, a plain account in tests; the deployer gets no role); `wire_mining` grants the
# token's MINTER_ROLE from an account that still administers the token. Oracles are added by governance.


def deploy_mining(token: Any, governance: Any, deployer: Any, settings: MiningSettings | None = None) -> Any:
    """Deploy PurchaseMining for `token`, administered by `governance`, paid for by `deployer`."""
    s = settings or MiningSettings()
    s.validate()
    return contract_container("PurchaseMining").deploy(
        *s.constructor_args(token, governance, deployer), {"from": deployer}
    )


def wire_mining(token: Any, mining: Any, admin: Any) -> Any:
    """Grant the token's MINTER_ROLE to `mining`, from `admin` (a holder of the token's DEFAULT_ADMIN_ROLE)."""
    return token.grantRole(token.MINTER_ROLE(), mining, {"from": admin})


def add_oracle(mining: Any, oracle: Any, governance: Any) -> Any:
    """Let `oracle` submit purchases (governance only; in production a timelock proposal does this)."""
    return mining.grantRole(mining.ORACLE_ROLE(), oracle, {"from": governance})
