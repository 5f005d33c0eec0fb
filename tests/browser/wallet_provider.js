// A test EIP-1193 wallet injected with page.add_init_script: it forwards every request to Ganache's JSON-RPC,
// where the node's unlocked accounts sign eth_sendTransaction and eth_signTypedData_v4, so the page runs its
// real wallet code paths. window.__testWallet lets a test switch account or chain and reject the next request.
// Accounts in cfg.localSigners are keys Ganache does not know (e.g. a holder without ETH): their typed data is
// signed by the test in Python (eth-account, page.expose_function("__bgSignTypedData")), and anything they
// would send fails at Ganache, as a wallet without ETH would.
(() => {
  const cfg = __CONFIG__; // {rpc, chainId (hex), account, walletChainId (hex), knownChains}
  const listeners = {};
  const state = {
    account: cfg.account, chainId: cfg.walletChainId || cfg.chainId, connected: false, rejectNext: null,
    knownChains: new Set(cfg.knownChains || [cfg.chainId]), added: null, requests: [],
  };
  let id = 0;
  const emit = (event, value) => (listeners[event] || []).forEach((fn) => setTimeout(() => fn(value), 0));
  const fail = (code, message) => { const e = new Error(message); e.code = code; return e; };

  async function forward(method, params) {
    const response = await fetch(cfg.rpc, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
    });
    const body = await response.json();
    if (body.error) { const e = fail(body.error.code, body.error.message); e.data = body.error.data; throw e; }
    return body.result;
  }

  window.ethereum = {
    isBlackGoldTestWallet: true,
    on(event, fn) { (listeners[event] = listeners[event] || []).push(fn); return this; },
    removeListener(event, fn) { listeners[event] = (listeners[event] || []).filter((f) => f !== fn); return this; },
    async request({ method, params = [] }) {
      state.requests.push(method);
      if (state.rejectNext === method) {
        state.rejectNext = null;
        throw fail(4001, "MetaMask Tx Signature: User denied transaction signature.");
      }
      switch (method) {
        case "eth_requestAccounts": state.connected = true; return [state.account];
        case "eth_accounts": return state.connected ? [state.account] : [];
        case "eth_chainId": return state.chainId;
        case "wallet_switchEthereumChain": {
          const target = params[0].chainId;
          if (!state.knownChains.has(target)) throw fail(4902, `Unrecognized chain ID "${target}".`);
          state.chainId = target; emit("chainChanged", target); return null;
        }
        case "wallet_addEthereumChain": state.added = params[0]; state.knownChains.add(params[0].chainId); return null;
        case "eth_signTypedData_v4":
          if ((cfg.localSigners || []).includes(String(params[0]).toLowerCase())) {
            return window.__bgSignTypedData(params[0], params[1]);
          }
          return forward(method, params);
        default: return forward(method, params);
      }
    },
  };
  window.__testWallet = {
    state,
    setAccount(address) { state.account = address; emit("accountsChanged", [address]); },
    rejectNext(method) { state.rejectNext = method; },
  };
})();
