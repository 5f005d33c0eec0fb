"""Public-key recovery with libsecp256k1 (the copy inside coincurve) called while holding the GIL.

coincurve calls libsecp256k1 through cffi, which releases the GIL around every C call. The accept path runs on the
event loop while the store's writer thread (oracle.group_commit) also wants the GIL: each release lets the writer
in, and the loop then waits until it gives the GIL back. Profiled on POST /purchases at 32 connections, the two
calls of a recovery (parse, recover: ~50 us of work) took several hundred microseconds of the loop's time. A
`ctypes.PyDLL` call keeps the GIL, so the ~50 us are just spent. When the library cannot be loaded that way, the
recovery goes through coincurve as before (same results: the tests check both against eth-keys).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

import coincurve

_CONTEXT_VERIFY = 0x0101  # SECP256K1_CONTEXT_VERIFY: accepted by every libsecp256k1 version
_EC_UNCOMPRESSED = 0x0002  # SECP256K1_EC_UNCOMPRESSED


def _coincurve(signature: bytes, recovery_id: int, digest: bytes) -> bytes:
    public = coincurve.PublicKey.from_signature_and_message(signature + bytes([recovery_id]), digest, hasher=None)
    return bytes(public.format(compressed=False))


def _load() -> Callable[[bytes, int, bytes], bytes] | None:
    try:
        from coincurve import _libsecp256k1  # type: ignore[attr-defined]

        lib = ctypes.PyDLL(_libsecp256k1.__file__)
        create, parse = lib.secp256k1_context_create, lib.secp256k1_ecdsa_recoverable_signature_parse_compact
        recover, serialize = lib.secp256k1_ecdsa_recover, lib.secp256k1_ec_pubkey_serialize
    except (ImportError, OSError, AttributeError):  # pragma: no cover - another coincurve build
        return None
    create.restype, create.argtypes = ctypes.c_void_p, [ctypes.c_uint]
    parse.restype, parse.argtypes = ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
    recover.restype, recover.argtypes = ctypes.c_int, [ctypes.c_void_p] + [ctypes.c_char_p] * 3
    serialize.restype = ctypes.c_int
    serialize.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_size_t),
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    context = create(_CONTEXT_VERIFY)  # lives as long as the process
    if not context:  # pragma: no cover
        return None

    def recover_public_key(signature: bytes, recovery_id: int, digest: bytes) -> bytes:
        sig, public, out = (
            ctypes.create_string_buffer(65),
            ctypes.create_string_buffer(64),
            ctypes.create_string_buffer(65),
        )
        if not parse(context, sig, signature, recovery_id) or not recover(context, public, sig, digest):
            raise ValueError("signature cannot be recovered")
        size = ctypes.c_size_t(65)
        serialize(context, out, ctypes.byref(size), public, _EC_UNCOMPRESSED)
        return out.raw

    return recover_public_key


def recover_public_key(signature: bytes, recovery_id: int, digest: bytes) -> bytes:
    """The 65-byte uncompressed public key (0x04 || x || y) that signed the 32-byte `digest` with the 64-byte
    compact `signature` (r || s) and `recovery_id` (0 or 1); ValueError when there is none."""
    if len(signature) != 64 or len(digest) != 32 or recovery_id not in (0, 1):
        raise ValueError("signature cannot be recovered")
    return _RECOVER(signature, recovery_id, digest)


_RECOVER: Callable[[bytes, int, bytes], bytes] = _load() or _coincurve
