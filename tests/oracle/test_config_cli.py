"""Configuration (file + environment, the signing key never shown) and the CLI commands that need no chain."""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from oracle.cli import main
from oracle.config import ConfigError, Settings, SigningKey, load_signing_key


def test_file_then_environment(tmp_path):
    cfg = tmp_path / "oracle.toml"
    cfg.write_text(
        '[oracle]\nbatch_size = 7\ncurrencies = ["CNY", "HKD"]\nadmin_token = "s3cret"\nsettlement_seconds = 604800\n'
    )
    s = Settings.load(cfg, env={"ORACLE_BATCH_SIZE": "9", "ORACLE_BATCHER_ENABLED": "false"})
    assert s.batch_size == 9 and s.currencies == ["CNY", "HKD"] and s.settlement_seconds == 604800
    assert s.batcher_enabled is False
    assert s.public_dict()["admin_token"] == "***"
    assert Settings.load(env={"ORACLE_CONFIG": str(cfg), "ORACLE_CURRENCIES": "USD, EUR"}).currencies == ["USD", "EUR"]


@pytest.mark.parametrize(
    "env,message",
    [
        ({"ORACLE_BATCH_SIZE": "lots"}, "batch_size"),
        ({"ORACLE_BATCH_SIZE": "0"}, "batch_size"),
        ({"ORACLE_MAX_AMOUNT": str(2**70)}, "max_amount"),
    ],
)
def test_invalid_settings(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.load(env=env)


def test_no_crash_hook_in_production_settings():
    """Fault injection lives in tests/oracle/crashing_oracle.py, not in Settings."""
    with pytest.raises(ConfigError, match="crash_at"):
        Settings.load(env={}, crash_at="before_send")
    assert not hasattr(Settings.load(env={"ORACLE_CRASH_AT": "before_send"}), "crash_at")


def test_unknown_setting_in_file(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("batch_sise = 3\n")
    with pytest.raises(ConfigError, match="batch_sise"):
        Settings.load(cfg, env={})


def test_signing_key_from_env_and_keystore(tmp_path):
    acct = Account.create()
    key = load_signing_key(Settings.load(env={}), env={"ORACLE_PRIVATE_KEY": acct.key.hex()})
    assert key.address == acct.address
    assert acct.key.hex().removeprefix("0x") not in repr(key) and "***" in str(key)
    keystore = tmp_path / "key.json"
    keystore.write_text(json.dumps(Account.encrypt(acct.key, "pw", iterations=2)))
    keystore.chmod(0o600)  # key files must not be readable by others
    s = Settings.load(env={}, keystore_file=str(keystore))
    assert load_signing_key(s, env={"ORACLE_KEYSTORE_PASSWORD": "pw"}).address == acct.address
    (tmp_path / "pw.txt").write_text("pw\n")
    (tmp_path / "pw.txt").chmod(0o600)
    s2 = Settings.load(env={}, keystore_file=str(keystore), keystore_password_file=str(tmp_path / "pw.txt"))
    assert load_signing_key(s2, env={}).address == acct.address
    with pytest.raises(ConfigError, match="cannot decrypt"):
        load_signing_key(s, env={"ORACLE_KEYSTORE_PASSWORD": "wrong"})
    with pytest.raises(ConfigError):
        load_signing_key(s, env={})
    with pytest.raises(ConfigError, match="not a valid"):
        load_signing_key(Settings.load(env={}), env={"ORACLE_PRIVATE_KEY": "0xnothex"})
    assert load_signing_key(Settings.load(env={}), env={}) is None
    assert isinstance(key, SigningKey)


def test_cli_backends_status_export(tmp_path, monkeypatch, capsys):
    for k in [k for k in __import__("os").environ if k.startswith("ORACLE_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("ORACLE_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("ORACLE_ADMIN_TOKEN", "very-secret")
    addr = Account.create().address
    assert main(["backend", "add", "shop-1", addr, "--note", "main shop"]) == 0
    assert main(["backend", "add", "shop-2", addr.lower()]) == 2  # not checksummed
    assert main(["backend", "disable", "shop-1"]) == 0
    assert main(["backend", "disable", "ghost"]) == 1
    capsys.readouterr()
    assert main(["backend", "list"]) == 0
    out = capsys.readouterr().out
    assert "shop-1" in out and "disabled" in out and "shop-2" not in out
    assert main(["status", "0x" + "00" * 32]) == 1
    assert main(["status"]) == 2
    assert main(["export", "-o", str(tmp_path / "out.csv")]) == 0
    assert (tmp_path / "out.csv").read_text().startswith("ref,backend_id")
    capsys.readouterr()
    assert main(["config"]) == 0
    assert "very-secret" not in capsys.readouterr().out
    monkeypatch.setenv("ORACLE_BATCH_SIZE", "nope")
    assert main(["backend", "list"]) == 2


def test_deployment_file_errors_are_clear(tmp_path, capsys):
    """A missing deployment file, or one with neither an ABI nor a build artifact behind it: one clear error."""
    from oracle.chain import load_abi

    missing = Settings.load(env={}, deployment_file=str(tmp_path / "nowhere.json"))
    with pytest.raises(ConfigError, match="no deployment file at .*nowhere.json: deploy first"):
        missing.resolved_mining_address()
    assert main(["--config", str(_toml(tmp_path, deployment_file=str(tmp_path / "nowhere.json"))), "domain"]) == 2
    assert "configuration error: no deployment file" in capsys.readouterr().err

    mining = Account.create().address
    dep = tmp_path / "dep.json"
    dep.write_text(json.dumps({"chain_id": 1337, "contracts": {"PurchaseMining": mining}}))
    no_abi = Settings.load(env={}, deployment_file=str(dep), build_dir=str(tmp_path / "no-build"))
    assert no_abi.resolved_mining_address() == mining
    with pytest.raises(ConfigError, match="no PurchaseMining ABI"):
        load_abi(no_abi)
    dep.write_text(
        json.dumps(
            {
                "chain_id": 1337,
                "contracts": {"PurchaseMining": mining},
                "abi": {"PurchaseMining": [{"type": "function", "name": "isMined", "inputs": []}]},
            }
        )
    )
    assert load_abi(no_abi)[0]["name"] == "isMined"  # the ABI embedded in the deployment file wins
    # an explicit mining_address makes the file optional
    assert (
        Settings.load(env={}, deployment_file=str(tmp_path / "nowhere.json"), mining_address=mining).deployment()
        is None
    )


def _toml(tmp_path, **values):
    cfg = tmp_path / "o.toml"
    cfg.write_text("".join(f'{k} = "{v}"\n' for k, v in values.items()))
    return cfg
