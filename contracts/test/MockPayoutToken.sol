// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// TEST ONLY. A plain payout asset with configurable decimals and open mint.
contract MockPayoutToken is ERC20 {
    uint8 private immutable _decimals;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// TEST ONLY. Burns `feeBps` of every transfer (fee-on-transfer asset).
contract FeeOnTransferToken is ERC20 {
    uint256 public immutable feeBps;

    constructor(uint256 feeBps_) ERC20("Fee Token", "FEE") {
        feeBps = feeBps_;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0) && feeBps != 0) {
            uint256 fee = (value * feeBps) / 10_000;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}

interface IDividendsReentry {
    function claim(address asset, address recipient) external returns (uint256);
    function claimFor(address holder, address asset) external returns (uint256);
    function deposit(address asset, uint256 amount) external returns (uint256);
}

/// TEST ONLY. A payout asset that, on every transfer while armed, tries to re-enter the dividend token (claim,
/// claimFor or deposit) and records the revert data of the attempt.
contract ReentrantPayoutToken is ERC20 {
    enum Mode {
        None,
        Claim,
        ClaimFor,
        Deposit
    }

    address public target;
    Mode public mode;
    uint256 public attempts;
    bool public lastSucceeded;
    bytes public lastError;

    constructor() ERC20("Reentrant", "REE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, Mode mode_) external {
        target = target_;
        mode = mode_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        Mode m = mode;
        if (m == Mode.None || from == address(0)) return;
        mode = Mode.None; // one attempt per arming
        attempts += 1;
        bytes memory data;
        if (m == Mode.Claim) data = abi.encodeCall(IDividendsReentry.claim, (address(this), address(this)));
        else if (m == Mode.ClaimFor) data = abi.encodeCall(IDividendsReentry.claimFor, (to, address(this)));
        else data = abi.encodeCall(IDividendsReentry.deposit, (address(this), 1));
        (bool ok, bytes memory ret) = target.call(data);
        lastSucceeded = ok;
        lastError = ret;
    }
}
