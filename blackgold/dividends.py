"""Dividends by Black Gold share (the token's ERC20Dividends extension): deposit, claim, status.

Amounts of a payout asset are in that asset's own units (the test stablecoin has 6 decimals); grams in grams.
A deposit streams to every gram over the distribution period; a holder's claimable amount grows every second
with its share of the supply. Claims go to any recipient (`claim`), to the holder by anyone (`claim_for`), or by
anyone with the holder's EIP-712 signature (`claim_typed_data` + `claim_by_sig`), so a holder without ETH can
claim through a relay.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from web3 import Web3
from web3.types import TxReceipt

from .accounts import Signer
from .contracts import Bound, System
from .errors import BlackGoldError
from .units import format_amount

ERC20_ABI_NAME = "IERC20Metadata"


@dataclass(frozen=True)
class AssetInfo:
    address: ChecksumAddress
    symbol: str
    decimals: int
    retired: bool
    scaled_rate: int  # units x 1e36 per second
    period_end: int
    total_deposited: int
    total_claimed: int

    def units(self, base: int) -> str:
        """Base units as '10,000.5 tUSD'."""
        return f"{format_amount(base, self.decimals)} {self.symbol}"

    def per_day(self) -> int:
        """Units streamed per day at the current rate, rounded to the nearest unit (for display: the scaled rate
        is itself rounded down, so 7,000 over 7 days would otherwise show as 999.999999 a day)."""
        return (self.scaled_rate * 86_400 + 10**36 // 2) // 10**36


def asset(system: System, address: str) -> Bound:
    """An ERC-20 payout asset, with the metadata ABI (symbol, decimals) from the deployment or the build."""
    checksummed = Web3.to_checksum_address(address)
    contract = system.w3.eth.contract(address=checksummed, abi=system.deployment.abi(ERC20_ABI_NAME))
    return Bound(system.w3, contract, system.token.decoder)


def payout_assets(system: System) -> list[ChecksumAddress]:
    return [Web3.to_checksum_address(a) for a in system.token.call("payoutAssets")]


def resolve_asset(system: System, spec: str | None) -> ChecksumAddress:
    """A payout asset by address or symbol ("tUSD"); the only one when `spec` is None."""
    assets = payout_assets(system)
    if not assets:
        raise BlackGoldError("no payout asset is registered yet: governance registers one by proposal")
    if spec is None:
        if len(assets) > 1:
            raise BlackGoldError(f"several payout assets are registered ({describe(system, assets)}): name one")
        return assets[0]
    for address in assets:
        if spec.lower() in (address.lower(), str(asset(system, address).call("symbol")).lower()):
            return address
    raise BlackGoldError(f"{spec!r} is not a payout asset (registered: {describe(system, assets)})")


def describe(system: System, assets: list[ChecksumAddress]) -> str:
    return ", ".join(f"{asset(system, a).call('symbol')} {a}" for a in assets)


def info(system: System, address: ChecksumAddress) -> AssetInfo:
    token, erc20 = system.token, asset(system, address)
    _registered, retired = token.call("payoutAssetStatus", address)
    return AssetInfo(
        address=address,
        symbol=str(erc20.call("symbol")),
        decimals=int(erc20.call("decimals")),
        retired=bool(retired),
        scaled_rate=int(token.call("scaledRewardRate", address)),
        period_end=int(token.call("periodEnd", address)),
        total_deposited=int(token.call("totalDeposited", address)),
        total_claimed=int(token.call("totalClaimed", address)),
    )


def claimable(system: System, holder: str, address: ChecksumAddress) -> int:
    return int(system.token.call("claimable", Web3.to_checksum_address(holder), address))


def deposit(system: System, signer: Signer, address: ChecksumAddress, amount: int) -> TxReceipt:
    """Approve the token for `amount` if needed, then deposit; the stream restarts with the rest rolled in."""
    if amount <= 0:
        raise BlackGoldError("a deposit must be more than 0 (zero deposits would restart the period for nothing)")
    erc20 = asset(system, address)
    balance = int(erc20.call("balanceOf", signer.address))
    if balance < amount:
        raise BlackGoldError(
            f"{signer.address} holds only {balance} base units of {erc20.call('symbol')}, "
            f"less than the deposit of {amount}"
        )
    minimum = int(system.token.call("minimumDeposit", address))
    if amount < minimum:
        raise BlackGoldError(
            f"a deposit now must be at least {minimum} base units: a smaller one would lower the running stream's rate"
        )
    if int(erc20.call("allowance", signer.address, system.token.address)) < amount:
        erc20.transact(signer, "approve", system.token.address, amount)
    return system.token.transact(signer, "deposit", address, amount)


def claim(system: System, signer: Signer, address: ChecksumAddress, recipient: str | None = None) -> TxReceipt:
    """The signer claims what it earned in `address`, paid to `recipient` (default: itself)."""
    to = Web3.to_checksum_address(recipient or signer.address)
    _require_claimable(system, signer.address, address)
    return system.token.transact(signer, "claim", address, to)


def claim_for(system: System, signer: Signer, holder: str, address: ChecksumAddress) -> TxReceipt:
    """Anyone pays `holder` what it earned (the signer pays the gas, the holder gets the asset)."""
    _require_claimable(system, holder, address)
    return system.token.transact(signer, "claimFor", Web3.to_checksum_address(holder), address)


def _require_claimable(system: System, holder: str, address: ChecksumAddress) -> None:
    if claimable(system, holder, address) == 0:
        raise BlackGoldError(f"{holder} has nothing to claim in {asset(system, address).call('symbol')} yet")


def claim_typed_data(
    token: Bound, holder: str, address: ChecksumAddress, recipient: str, deadline: int
) -> dict[str, object]:
    """The EIP-712 message a holder signs so that anyone may submit its claim (`claim_by_sig`).

    The domain is the token's own (ERC-5267 `eip712Domain`); the nonce is the holder's OpenZeppelin nonce on the
    token (shared with permit and delegateBySig), read now.
    """
    _fields, name, version, chain_id, verifying, _salt, _ext = token.call("eip712Domain")
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Claim": [
                {"name": "holder", "type": "address"},
                {"name": "asset", "type": "address"},
                {"name": "recipient", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Claim",
        "domain": {"name": name, "version": version, "chainId": int(chain_id), "verifyingContract": verifying},
        "message": {
            "holder": Web3.to_checksum_address(holder),
            "asset": address,
            "recipient": Web3.to_checksum_address(recipient),
            "nonce": int(token.call("nonces", holder)),
            "deadline": int(deadline),
        },
    }


def claim_by_sig(system: System, submitter: Signer, typed: dict[str, object], signature: bytes) -> TxReceipt:
    """Submit a holder's signed claim (the submitter pays the gas)."""
    sig = HexBytes(signature)
    if len(sig) != 65:
        raise BlackGoldError("a claim signature is 65 bytes (r, s, v)")
    v = sig[64] if sig[64] >= 27 else sig[64] + 27
    m = typed["message"]
    assert isinstance(m, dict)
    return system.token.transact(
        submitter, "claimBySig", m["holder"], m["asset"], m["recipient"], m["deadline"], v, sig[:32], sig[32:64]
    )
