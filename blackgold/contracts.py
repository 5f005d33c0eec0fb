"""Typed wrappers over the deployed contracts, built from the deployment file's addresses and ABIs.

`System.connect(w3, deployment)` checks that the connected chain is the deployment's (chain id, code at every
address) and returns the token, governor, timelock and mining wrappers. Reads return plain Python values;
writes take a `Signer`, wait for the receipt and raise `TransactionReverted` with the decoded custom error.
A write is estimated first, so a transaction that would revert is never sent (and costs nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, ContractPanicError, Web3RPCError
from web3.types import TxReceipt

from .accounts import Signer
from .deployment import CORE_CONTRACTS, Deployment
from .errors import ChainUnavailable, DeploymentError, RevertDecoder, TransactionReverted

T = TypeVar("T")
RECEIPT_TIMEOUT = 120.0
GAS_HEADROOM_PERCENT = 125
GAS_HEADROOM_FIXED = 10_000
_REVERTS = (ContractCustomError, ContractLogicError, ContractPanicError)


class Bound:
    """One deployed contract: web3.py's Contract plus the deployment-wide revert decoder."""

    def __init__(self, w3: Web3, contract: Contract, decoder: RevertDecoder) -> None:
        self.w3 = w3
        self.contract = contract
        self.address: ChecksumAddress = contract.address
        self.decoder = decoder

    def guard(self, thunk: Callable[[], T]) -> T:
        """Run a call; a revert becomes TransactionReverted, a dead node ChainUnavailable."""
        try:
            return thunk()
        except _REVERTS as exc:
            raise self.decoder.decode(exc) from None
        except Web3RPCError as exc:
            if "revert" in str(exc).lower():
                raise self.decoder.decode(exc) from None
            raise
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise ChainUnavailable(f"the node stopped answering ({type(exc).__name__})") from None

    def call(self, name: str, *args: Any) -> Any:
        """A view function's result, as web3.py decodes it."""
        fn: ContractFunction = self.contract.functions[name](*args)
        return self.guard(fn.call)

    def transact(self, signer: Signer, name: str, *args: Any) -> TxReceipt:
        """Estimate, send from `signer`, wait for the receipt; TransactionReverted if it would or did revert."""
        fn: ContractFunction = self.contract.functions[name](*args)
        tx = self.guard(lambda: fn.build_transaction({"from": signer.address}))
        # Headroom over the node's estimate: Ganache under-estimates calls whose inner calls get 63/64 of the gas
        # (a nonReentrant claim paying an ERC-20 ran out of gas at the estimate). Unused gas is not charged.
        tx["gas"] = int(tx["gas"]) * GAS_HEADROOM_PERCENT // 100 + GAS_HEADROOM_FIXED
        tx_hash = self.guard(lambda: signer.send(self.w3, tx))
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT)
        if receipt["status"] != 1:  # reverted after a passing estimate: replay it to learn why
            block = receipt["blockNumber"]
            self.guard(lambda: fn.call({"from": signer.address}, block_identifier=block))
            raise TransactionReverted("Revert", (tx_hash.hex(),), hint="the transaction failed on chain")
        return receipt

    def events(self, event: str, receipt: TxReceipt) -> list[dict[str, Any]]:
        """The decoded `event` logs this contract emitted in `receipt` (args only)."""
        from web3.logs import DISCARD

        processed = self.contract.events[event]().process_receipt(receipt, errors=DISCARD)
        return [dict(log["args"]) for log in processed]


class Token(Bound):
    """BlackGold: balances, cap and issuance counters, delegation and votes."""

    def balance_of(self, who: str) -> int:
        return int(self.call("balanceOf", who))

    def total_supply(self) -> int:
        return int(self.call("totalSupply"))

    def cap(self) -> int:
        return int(self.call("cap"))

    def total_minted(self) -> int:
        return int(self.call("totalMinted"))

    def delegates(self, who: str) -> ChecksumAddress:
        return Web3.to_checksum_address(self.call("delegates", who))

    def votes(self, who: str) -> int:
        return int(self.call("getVotes", who))

    def nonce(self, who: str) -> int:
        return int(self.call("nonces", who))

    def delegate(self, signer: Signer, to: str) -> TxReceipt:
        return self.transact(signer, "delegate", Web3.to_checksum_address(to))

    def transfer(self, signer: Signer, to: str, amount: int) -> TxReceipt:
        return self.transact(signer, "transfer", Web3.to_checksum_address(to), int(amount))

    def encode(self, name: str, *args: Any) -> bytes:
        """Calldata for a token function (proposal actions)."""
        return bytes.fromhex(self.contract.encode_abi(name, args=list(args))[2:])


