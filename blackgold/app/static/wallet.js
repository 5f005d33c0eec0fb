// The one module that talks to the browser wallet (EIP-1193: MetaMask and the like).
//
// Everything that asks the holder to approve something goes through `Wallet.submit(action)`:
//   action = {to, data, label, relay?}  (a contract call the page encoded; relay = {kind, params} for the
//   three calls the gasless relay takes: delegate, vote, claim)
// `submit` chooses between the two paths:
// - send: simulate against the read-only RPC (a call that would revert is never sent and costs nothing; the
//   revert is decoded to the contract's custom error), ask the wallet to send it, wait for the receipt;
// - relay (the server has one, the action has a relayed form, and the holder chose "without ETH" or has none):
//   ask the relay what to sign (GET /relay/typed-data/{kind}), sign it with eth_signTypedData_v4, POST it, and
//   follow the request (GET /relay/requests/{id}) until it is confirmed; the relay's key pays the gas.

const REJECTED = 4001;
const RELAY_POLL_MS = 500;
const RELAY_FINAL = ["confirmed", "failed"];
const UNKNOWN_CHAIN = 4902;

export class WalletError extends Error {
  constructor(kind, message, extra = {}) {
    super(message);
    this.kind = kind; // "rejected" | "revert" | "network" | "relay" | "other"
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

/** JSON from the relay; a refusal (4xx/5xx) becomes WalletError("relay") carrying the field it names. */
async function relayFetch(url, init = {}) {
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new WalletError("network", String(err?.message || err));
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const first = (body.errors && body.errors[0]) || {};
    const message = first.message || body.message || body.reason || `HTTP ${response.status}`;
    throw new WalletError("relay", message, { reason: body.reason, field: first.field, status: response.status });
  }
  return body;
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
    this.ethBalance = null; // the account's ETH (wei, BigInt), set by the page on every refresh
    this.gasless = false; // the holder asked for the relay path
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

  get relayAvailable() { return Boolean(this.config.relay && this.config.relay.available); }

  /** Will `action` go through the relay? (it has a relayed form, a relay runs, and no ETH or the holder chose it) */
  usesRelay(action) {
    return Boolean(action.relay) && this.relayAvailable && (this.gasless || this.ethBalance === 0n);
  }

  /** Send (or relay) `action`; onSent(hash) after sending, onSent(record) for each relay status. Resolves to
   * the receipt. */
  async submit(action, onSent = () => {}) {
    if (this.usesRelay(action)) return this.relay(action.relay, onSent);
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

  /** The gasless path: sign the typed data the relay asks for, POST it, follow it until confirmed. */
  async relay(call, onProgress = () => {}) {
    const base = this.config.relay.url;
    const query = new URLSearchParams({ holder: this.account, ...call.params });
    const template = await relayFetch(`${base}/typed-data/${call.kind}?${query}`);
    const signature = await this.signTypedData(template.typedData);
    let record = await relayFetch(`${base}/${call.kind}`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...template.body, signature }),
    });
    onProgress(record);
    while (!RELAY_FINAL.includes(record.status)) {
      await new Promise((resolve) => setTimeout(resolve, RELAY_POLL_MS));
      const next = await relayFetch(`${base}/requests/${record.id}`);
      if (next.status !== record.status) onProgress(next);
      record = next;
    }
    if (record.status === "failed") throw new WalletError("relay", record.error || "failed", { record });
    return this.reader.waitForReceipt(record.txHash);
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
