"""EIP-712 signatures for the dividends tests (claimBySig, ERC-2612 permit), made with eth-account."""

from __future__ import annotations

from eth_account import Account

CLAIM_TYPES = {
    "Claim": [
        {"name": "holder", "type": "address"},
        {"name": "asset", "type": "address"},
        {"name": "recipient", "type": "address"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}
PERMIT_TYPES = {
    "Permit": [
        {"name": "owner", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}


def domain_of(contract, chain_id: int | None = None, verifying_contract: str | None = None) -> dict:
    """The contract's own EIP-712 domain (ERC-5267 eip712Domain), optionally with a forged chain id or address."""
    _, name, version, cid, verifying, _, _ = contract.eip712Domain()
    return {
        "name": name,
        "version": version,
        "chainId": chain_id if chain_id is not None else cid,
        "verifyingContract": verifying_contract or verifying,
    }


def sign(private_key: str, domain: dict, types: dict, message: dict) -> tuple[int, bytes, bytes]:
    signed = Account.sign_typed_data(private_key, domain, types, message)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def sign_claim(private_key, token, holder, asset, recipient, nonce, deadline, **domain_overrides):
    message = {
        "holder": str(holder),
        "asset": str(asset),
        "recipient": str(recipient),
        "nonce": nonce,
        "deadline": deadline,
    }
    return sign(private_key, domain_of(token, **domain_overrides), CLAIM_TYPES, message)


def sign_permit(private_key, coin, owner, spender, value, nonce, deadline):
    message = {"owner": str(owner), "spender": str(spender), "value": value, "nonce": nonce, "deadline": deadline}
    return sign(private_key, domain_of(coin), PERMIT_TYPES, message)
