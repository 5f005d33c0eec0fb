"""Secrets stay off every surface; reverts decode to the contracts' custom errors; signers from env or keystore."""

from __future__ import annotations

import json

import pytest
from eth_abi import encode
from eth_account import Account
from eth_hash.auto import keccak

from blackgold.accounts import KeySigner, resolve_signer
from blackgold.errors import BlackGoldError, RevertDecoder
from blackgold.governance import Support
from blackgold.redact import redact_text, redact_url

KEY = "0x" + "42" * 32


@pytest.mark.parametrize(
    "url,hidden",
    [
        ("http://rpcuser:password@host:8545", "password"),
        ("postgresql+psycopg://oracle:s3cret@db:5432/oracle", "s3cret"),
        ("https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"),
        ("https://rpc.example/?apikey=XYZ123&chain=1", "XYZ123"),
        ("http://token@host", "token"),
    ],
)
def test_redact_url(url, hidden):
    masked = redact_url(url)
    assert hidden not in masked and "***" in masked
    assert hidden not in redact_text(f"connection to {url} refused")


def test_redact_keeps_harmless_urls():
    assert redact_url("http://127.0.0.1:8545") == "http://127.0.0.1:8545"
    assert redact_url("https://rpc.example/?chain=1") == "https://rpc.example/?chain=1"


ABI = [
    {
        "type": "error",
        "name": "CapExceeded",
        "inputs": [{"name": "requested", "type": "uint256"}, {"name": "remaining", "type": "uint256"}],
    }
]


def test_revert_decoder():
    decoder = RevertDecoder([ABI])
    data = "0x" + (keccak(b"CapExceeded(uint256,uint256)")[:4] + encode(["uint256", "uint256"], [5, 3])).hex()
    err = decoder.decode_data(data)
    assert (err.name, err.error_args) == ("CapExceeded", (5, 3))
    assert "CapExceeded(5, 3)" in str(err)
    ganache_style = Exception("VM Exception", {"message": "revert", "data": {"0xabc": {"return": data}}})
    assert decoder.decode(ganache_style).name == "CapExceeded"
    assert decoder.decode(Exception("boom")).name == "Revert"
    assert decoder.decode_data("0xdeadbeef").name == "UnknownError"
    text = "0x" + (keccak(b"Error(string)")[:4] + encode(["string"], ["nope"])).hex()
    assert decoder.decode_data(text).error_args == ("nope",)


def test_signers_from_env_and_keystore(tmp_path, monkeypatch):
    monkeypatch.setenv("BG_TEST_KEY", KEY)
    signer = resolve_signer("env:BG_TEST_KEY", None)  # type: ignore[arg-type]
    assert signer.address == Account.from_key(KEY).address
    assert KEY[2:] not in repr(signer)
    path = tmp_path / "key.json"
    path.write_text(json.dumps(Account.encrypt(KEY, "pw", iterations=2)))
    monkeypatch.setenv("BG_ACCOUNT_PASSWORD", "pw")
    assert resolve_signer(str(path), None).address == signer.address  # type: ignore[arg-type]
    monkeypatch.setenv("BG_ACCOUNT_PASSWORD", "wrong")
    with pytest.raises(BlackGoldError, match="wrong password"):
        resolve_signer(str(path), None)  # type: ignore[arg-type]
    with pytest.raises(BlackGoldError, match="not a valid 32-byte hex key"):
        KeySigner.from_key("0x1234")
    with pytest.raises(BlackGoldError, match="--account"):
        resolve_signer("", None)  # type: ignore[arg-type]


def test_support_parse():
    assert [Support.parse(t) for t in ("for", "AGAINST", " abstain ")] == [
        Support.FOR,
        Support.AGAINST,
        Support.ABSTAIN,
    ]
    with pytest.raises(BlackGoldError, match="for, against or abstain"):
        Support.parse("yes")
