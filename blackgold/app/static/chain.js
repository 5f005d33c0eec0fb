// Reads from the chain through the app server's read-only RPC (/api/rpc): no wallet needed, no indexer.
// Proposals come from GovernorStorage (proposalCount / proposalDetailsAt), descriptions and executed results
// from the governor's and the token's logs; times are block timestamps (the chain's clock, never the wall clock).

const { ethers } = window;
const ERC20_METADATA = [
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
];
const DEFAULT_LOG_WINDOW = 5000;
const REORG_MARGIN = 12; // blocks re-read on every scan, in case the chain's tip changed since the last one
const BUILTIN_ERRORS = { "0x08c379a0": ["Error", ["string"]], "0x4e487b71": ["Panic", ["uint256"]] };
export const ROLES = ["consumer", "referrer", "supplier", "platform"];

export class Reader {
  constructor(deployment, config) {
    this.deployment = deployment;
    this.url = new URL(config.read_rpc, window.location.href).href;
    this.provider = new ethers.JsonRpcProvider(this.url, deployment.chain_id, { staticNetwork: true });
    this.logWindow = Math.max(1, Number(config.log_window) || DEFAULT_LOG_WINDOW);
    this.logCache = new Map(); // "address:event" -> {to, logs}: what earlier scans found
    this.tip = null; // the block the page is rendering (head())
    const c = deployment.contracts;
    const contract = (name) => (c[name] ? new ethers.Contract(c[name], deployment.abi[name], this.provider) : null);
    this.token = contract("BlackGold");
    this.governor = contract("IssuanceGovernor");
    this.timelock = contract("TimelockController");
    this.mining = contract("PurchaseMining");
    // Every custom error of every deployed contract, for decoding reverts by selector.
    const errors = Object.values(deployment.abi).flat().filter((item) => item.type === "error");
    this.errors = new ethers.Interface(dedupeErrors(errors));
  }

