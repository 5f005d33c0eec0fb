// The one module that talks to the browser wallet (EIP-1193: MetaMask and the like).
//
// Everything that asks the holder to approve something goes through `Wallet.submit(action)`:
//   action = {to, data, label}  (a contract call the page encoded)
// It simulates the call against the read-only RPC first (a call that would revert is never sent and costs
// nothing; the revert is decoded to the contract's custom error), then asks the wallet to send it, then waits
// for the receipt. A gasless path ("sign instead of send": delegateBySig, castVoteBySig, claimBySig submitted
// by a relay) belongs here too: `signTypedData` already asks the wallet for an EIP-712 signature, and `submit`
// is the place to choose between sending and signing.

const REJECTED = 4001;
const UNKNOWN_CHAIN = 4902;

export class WalletError extends Error {
  constructor(kind, message, extra = {}) {
    super(message);
    this.kind = kind; // "rejected" | "revert" | "network" | "other"
    Object.assign(this, extra);
  }
}

/** Revert data (0x + 4-byte selector + 32-byte words) found anywhere in a provider's or RPC's error. */
export function findRevertData(value, depth = 0) {
  if (value == null || depth > 6) return null;
  if (typeof value === "string") {
    if (/^0x[0-9a-fA-F]{8}([0-9a-fA-F]{64})*$/.test(value)) return value;
    if (value.startsWith("{")) { try { return findRevertData(JSON.parse(value), depth + 1); } catch { return null; } }
    return null;
  }
  if (typeof value !== "object") return null;
  for (const key of ["data", "result", "return", "error", "info", "cause", "originalError", "body", "value"]) {
    if (key in value) {
      const found = findRevertData(value[key], depth + 1);
      if (found) return found;
    }
  }
  for (const inner of Object.values(value)) {
    if (inner && typeof inner === "object") {
      const found = findRevertData(inner, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

function isRejection(err) {
  return err && (err.code === REJECTED || err.code === "ACTION_REJECTED" || err?.error?.code === REJECTED);
}

export class Wallet {
  /**
   * @param config   /api/config (chain_id, chain_id_hex, chain_name, rpc_url)
   * @param reader   {rpc(method, params)} the read-only JSON-RPC (raw errors kept), {decodeRevert(data)}
   * @param onChange called after the account or the chain changed
   */
  constructor(config, reader, onChange) {
    this.config = config;
    this.reader = reader;
    this.onChange = onChange;
    this.provider = window.ethereum || null;
    this.account = null;
    this.chainId = null;
    if (this.provider && this.provider.on) {
      this.provider.on("accountsChanged", (accounts) => { this.account = accounts[0] || null; this.onChange(); });
      this.provider.on("chainChanged", (chainId) => { this.chainId = Number(chainId); this.onChange(); });
    }
  }

  get available() { return this.provider !== null; }
  get connected() { return this.account !== null; }
  get onRightChain() { return this.chainId === Number(this.config.chain_id); }

  async request(method, params = []) {
    return this.provider.request({ method, params });
  }

  /** Accounts already allowed (no prompt): lets a reload keep the connection. */
  async restore() {
    if (!this.available) return;
    const accounts = await this.request("eth_accounts");
    this.account = accounts[0] || null;
    this.chainId = Number(await this.request("eth_chainId"));
  }

  async connect() {
    if (!this.available) throw new WalletError("other", "no wallet");
    try {
      const accounts = await this.request("eth_requestAccounts");
      this.account = accounts[0] || null;
      this.chainId = Number(await this.request("eth_chainId"));
    } catch (err) {
      throw this.classify(err);
    }
    this.onChange();
  }

  /** wallet_switchEthereumChain; a wallet that does not know the chain gets wallet_addEthereumChain first. */
  async switchChain() {
    const c = this.config;
    try {
      await this.request("wallet_switchEthereumChain", [{ chainId: c.chain_id_hex }]);
    } catch (err) {
      const code = err?.code ?? err?.data?.originalError?.code;
      if (code !== UNKNOWN_CHAIN) throw this.classify(err);
      try {
        await this.request("wallet_addEthereumChain", [{
          chainId: c.chain_id_hex,
          chainName: c.chain_name,
          rpcUrls: [c.rpc_url],
          nativeCurrency: c.native_currency,
        }]);
        await this.request("wallet_switchEthereumChain", [{ chainId: c.chain_id_hex }]);
      } catch (inner) {
        throw this.classify(inner);
      }
    }
    this.chainId = Number(await this.request("eth_chainId"));
    this.onChange();
  }

  /** Simulate, send from the connected account, wait for the receipt. Resolves to the receipt. */
  async submit(action, onSent = () => {}) {
    const tx = { from: this.account, to: action.to, data: action.data };
    let gas;
    try {
      gas = BigInt(await this.reader.rpc("eth_estimateGas", [tx]));
    } catch (err) {
      throw this.classify(err);
    }
    let hash;
    try {
      hash = await this.request("eth_sendTransaction", [{ ...tx, gas: "0x" + ((gas * 12n) / 10n + 10000n).toString(16) }]);
    } catch (err) {
      throw this.classify(err);
    }
    onSent(hash);
    const receipt = await this.reader.waitForReceipt(hash);
    if (receipt.status !== "0x1") {
      try { // replay at its block to learn why
        await this.reader.rpc("eth_call", [tx, receipt.blockNumber]);
      } catch (err) {
        throw this.classify(err);
      }
      throw new WalletError("revert", "reverted", { name: "Revert", args: [] });
    }
    return receipt;
  }

  /** An EIP-712 signature from the connected account (for the relay path: claims and votes without ETH). */
  async signTypedData(typedData) {
    try {
      return await this.request("eth_signTypedData_v4", [this.account, JSON.stringify(typedData)]);
    } catch (err) {
      throw this.classify(err);
    }
  }

  /** Any error from the wallet or the node -> WalletError with kind rejected / revert / network / other. */
  classify(err) {
    if (err instanceof WalletError) return err;
    if (isRejection(err)) return new WalletError("rejected", "rejected", { cause: err });
    const data = findRevertData(err);
    if (data) {
      const decoded = this.reader.decodeRevert(data);
      return new WalletError("revert", decoded.name, { name: decoded.name, args: decoded.args, data });
    }
    const message = String(err?.message || err?.error?.message || err);
    if (/revert/i.test(message)) return new WalletError("revert", message, { name: "Revert", args: [message] });
    if (/fetch|network|Failed to fetch|timeout/i.test(message)) return new WalletError("network", message);
    return new WalletError("other", message);
  }
}
