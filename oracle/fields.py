"""Field parsers of the verifier: each reads one JSON field, appends a FieldError naming it when it is wrong, and
returns the parsed value (or None). Pure functions; oracle.verification composes them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .receipts import HEX_ADDRESS_RE, ZERO_ADDRESS, to_checksum

JsonObject = dict[str, Any]

BACKEND_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SIGNATURE_RE = re.compile(r"^0x[0-9a-fA-F]{130}$")
BYTES32_RE = re.compile(r"^0x[0-9a-f]{64}$")
MAX_ORDER_ID = 128
MAX_REASON = 256
MAX_BPS = 10_000
#: Unicode categories refused in every text field: format characters (zero-width, bidi overrides and isolates,
#: BOM), line and paragraph separators, private use. They make one order id look like another.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Zl", "Zp", "Co"})
UINT64_MAX = 2**64 - 1


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


def check_unknown(obj: JsonObject, allowed: frozenset[str] | set[str], prefix: str, errors: list[FieldError]) -> None:
    for key in obj:
        if key not in allowed:
            name = f"{prefix}.{key}" if prefix else str(key)
            errors.append(FieldError(printable(name), "unknown_field", "unknown field"))


def printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")[:80]


def parse_string(
    obj: JsonObject,
    key: str,
    prefix: str,
    errors: list[FieldError],
    *,
    max_len: int,
    pattern: re.Pattern[str] | None = None,
    allow_empty: bool = False,
) -> str | None:
    name = f"{prefix}.{key}"
    if key not in obj or obj[key] is None:
        errors.append(FieldError(name, "missing", f"{key} is required"))
        return None
    value = obj[key]
    if not isinstance(value, str):
        errors.append(FieldError(name, "wrong_type", f"{key} must be a string"))
        return None
    if not value and not allow_empty:
        errors.append(FieldError(name, "empty", f"{key} must not be empty"))
        return None
    if len(value) > max_len:
        errors.append(FieldError(name, "too_long", f"{key} must be at most {max_len} characters"))
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        errors.append(FieldError(name, "invalid_characters", f"{key} is not valid UTF-8 text"))
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        errors.append(FieldError(name, "invalid_characters", f"{key} must not contain control characters"))
        return None
    if any(unicodedata.category(c) in INVISIBLE_CATEGORIES for c in value):
        errors.append(
            FieldError(
                name,
                "invalid_characters",
                f"{key} must not contain invisible format, bidirectional-override or line-separator characters",
            )
        )
        return None
    if pattern is not None and not pattern.match(value):
        errors.append(FieldError(name, "invalid_characters", f"{key} has an invalid format"))
        return None
    return value


def parse_address(
    obj: JsonObject, key: str, prefix: str, errors: list[FieldError], optional: bool = False
) -> str | None:
    name = f"{prefix}.{key}"
    value = obj.get(key)
    if value is None:
        if optional:
            return ZERO_ADDRESS
        errors.append(FieldError(name, "missing", f"{key} is required"))
        return None
    if not isinstance(value, str) or not HEX_ADDRESS_RE.match(value):
        errors.append(FieldError(name, "invalid_address", f"{key} must be a 0x-prefixed 20-byte hex address"))
        return None
    if value == ZERO_ADDRESS:
        if optional:
            return ZERO_ADDRESS
        errors.append(FieldError(name, "zero_address", f"{key} must not be the zero address"))
        return None
    if to_checksum(value) != value:
        errors.append(FieldError(name, "address_not_checksummed", f"{key} must be an EIP-55 checksummed address"))
        return None
    return value


def parse_uint(
    obj: JsonObject,
    key: str,
    prefix: str,
    errors: list[FieldError],
    *,
    optional: bool = False,
    maximum: int = 2**256 - 1,
    decimal_string: bool = False,
) -> int | None:
    name = f"{prefix}.{key}"
    value = obj.get(key)
    if value is None:
        if optional:
            return 0
        errors.append(FieldError(name, "missing", f"{key} is required"))
        return None
    if isinstance(value, bool):
        errors.append(FieldError(name, "wrong_type", f"{key} must be an integer"))
        return None
    if isinstance(value, str) and decimal_string:  # for JavaScript clients and big values
        if not value.isascii() or not value.isdigit() or len(value) > 78:
            errors.append(FieldError(name, "wrong_type", f"{key} must be an integer or a decimal string"))
            return None
        value = int(value)
    if not isinstance(value, int):
        errors.append(FieldError(name, "wrong_type", f"{key} must be an integer"))
        return None
    if value < 0:
        if key == "amount":
            errors.append(FieldError(name, "amount_not_positive", "amount must be greater than 0"))
        else:
            errors.append(FieldError(name, "wrong_type", f"{key} must not be negative"))
        return None
    if value > maximum:
        if key == "referrerBps":
            errors.append(FieldError(name, "referrer_bps_too_large", f"referrerBps must be at most {MAX_BPS}"))
        elif key == "amount":
            errors.append(FieldError(name, "amount_too_large", "amount is too large"))
        else:
            errors.append(FieldError(name, "wrong_type", f"{key} is out of range"))
        return None
    return value
