"""Oracle settings: defaults, then a TOML file, then ORACLE_* environment variables (highest).

The file is given by `--config PATH` or ORACLE_CONFIG. Every setting `name` can be overridden by the
environment variable `ORACLE_<NAME>` (upper case); lists are comma separated, booleans 1/0/true/false.

The oracle's signing key comes from (first match wins):
    ORACLE_PRIVATE_KEY                     hex private key (for development and tests)
    keystore_file (ORACLE_KEYSTORE_FILE)   an encrypted Ethereum keystore JSON, with its password in
                                           ORACLE_KEYSTORE_PASSWORD or in keystore_password_file.
The key is held in a `SigningKey` whose repr never shows it and is never logged.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blackgold.deployment import Deployment, default_path
from blackgold.errors import BlackGoldError, DeploymentError
from blackgold.paths import BUILD_DIR
from blackgold.redact import MASK, redact_url

ENV_PREFIX = "ORACLE_"
SECRET_FIELDS = {"admin_token"}
URL_FIELDS = {"database_url", "rpc_url"}
MAX_SQL_BIGINT = 2**63 - 1


class ConfigError(BlackGoldError, ValueError):
    """A setting is missing or invalid (or the deployment file it points to)."""


@dataclass
class Settings:
    # --- storage
    database_url: str = "sqlite:///oracle.db"
    # --- chain
    rpc_url: str = "http://127.0.0.1:8545"
    network: str = "ganache-cli"
    deployment_file: str = ""  # default: blackgold.deployment.default_path(network)
    build_dir: str = str(BUILD_DIR)  # ABI fallback for deployment files without embedded ABIs
    mining_address: str = ""  # default: contracts.PurchaseMining in the deployment file
    chain_id: int = 0  # default: chain_id in the deployment file, else asked from the RPC
    rpc_timeout_seconds: float = 10.0
    # --- signing key (never logged)
    keystore_file: str = ""
    keystore_password_file: str = ""
    allow_insecure_key_files: bool = False  # accept key/password files readable by group or others
    # --- HTTP
    host: str = "127.0.0.1"
    port: int = 8080
    admin_token: str = ""
    max_body_bytes: int = 4096
    # --- verification
    currencies: list[str] = field(default_factory=lambda: ["CNY"])
    max_amount: int = 10**12  # minor units, exclusive upper bound ("under the maximum")
    max_age_seconds: int = 30 * 24 * 3600  # paid-at not older than this
    clock_skew_seconds: int = 60  # paid-at may be this far in the future (clock drift)
    settlement_seconds: int = 0  # mintable only this long after paid-at (e.g. 7 days in production)
    max_referrer_bps: int = -1  # -1: read the bound from PurchaseMining (cached); otherwise this value
    backend_cache_seconds: float = 2.0
    # --- batcher
    batcher_enabled: bool = True
    batch_size: int = 50
    batch_wait_seconds: float = 1.0
    max_inflight: int = 4  # batches of one key sent and not yet mined (1: one at a time); mined ones wait apart
    replace_after_seconds: float = 60.0  # a transaction pending this long is replaced with fees bumped by 12.5%
    poll_interval_seconds: float = 0.2
    confirmations: int = 0  # 0: the network's default (oracle.finality: 1 only on local dev chains)
    receipt_timeout_seconds: float = 120.0
    gas_limit_cap: int = 25_000_000
    max_priority_fee_gwei: float = 1.0
    max_fee_gwei: float = 500.0
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    ceiling_wait_seconds: float = 60.0
    from_block: int = -1  # where to look for PurchaseMined logs; -1: deployment file's block or 0
    lease_seconds: float = 15.0  # the batcher lease of a key: a standby takes over this long after the holder dies
    verify_interval_seconds: float = 5.0  # the finality verifier's pass over recent mints
    verify_window_blocks: int = 256  # mints within this many blocks of the head are re-checked
    finality_lag_seconds: float = 300.0  # /health degraded when the verifier has not completed a pass for this long
    health_backlog_seconds: float = 600.0  # /health degraded when a due purchase waited longer
    log_window_blocks: int = 2000  # the widest eth_getLogs range asked (providers cap it)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(
        cls, path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None, **overrides: Any
    ) -> Settings:
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        path = path or env.get(ENV_PREFIX + "CONFIG")
        if path:
            p = Path(path)
            if not p.exists():
                raise ConfigError(f"config file {p} does not exist")
            data = tomllib.loads(p.read_text())
            data = data.get("oracle", data)
            values.update(data)
        names = {f.name: f for f in dataclasses.fields(cls)}
        for name in names:
            key = ENV_PREFIX + name.upper()
            if key in env:
                values[name] = env[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - set(names)
        if unknown:
            raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
        settings = cls()
        for name, raw in values.items():
            setattr(settings, name, _coerce(name, names[name], raw))
        settings.validate()
        return settings

    def validate(self) -> None:
        if not 0 < self.max_amount <= MAX_SQL_BIGINT:
            raise ConfigError(f"max_amount must be in 1..{MAX_SQL_BIGINT}")
        if self.batch_size < 1:
            raise ConfigError("batch_size must be at least 1")
        if self.max_inflight < 1:
            raise ConfigError("max_inflight must be at least 1 (batches of one key in flight)")
        if self.replace_after_seconds <= 0:
            raise ConfigError("replace_after_seconds must be above 0")
        if self.confirmations < 0:
            raise ConfigError("confirmations must be 0 (the network's default) or at least 1 (the receipt's block)")
        if not self.currencies:
            raise ConfigError("currencies must not be empty")
        if self.log_window_blocks < 1:
            raise ConfigError("log_window_blocks must be at least 1")
        if self.max_referrer_bps > 10_000:
            raise ConfigError("max_referrer_bps must be at most 10000")

    def public_dict(self) -> dict[str, Any]:
        """Settings with secrets masked (tokens; passwords and API keys in URLs), for `config` and logs."""
        out = dataclasses.asdict(self)
        for name in SECRET_FIELDS:
            if out.get(name):
                out[name] = MASK
        for name in URL_FIELDS:
            out[name] = redact_url(out[name])
        return out

    # ------------------------------------------------------------------ deployment
    def deployment_path(self) -> Path:
        return Path(self.deployment_file) if self.deployment_file else default_path(self.network)

    def deployment(self) -> Deployment | None:
        """The deployment file, read with blackgold's `Deployment.load`. It is required (ConfigError saying how to
        fix it when missing or broken) unless `mining_address` is set; then it is read only if it exists."""
        path = self.deployment_path()
        if self.mining_address and not path.exists():
            return None
        try:
            return Deployment.load(path)
        except DeploymentError as exc:
            raise ConfigError(f"{exc} (or set mining_address and chain_id)") from None

    def resolved_mining_address(self) -> str:
        if self.mining_address:
            return self.mining_address
        deployment = self.deployment()
        assert deployment is not None  # required when mining_address is unset
        try:
            return deployment.address("PurchaseMining")
        except DeploymentError as exc:
            raise ConfigError(
                f"no PurchaseMining address: set mining_address (ORACLE_MINING_ADDRESS) or deploy ({exc})"
            ) from None


def _coerce(name: str, f: dataclasses.Field[Any], raw: Any) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    try:
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if kind == "int":
            if isinstance(raw, bool):
                raise ValueError(raw)
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind.startswith("list"):
            if isinstance(raw, str):
                return [x.strip() for x in raw.split(",") if x.strip()]
            return [str(x) for x in raw]
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name}: invalid value") from exc


class SigningKey:
    """The oracle's private key. Its repr/str never reveal it."""

    __slots__ = ("_key", "address")

    def __init__(self, key: bytes) -> None:
        from eth_account import Account

        self._key = bytes(key)
        self.address: str = Account.from_key(self._key).address

    @property
    def key(self) -> bytes:
        return self._key

    def __repr__(self) -> str:
        return f"SigningKey(address={self.address}, key=***)"

    __str__ = __repr__