class Governor(Bound):
    """IssuanceGovernor: proposals, votes and the timelock path."""

    def state(self, pid: int) -> int:
        return int(self.call("state", pid))

    def snapshot(self, pid: int) -> int:
        return int(self.call("proposalSnapshot", pid))

    def deadline(self, pid: int) -> int:
        return int(self.call("proposalDeadline", pid))

    def eta(self, pid: int) -> int:
        return int(self.call("proposalEta", pid))

    def proposer(self, pid: int) -> ChecksumAddress:
        return Web3.to_checksum_address(self.call("proposalProposer", pid))

    def tally(self, pid: int) -> tuple[int, int, int]:
        """(against, for, abstain) in wei of grams."""
        against, for_, abstain = self.call("proposalVotes", pid)
        return int(against), int(for_), int(abstain)

    def quorum(self, timepoint: int) -> int:
        return int(self.call("quorum", timepoint))

    def threshold(self) -> int:
        return int(self.call("proposalThreshold"))

    def votes_at(self, who: str, timepoint: int) -> int:
        return int(self.call("getVotes", who, timepoint))

    def has_voted(self, pid: int, who: str) -> bool:
        return bool(self.call("hasVoted", pid, who))

    def count(self) -> int:
        return int(self.call("proposalCount"))

    def id_at(self, index: int) -> int:
        return int(self.call("proposalDetailsAt", index)[0])

    def details(self, pid: int) -> tuple[list[str], list[int], list[bytes], bytes]:
        targets, values, calldatas, description_hash = self.call("proposalDetails", pid)
        return list(targets), [int(v) for v in values], [bytes(c) for c in calldatas], bytes(description_hash)

    def hash_proposal(self, targets: list[str], values: list[int], calldatas: list[bytes], description: str) -> int:
        return int(self.call("hashProposal", targets, values, calldatas, Web3.keccak(text=description)))


class Timelock(Bound):
    """OpenZeppelin TimelockController (the holders' treasury and the only cap raiser)."""

    def min_delay(self) -> int:
        return int(self.call("getMinDelay"))


class Mining(Bound):
    """PurchaseMining: the mint rule as the chain states it."""

    def quote(self, amount: int, has_referrer: bool, referrer_bps: int = 0) -> tuple[int, int, int, int]:
        c, r, s, p = self.call("quote", int(amount), bool(has_referrer), int(referrer_bps))
        return int(c), int(r), int(s), int(p)

    def uint(self, name: str) -> int:
        """A uint view without arguments (currentRate, epoch, nextHalvingAt, allocation, ...)."""
        return int(self.call(name))

    def split(self) -> tuple[int, int, int, int]:
        c, r, s, p = self.call("split")
        return int(c), int(r), int(s), int(p)

    def is_mined(self, order_ref: bytes) -> bool:
        return bool(self.call("isMined", order_ref))


@dataclass(frozen=True)
class System:
    """The deployed contracts on one connected chain."""

    w3: Web3
    deployment: Deployment
    token: Token
    governor: Governor
    timelock: Timelock
    mining: Mining | None

    @classmethod
    def connect(cls, w3: Web3, deployment: Deployment, check_code: bool = True) -> System:
        """Wrap the deployment's contracts on `w3`; DeploymentError if the chain is not the deployment's."""
        chain_id = int(w3.eth.chain_id)
        if deployment.chain_id != chain_id:
            raise DeploymentError(
                f"deployment file {deployment.path or ''} is for chain id {deployment.chain_id} but the connected "
                f"chain has id {chain_id}: pass the matching --rpc or --deployment"
            )
        names = list(CORE_CONTRACTS) + (["PurchaseMining"] if "PurchaseMining" in deployment.contracts else [])
        if check_code:
            for name in names:
                if len(w3.eth.get_code(Web3.to_checksum_address(deployment.address(name)))) == 0:
                    raise DeploymentError(
                        f"no {name} contract at {deployment.address(name)} on this chain (was the chain restarted "
                        f"without its database?): redeploy"
                    )
        decoder = RevertDecoder(deployment.abi(n) for n in names)

        def bind(kind: type[Bound], name: str) -> Any:
            address = Web3.to_checksum_address(deployment.address(name))
            return kind(w3, w3.eth.contract(address=address, abi=deployment.abi(name)), decoder)

        mining = bind(Mining, "PurchaseMining") if "PurchaseMining" in deployment.contracts else None
        return cls(
            w3,
            deployment,
            bind(Token, "BlackGold"),
            bind(Governor, "IssuanceGovernor"),
            bind(Timelock, "TimelockController"),
            mining,
        )