  /** One raw JSON-RPC request; an error keeps the node's own error object (its revert data included). */
  async rpc(method, params = []) {
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: Date.now(), method, params }),
    });
    const body = await response.json();
    if (body.error) throw body.error;
    return body.result;
  }

  async waitForReceipt(hash, timeoutMs = 120000) {
    const start = performance.now();
    for (;;) {
      const receipt = await this.rpc("eth_getTransactionReceipt", [hash]);
      if (receipt) return receipt;
      if (performance.now() - start > timeoutMs) throw new Error(`no receipt for ${hash} after ${timeoutMs / 1000}s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  decodeRevert(data) {
    const builtin = BUILTIN_ERRORS[data.slice(0, 10)];
    if (builtin) {
      try {
        const args = ethers.AbiCoder.defaultAbiCoder().decode(builtin[1], "0x" + data.slice(10));
        return { name: builtin[0], args: [...args] };
      } catch { return { name: builtin[0], args: [] }; }
    }
    try {
      const parsed = this.errors.parseError(data);
      if (parsed) return { name: parsed.name, args: [...parsed.args] };
    } catch { /* fall through */ }
    return { name: "UnknownError", args: [data.slice(0, 10)] };
  }

  async head() {
    const block = await this.provider.getBlock("latest");
    this.tip = block.number;
    return { number: block.number, timestamp: block.timestamp };
  }

  /** Balance, voting power, delegate and grams mined per role of `address`. */
  async holder(address, now) {
    const [balance, votes, delegate, pastVotes, mined] = await Promise.all([
      this.token.balanceOf(address),
      this.token.getVotes(address),
      this.token.delegates(address),
      now > 0 ? this.governor.getVotes(address, now - 1) : 0n,
      this.minedByRole(address),
    ]);
    return { address, balance, votes, delegate, pastVotes, mined };
  }

  /** Grams `address` received per role, summed from PurchaseMined events since PurchaseMining's deployment. */
  async minedByRole(address) {
    const totals = Object.fromEntries(ROLES.map((r) => [r, 0n]));
    if (!this.mining) return totals;
    const who = address.toLowerCase();
    const platform = (await this.mining.platform()).toLowerCase();
    const from = this.deployment.blocks.PurchaseMining || this.deployment.from_block;
    const logs = await this.events(this.mining, "PurchaseMined", from);
    for (const { args } of logs) {
      if (args.consumer.toLowerCase() === who) totals.consumer += args.consumerGrams;
      if (args.referrer.toLowerCase() === who) totals.referrer += args.referrerGrams;
      if (args.supplier.toLowerCase() === who) totals.supplier += args.supplierGrams;
      if (platform === who) totals.platform += args.platformGrams;
    }
    return totals;
  }

  /** Logs of `contract`'s event `name` from block `from` to the rendered tip, read in windows of `logWindow`
   *  blocks (a public RPC limits the range of one eth_getLogs) and kept: a later call reads only the blocks
   *  after the last scan (and the last REORG_MARGIN again). */
  async events(contract, name, from) {
    const key = `${contract.target}:${name}`;
    const to = this.tip ?? await this.provider.getBlockNumber();
    const known = this.logCache.get(key);
    const start = known ? Math.max(from, Math.min(known.to, to) + 1 - REORG_MARGIN) : from;
    const logs = known ? known.logs.filter((log) => log.blockNumber < start) : [];
    for (let low = start; low <= to; low += this.logWindow) {
      logs.push(...await contract.queryFilter(name, low, Math.min(low + this.logWindow - 1, to)));
    }
    this.logCache.set(key, { to, logs });
    return logs;
  }

  async tokenInfo() {
    const [cap, supply, threshold] = await Promise.all([
      this.token.cap(), this.token.totalSupply(), this.governor.proposalThreshold(),
    ]);
    return { cap, supply, threshold };
  }

  /** Every proposal, newest first, with state, timeline, tally, quorum, decoded action and result. */
  async proposals(now, account) {
    const gov = this.governor;
    const count = Number(await gov.proposalCount());
    const from = this.deployment.from_block;
    const [created, executed, cap] = await Promise.all([
      this.events(gov, "ProposalCreated", from),
      this.events(gov, "ProposalExecuted", from),
      this.token.cap(),
    ]);
    const descriptions = new Map(created.map((log) => [log.args.proposalId, log.args.description]));
    const executedTx = new Map(executed.map((log) => [log.args.proposalId, log.transactionHash]));
    const indexes = [...Array(count).keys()];
    const list = await Promise.all(indexes.map(async (i) => {
      const [id, targets, , calldatas] = await gov.proposalDetailsAt(i);
      return this.proposal(i + 1, id, targets, calldatas, { now, account, cap, descriptions, executedTx });
    }));
    return list.reverse();
  }

  async proposal(number, id, targets, calldatas, ctx) {
    const gov = this.governor;
    const [state, snapshot, deadline, eta, proposer, tally] = await Promise.all([
      gov.state(id), gov.proposalSnapshot(id), gov.proposalDeadline(id), gov.proposalEta(id),
      gov.proposalProposer(id), gov.proposalVotes(id),
    ]);
    const quorumFinal = Number(snapshot) < ctx.now;
    const quorum = await gov.quorum(quorumFinal ? snapshot : BigInt(ctx.now - 1));
    const { actions, increase } = this.describe(targets, calldatas);
    let capBefore = ctx.cap, capAfter = ctx.cap + increase;
    if (Number(state) === 7) {
      const change = await this.capChange(ctx.executedTx.get(id));
      [capBefore, capAfter] = change || [ctx.cap - increase, ctx.cap];
    }
    const mine = ctx.account
      ? await Promise.all([gov.hasVoted(id, ctx.account), quorumFinal ? gov.getVotes(ctx.account, snapshot) : 0n])
      : [false, 0n];
    return {
      number, id, state: Number(state), snapshot: Number(snapshot), deadline: Number(deadline), eta: Number(eta),
      proposer, description: ctx.descriptions.get(id) || "", actions,
      against: tally[0], for: tally[1], abstain: tally[2], quorum, quorumFinal, capBefore, capAfter,
      hasVoted: mine[0], weight: mine[1],
    };
  }

  /** Calldata -> [{kind: "raise"|"grant"|"unknown", grams, recipient}] and the total cap increase. */
  describe(targets, calldatas) {
    const actions = [];
    let increase = 0n;
    const tokenAddress = this.token.target.toLowerCase();
    targets.forEach((target, i) => {
      let parsed = null;
      if (target.toLowerCase() === tokenAddress) {
        try { parsed = this.token.interface.parseTransaction({ data: calldatas[i] }); } catch { parsed = null; }
      }
      if (parsed && parsed.name === "raiseCap") {
        actions.push({ kind: "raise", grams: parsed.args[0] });
        increase += parsed.args[0];
      } else if (parsed && parsed.name === "grant") {
        actions.push({ kind: "grant", grams: parsed.args[1], recipient: parsed.args[0] });
        increase += parsed.args[1];
      } else {
        actions.push({ kind: "unknown", target, selector: calldatas[i].slice(0, 10) });
      }
    });
    return { actions, increase };
  }

  /** (cap before, cap after) from the CapRaised logs of a proposal's execution. */
  async capChange(txHash) {
    if (!txHash) return null;
    const receipt = await this.provider.getTransactionReceipt(txHash);
    const raised = receipt.logs
      .filter((log) => log.address.toLowerCase() === this.token.target.toLowerCase())
      .map((log) => { try { return this.token.interface.parseLog(log); } catch { return null; } })
      .filter((log) => log && log.name === "CapRaised");
    return raised.length ? [raised[0].args.previousCap, raised[raised.length - 1].args.newCap] : null;
  }

  async miningParams() {
    if (!this.mining) return null;
    const m = this.mining;
    const [rate, epoch, nextHalvingAt, minedTotal, remaining, ceiling, dailyLeft, split] = await Promise.all([
      m.currentRate(), m.epoch(), m.nextHalvingAt(), m.minedTotal(), m.remainingAllocation(), m.dailyCeiling(),
      m.dailyRemaining(), m.split(),
    ]);
    return { rate, epoch, nextHalvingAt, minedTotal, remaining, ceiling, dailyLeft, split: [...split].map(Number) };
  }

  async quote(amount, hasReferrer, referrerBps) {
    const q = await this.mining.quote(amount, hasReferrer, referrerBps);
    return [...q];
  }

  /** Dividends: only when the token's ABI has payoutAssets (the IDividends extension). */
  get hasDividends() {
    return this.hasFunction("payoutAssets") && this.hasFunction("claimable");
  }

  hasFunction(name) {
    try { return this.token.interface.getFunction(name) !== null; } catch { return false; }
  }

  async dividends(account) {
    const assets = await this.token.payoutAssets();
    return Promise.all(assets.map(async (address) => {
      const erc20 = new ethers.Contract(address, ERC20_METADATA, this.provider);
      const [symbol, decimals, claimable] = await Promise.all([
        erc20.symbol(), erc20.decimals(), account ? this.token.claimable(account, address) : 0n,
      ]);
      return { address, symbol, decimals: Number(decimals), claimable };
    }));
  }

  /** The amount of `asset` a claim's receipt paid (its DividendsClaimed log), or null. */
  claimedAmount(receipt, asset) {
    const token = this.token;
    for (const log of receipt.logs || []) {
      if (log.address.toLowerCase() !== token.target.toLowerCase()) continue;
      let parsed = null;
      try { parsed = token.interface.parseLog(log); } catch { parsed = null; }
      if (parsed && parsed.name === "DividendsClaimed" && parsed.args.asset.toLowerCase() === asset.toLowerCase()) {
        return parsed.args.amount;
      }
    }
    return null;
  }

  encode(contract, method, args) {
    return { to: contract.target, data: contract.interface.encodeFunctionData(method, args) };
  }
}

function dedupeErrors(errors) {
  const seen = new Set();
  return errors.filter((e) => {
    const key = `${e.name}(${(e.inputs || []).map((i) => i.type).join(",")})`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