def load_signing_key(settings: Settings, env: Mapping[str, str] | None = None) -> SigningKey | None:
    """The oracle's key from ORACLE_PRIVATE_KEY or the keystore file; None if neither is configured."""
    return load_key(
        ENV_PREFIX, settings.keystore_file, settings.keystore_password_file, settings.allow_insecure_key_files, env
    )


def load_key(
    prefix: str,
    keystore_file: str,
    password_file: str,
    allow_insecure: bool,
    env: Mapping[str, str] | None = None,
) -> SigningKey | None:
    """A service's signing key: `<prefix>PRIVATE_KEY` (hex), else the keystore with its password from
    `<prefix>KEYSTORE_PASSWORD` or `password_file`; None if neither is configured. Shared by the oracle and the
    relay, each with its own prefix (their keys must differ). Key files readable by others are refused."""
    env = os.environ if env is None else env
    raw = env.get(prefix + "PRIVATE_KEY", "").strip()
    if raw:
        try:
            return SigningKey(bytes.fromhex(raw.removeprefix("0x")))
        except ValueError:
            raise ConfigError(f"{prefix}PRIVATE_KEY is not a valid hex private key") from None
    if not keystore_file:
        return None
    from eth_account import Account

    _private_file(keystore_file, allow_insecure)
    password = env.get(prefix + "KEYSTORE_PASSWORD")
    if password is None and password_file:
        _private_file(password_file, allow_insecure)
        password = Path(password_file).read_text().rstrip("\n")
    if password is None:
        raise ConfigError(f"a keystore file is set but no {prefix}KEYSTORE_PASSWORD / keystore_password_file")
    try:
        return SigningKey(Account.decrypt(json.loads(Path(keystore_file).read_text()), password))
    except (OSError, ValueError):
        raise ConfigError(f"cannot decrypt keystore {keystore_file}") from None


def _private_file(path: str, allow_insecure: bool) -> None:
    """Refuse a key or password file that group or others may read (unless explicitly allowed)."""
    try:
        mode = Path(path).stat().st_mode
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    if mode & 0o077 and not allow_insecure:
        raise ConfigError(
            f"{path} is readable by group or others (mode {mode & 0o777:o}): run `chmod 600 {path}`, "
            "or set allow_insecure_key_files (ORACLE_ALLOW_INSECURE_KEY_FILES=1) to accept it"
        )
