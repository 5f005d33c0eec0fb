"""Relay settings: defaults, then BG_RELAY_* environment variables (highest), then keyword overrides.

Every setting `name` can be set by `BG_RELAY_<NAME>` (upper case). The relay's key (it pays the gas) comes from
    BG_RELAY_PRIVATE_KEY                          hex private key (development and tests), or
    BG_RELAY_KEYSTORE_FILE + BG_RELAY_KEYSTORE_PASSWORD (or BG_RELAY_KEYSTORE_PASSWORD_FILE)
and is held in oracle.config's `SigningKey` (never shown in a repr or a log). The key must be the relay's own:
one writer per account nonce, so never the oracle's key.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config import ConfigError, SigningKey, load_key

ENV_PREFIX = "BG_RELAY_"


@dataclass
class RelaySettings:
    database_url: str = "sqlite:///relay.db"
    rate_limit_per_hour: int = 10  # accepted requests per holder address per rolling hour
    min_deadline_seconds: int = 120  # a deadline/expiry must leave this long after the latest block's time
    confirmations: int = 1
    poll_interval_seconds: float = 0.2
    receipt_timeout_seconds: float = 120.0
    max_priority_fee_gwei: float = 1.0
    max_fee_gwei: float = 500.0
    gas_limit_cap: int = 1_000_000
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    max_body_bytes: int = 4096
    rpc_timeout_seconds: float = 10.0
    keystore_file: str = ""
    keystore_password_file: str = ""
    allow_insecure_key_files: bool = False

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> RelaySettings:
        env = os.environ if env is None else env
        settings = cls()
        for f in dataclasses.fields(cls):
            raw = overrides.get(f.name, env.get(ENV_PREFIX + f.name.upper()))
            if raw is None:
                continue
            setattr(settings, f.name, _coerce(f.name, type(getattr(settings, f.name)), raw))
        unknown = set(overrides) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ConfigError(f"unknown relay settings: {', '.join(sorted(unknown))}")
        if settings.rate_limit_per_hour < 1:
            raise ConfigError("rate_limit_per_hour must be at least 1")
        if settings.confirmations < 1:
            raise ConfigError("confirmations must be at least 1")
        return settings


def _coerce(name: str, kind: type, raw: Any) -> Any:
    try:
        if kind is bool:
            return raw if isinstance(raw, bool) else str(raw).strip().lower() in {"1", "true", "yes", "on"}
        return kind(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"relay setting {name}: invalid value") from None


def configured(env: Mapping[str, str] | None = None) -> bool:
    """True when a relay key is configured (BG_RELAY_PRIVATE_KEY or BG_RELAY_KEYSTORE_FILE)."""
    env = os.environ if env is None else env
    return bool(env.get(ENV_PREFIX + "PRIVATE_KEY", "").strip() or env.get(ENV_PREFIX + "KEYSTORE_FILE", "").strip())


def load_relay_key(settings: RelaySettings, env: Mapping[str, str] | None = None) -> SigningKey:
    """The relay's key from BG_RELAY_PRIVATE_KEY or the keystore; ConfigError when neither is usable."""
    key = load_key(
        ENV_PREFIX, settings.keystore_file, settings.keystore_password_file, settings.allow_insecure_key_files, env
    )
    if key is None:
        raise ConfigError("no relay key: set BG_RELAY_PRIVATE_KEY or BG_RELAY_KEYSTORE_FILE")
    return key
