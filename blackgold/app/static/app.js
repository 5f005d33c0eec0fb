// The page: reads with chain.js (no wallet needed), acts through wallet.js, texts from i18n.js.
import { Reader, ROLES } from "./chain.js";
import { Wallet } from "./wallet.js";
import { t, getLang, setLang, hasKey, formatGrams, formatUnits, parseGrams, formatTime, shortAddress } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const ZERO = "0x0000000000000000000000000000000000000000";
const SUPPORT = { for: 1, against: 0, abstain: 2 };
const S = { Pending: 0, Active: 1, Succeeded: 4, Queued: 5, Executed: 7 };

const app = { reader: null, wallet: null, head: { number: 0, timestamp: 0 }, viewed: null, data: {}, busy: false };
window.bgApp = app; // for tests and the console

// ---------------------------------------------------------------- messages

function show(text, kind = "ok") {
  const box = $("message");
  box.textContent = text;
  box.className = `banner ${kind === "ok" ? "" : kind}`;
  box.dataset.kind = kind;
  box.hidden = false;
}

function showError(err) {
  if (err.kind === "rejected") return show(t("err_rejected"), "error");
  if (err.kind === "revert") {
    const args = err.args && err.args.length ? `(${err.args.map(String).join(", ")})` : "";
    const hint = hasKey(`hint_${err.name}`) ? t(`hint_${err.name}`) : "";
    return show(t("err_revert", { name: err.name, args, hint }).trim(), "error");
  }
  if (err.kind === "network") return show(t("err_network", { detail: err.message }), "error");
  if (err.kind === "relay") return show(t("err_relay", { detail: err.message }), "error");
  return show(t("err_other", { detail: err.message || String(err) }), "error");
}

/** Run one wallet action: disable the page's buttons meanwhile, report the outcome, refresh. */
async function act(action, done) {
  if (app.busy) return;
  app.busy = true;
  document.body.classList.add("busy");
  show(t("working"), "warn");
  try {
    const receipt = await app.wallet.submit(action, (sent) => show(typeof sent === "string" ? t("sent")
      : t("relay_progress", { id: sent.id, status: t(`relay_${sent.status}`) }), "warn"));
    await refresh();
    show(await done(receipt));
  } catch (err) {
    showError(app.wallet.classify(err));
  } finally {
    app.busy = false;
    document.body.classList.remove("busy");
    renderAll(); // buttons rendered while busy were disabled
  }
}

// ---------------------------------------------------------------- header, wallet and network

function renderStatic() {
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  $("lang").textContent = t("lang_switch");
  $("switch-network").textContent = t("switch_network", { name: app.config.chain_name });
}

function renderWallet() {
  const w = app.wallet;
  $("connect").hidden = w.connected;
  $("connect").textContent = t("connect");
  $("account").hidden = !w.connected;
  $("account").textContent = w.connected ? shortAddress(w.account) : "";
  $("account").title = w.account || "";
  const wrong = w.connected && !w.onRightChain;
  $("wrong-network").hidden = !wrong;
  if (wrong) {
    $("wrong-network-text").textContent = t("wrong_network", {
      wallet: w.chainId, name: app.config.chain_name, expected: app.config.chain_id,
    });
  }
  const relay = w.connected && w.relayAvailable;
  $("gasless-box").hidden = !relay;
  $("gasless").checked = relay && w.usesRelay({ relay: true });
  $("gasless").disabled = w.ethBalance === 0n;
  $("gasless-text").textContent = t(w.ethBalance === 0n ? "gasless_no_eth" : "gasless");
  $("chain-line").textContent = `${app.config.chain_name} · ${t("chain_time", {
    block: app.head.number, time: formatTime(app.head.timestamp, app.head.timestamp),
  })}${w.connected ? "" : " · " + t(w.available ? "read_only" : "no_wallet")}`;
}

/** Can the connected wallet send now? (connected, on the right chain, nothing in flight) */
const canSend = () => app.wallet.connected && app.wallet.onRightChain && !app.busy;
/** The connected account has no ETH (known, zero): only what the relay takes can go through. */
const noEth = () => app.wallet.connected && app.wallet.ethBalance === 0n;
/** Can the connected account do an action now? One without a relayed form (`relayKind`) needs ETH for gas. */
const canPay = (relayKind) => canSend() && (!noEth() || (Boolean(relayKind) && app.wallet.relayAvailable));
const needsEth = () => t(app.wallet.relayAvailable ? "needs_eth_relay" : "needs_eth");

// ---------------------------------------------------------------- my grams

function renderMine() {
  const h = app.data.holder;
  const body = $("mine-body");
  if (!h) { body.innerHTML = `<p class="muted">${esc(t("connect_first"))}</p>`; return; }
  const own = app.wallet.account && h.address.toLowerCase() === app.wallet.account.toLowerCase();
  const delegate = h.delegate === ZERO ? t("delegate_none")
    : h.delegate.toLowerCase() === h.address.toLowerCase() ? `${t("delegate_self")} (${shortAddress(h.delegate)})` : h.delegate;
  const roles = ROLES.filter((r) => r !== "platform" || h.mined.platform > 0n)
    .map((r) => `<tr><td>${esc(t(`role_${r}`))}</td><td class="num" data-testid="mined-${r}">${formatGrams(h.mined[r])}</td></tr>`).join("");
  let prompt = "";
  if (own && h.balance > 0n && h.votes === 0n) {
    prompt = `<div class="banner warn" data-testid="delegate-prompt"><span>${esc(t("delegate_prompt", { grams: formatGrams(h.balance) }))}</span>
      <button data-testid="self-delegate" id="self-delegate" ${canPay("delegate") ? "" : "disabled"}>${esc(t("self_delegate"))}</button></div>`;
  }
  body.innerHTML = `${prompt}
    <dl class="kv">
      <dt>${esc(t("balance"))}</dt><dd data-testid="balance">${esc(t("grams", { grams: formatGrams(h.balance) }))}</dd>
      <dt>${esc(t("voting_power"))}</dt><dd data-testid="voting-power">${esc(t("grams", { grams: formatGrams(h.votes) }))}</dd>
      <dt>${esc(t("delegate"))}</dt><dd data-testid="delegate">${esc(delegate)}</dd>
    </dl>
    <h3>${esc(t("mined_by_role"))}</h3><table>${roles}</table>`;
  const button = $("self-delegate");
  if (button) {
    const action = app.reader.encode(app.reader.token, "delegate", [app.wallet.account]);
    action.relay = { kind: "delegate", params: { delegatee: app.wallet.account } };
    button.onclick = () => act(action, async () => {
      return t("delegated", { grams: formatGrams(await app.reader.token.getVotes(app.wallet.account)) });
    });
  }
}

// ---------------------------------------------------------------- proposals

function renderProposeNote() {
  const info = app.data.token;
  if (!info) return;
  const note = $("propose-note");
  const h = app.data.holder;
  const own = h && app.wallet.account && h.address.toLowerCase() === app.wallet.account.toLowerCase();
  let ok = false;
  if (!own) {
    note.textContent = t("threshold_connect", { threshold: formatGrams(info.threshold) });
  } else if (h.pastVotes >= info.threshold) {
    note.textContent = t("threshold_ok", { power: formatGrams(h.pastVotes), threshold: formatGrams(info.threshold) });
    ok = true;
  } else if (h.votes >= info.threshold) {
    note.textContent = t("threshold_next_block");
  } else {
    note.textContent = t("threshold_missing", {
      power: formatGrams(h.votes), threshold: formatGrams(info.threshold), missing: formatGrams(info.threshold - h.votes),
    });
  }
  if (own && noEth()) note.textContent += ` ${needsEth()}`;
  note.className = ok && !noEth() ? "small" : "small note";
  $("propose").disabled = !(ok && canPay());
  $("p-recipient-label").hidden = $("p-kind").value !== "grant";
}

function proposalCard(p) {
  const now = app.head.timestamp;
  const total = p.for + p.against + p.abstain;
  const pct = (v) => (total > 0n ? Number((v * 10000n) / total) / 100 : 0);
  const action = p.actions.map((a) => (a.kind === "raise" ? t("action_raise", { grams: formatGrams(a.grams) })
    : a.kind === "grant" ? t("action_grant", { grams: formatGrams(a.grams), recipient: a.recipient })
      : t("action_unknown", { selector: a.selector, target: a.target }))).join("; ");
  const counted = p.for + p.abstain;
  const quorum = !p.quorumFinal ? t("quorum_estimate", { need: formatGrams(p.quorum) })
    : t(counted >= p.quorum ? "quorum_reached" : "quorum_missing", { have: formatGrams(counted), need: formatGrams(p.quorum) });
  const result = p.state === S.Executed
    ? t("result_executed", { before: formatGrams(p.capBefore), after: formatGrams(p.capAfter) })
    : t("result_pending", { before: formatGrams(p.capBefore), after: formatGrams(p.capAfter) });
  const n = p.number;
  return `<article class="card" data-testid="proposal-${n}" data-state="${p.state}">
    <h3>#${n} ${esc(p.description || action)} <span class="state s${p.state}" data-testid="state-${n}">${esc(t(`state_${p.state}`))}</span></h3>
    <dl class="kv small">
      <dt>${esc(t("action"))}</dt><dd data-testid="action-${n}">${esc(action)}</dd>
      <dt>${esc(t("proposer"))}</dt><dd>${esc(p.proposer)}</dd>
      <dt>${esc(t("snapshot"))}</dt><dd>${esc(formatTime(p.snapshot, now))}</dd>
      <dt>${esc(t("deadline"))}</dt><dd>${esc(formatTime(p.deadline, now))}</dd>
      <dt>${esc(t("eta"))}</dt><dd>${esc(p.eta ? formatTime(p.eta, now) : t("not_queued"))}</dd>
      <dt>${esc(t("votes_for"))} / ${esc(t("votes_against"))} / ${esc(t("votes_abstain"))}</dt>
      <dd data-testid="tally-${n}"><span data-testid="for-${n}">${formatGrams(p.for)}</span> / <span data-testid="against-${n}">${formatGrams(p.against)}</span> / <span data-testid="abstain-${n}">${formatGrams(p.abstain)}</span>
        <div class="bar"><span class="for" style="width:${pct(p.for)}%"></span><span class="against" style="width:${pct(p.against)}%"></span><span class="abstain" style="width:${pct(p.abstain)}%"></span></div></dd>
      <dt>${esc(t("quorum"))}</dt><dd data-testid="quorum-${n}">${esc(quorum)}</dd>
      <dt>${esc(t("result"))}</dt><dd data-testid="result-${n}">${esc(result)}</dd>
    </dl>
    ${proposalActions(p, now)}
  </article>`;
}

function proposalActions(p, now) {
  const n = p.number;
  const send = canPay();
  const ready = p.state === S.Succeeded || (p.state === S.Queued && now >= p.eta);
  let why = "";
  if (p.state === S.Pending) why = t("voting_not_open", { when: formatTime(p.snapshot + 1, now) });
  else if (p.state === S.Active && p.hasVoted) why = t("you_voted");
  else if (p.state === S.Active && app.wallet.connected && p.weight === 0n) why = t("no_power_at_snapshot");
  else if (p.state === S.Queued && now < p.eta) why = t("timelock_wait", { when: formatTime(p.eta, now) });
  else if (ready && noEth()) why = needsEth();
  const canVote = canPay("vote") && p.state === S.Active && !p.hasVoted && p.weight > 0n;
  const voting = p.state === S.Active || p.state === S.Pending ? `
    <input data-keep="reason-${n}" id="reason-${n}" data-testid="reason-${n}" placeholder="${esc(t("reason"))}">
    ${["for", "against", "abstain"].map((s) => `<button data-vote="${s}" data-n="${n}" data-testid="vote-${s}-${n}" ${canVote ? "" : "disabled"}>${esc(t(`vote_${s}`))}</button>`).join("")}` : "";
  const queue = `<button data-queue="${n}" data-testid="queue-${n}" ${send && p.state === S.Succeeded ? "" : "disabled"}>${esc(t("queue"))}</button>`;
  const execute = `<button data-execute="${n}" data-testid="execute-${n}" ${send && ready && p.state === S.Queued ? "" : "disabled"}>${esc(t("execute"))}</button>`;
  return `<div class="actions">${voting}${queue}${execute}</div>${why ? `<p class="small note" data-testid="why-${n}">${esc(why)}</p>` : ""}`;
}

function renderProposals() {
  const list = $("proposal-list");
  const kept = {};
  list.querySelectorAll("[data-keep]").forEach((el) => { kept[el.dataset.keep] = el.value; });
  const info = app.data.token;
  if (info) {
    $("token-line").textContent = `${t("cap")}: ${t("grams", { grams: formatGrams(info.cap) })} · ${t("supply")}: ${t("grams", { grams: formatGrams(info.supply) })}`;
    $("token-line").dataset.cap = info.cap.toString();
  }
  const proposals = app.data.proposals || [];
  list.innerHTML = proposals.length ? proposals.map(proposalCard).join("") : `<p class="muted">${esc(t("no_proposals"))}</p>`;
  list.querySelectorAll("[data-keep]").forEach((el) => { if (kept[el.dataset.keep]) el.value = kept[el.dataset.keep]; });
  const byNumber = new Map(proposals.map((p) => [String(p.number), p]));
  list.querySelectorAll("[data-vote]").forEach((b) => { b.onclick = () => vote(byNumber.get(b.dataset.n), b.dataset.vote); });
  list.querySelectorAll("[data-queue]").forEach((b) => { b.onclick = () => lifecycle(byNumber.get(b.dataset.queue), "queue"); });
  list.querySelectorAll("[data-execute]").forEach((b) => { b.onclick = () => lifecycle(byNumber.get(b.dataset.execute), "execute"); });
  renderProposeNote();
}

function vote(p, support) {
  const reason = ($(`reason-${p.number}`)?.value || "").trim();
  const gov = app.reader.governor;
  const action = reason ? app.reader.encode(gov, "castVoteWithReason", [p.id, SUPPORT[support], reason])
    : app.reader.encode(gov, "castVote", [p.id, SUPPORT[support]]);
  action.relay = { kind: "vote", params: { proposalId: p.id.toString(), support: String(SUPPORT[support]), reason } };
  act(action, async () => {
    const input = $(`reason-${p.number}`);
    if (input) input.value = ""; // the reason was this vote's, not the next account's
    return t("voted", { support: t(`votes_${support}`), grams: formatGrams(p.weight) });
  });
}

function lifecycle(p, what) {
  // queue/execute are overloaded in OpenZeppelin's Governor: the by-id forms are the ones GovernorStorage adds
  act(app.reader.encode(app.reader.governor, `${what}(uint256)`, [p.id]), async () => {
    const eta = Number(await app.reader.governor.proposalEta(p.id));
    return t(what === "queue" ? "queued" : "executed", { n: p.number, when: formatTime(eta, app.head.timestamp) });
  });
}

function propose(event) {
  event.preventDefault();
  const kind = $("p-kind").value;
  const amount = parseGrams($("p-amount").value);
  if (amount === null || amount === 0n) return show(t("err_amount"), "error");
  const recipient = $("p-recipient").value.trim();
  if (kind === "grant" && !window.ethers.isAddress(recipient)) return show(t("err_address"), "error");
  const token = app.reader.token;
  const data = kind === "grant" ? token.interface.encodeFunctionData("grant", [recipient, amount])
    : token.interface.encodeFunctionData("raiseCap", [amount]);
  const description = $("p-description").value.trim() || (kind === "grant"
    ? `Grant ${formatGrams(amount)} grams to ${window.ethers.getAddress(recipient)}: raise the cap by as much and mint them`
    : `Raise the Black Gold cap by ${formatGrams(amount)} grams`);
  const gov = app.reader.governor;
  act(app.reader.encode(gov, "propose", [[token.target], [0], [data], description]), async (receipt) => {
    const created = receipt.logs.map((log) => { try { return gov.interface.parseLog(log); } catch { return null; } })
      .find((log) => log && log.name === "ProposalCreated");
    const count = Number(await gov.proposalCount());
    return t("proposed", { n: count, when: formatTime(Number(created.args.voteStart) + 1, app.head.timestamp) });
  });
}

// ---------------------------------------------------------------- mining and quote

function renderMining() {
  const m = app.data.mining;
  if (!m) { $("mining").hidden = true; return; }
  const [c, r, s, p] = m.split.map((bps) => `${bps / 100}%`);
  const row = (key, value, id) => `<dt>${esc(t(key))}</dt><dd data-testid="${id}">${esc(value)}</dd>`;
  $("mining-params").innerHTML = [
    row("rate", t("rate_value", { grams: formatGrams(m.rate * 100n) }), "rate"),
    row("epoch", String(m.epoch), "epoch"),
    row("next_halving", t("next_halving_value", { at: formatGrams(m.nextHalvingAt), mined: formatGrams(m.minedTotal) }), "next-halving"),
    row("allocation_left", t("grams", { grams: formatGrams(m.remaining) }), "allocation-left"),
    row("daily_ceiling", t("daily_value", { left: formatGrams(m.dailyLeft, 2), ceiling: formatGrams(m.ceiling, 2) }), "daily-ceiling"),
    row("split", `${t("role_consumer")} ${c} · ${t("role_referrer")} ${r} · ${t("role_supplier")} ${s} · ${t("role_platform")} ${p}`, "split"),
  ].join("");
}

async function quote(event) {
  if (event) event.preventDefault();
  const yuan = $("q-amount").value.trim();
  if (!/^\d+(\.\d{1,2})?$/.test(yuan)) return show(t("err_yuan"), "error");
  const [whole, frac = ""] = yuan.split(".");
  const fen = BigInt(whole) * 100n + BigInt((frac + "00").slice(0, 2));
  const pct = $("q-override").value.trim() || "0";
  if (!/^\d+(\.\d{1,2})?$/.test(pct) || Number(pct) > 100) return show(t("err_override"), "error");
  const bps = Math.round(Number(pct) * 100);
  try {
    const grams = await app.reader.quote(fen, $("q-referrer").checked, bps);
    const total = grams.reduce((a, b) => a + b, 0n);
    $("quote-result").dataset.fen = fen.toString();
    $("quote-result").innerHTML = ROLES.map((role, i) => `<tr><td>${esc(t(`role_${role}`))}</td><td class="num" data-testid="quote-${role}">${formatGrams(grams[i])}</td></tr>`).join("")
      + `<tr><td><b>${esc(t("quote_total"))}</b></td><td class="num" data-testid="quote-total"><b>${formatGrams(total)}</b></td></tr>`;
  } catch (err) {
    showError(app.wallet.classify(err));
  }
}

// ---------------------------------------------------------------- dividends (only with the IDividends extension)

function renderDividends() {
  const section = $("dividends");
  section.hidden = !app.reader.hasDividends;
  if (section.hidden) return;
  const assets = app.data.dividends || [];
  const own = app.data.holder && app.wallet.account && app.data.holder.address.toLowerCase() === app.wallet.account.toLowerCase();
  const head = `<tr><th>${esc(t("asset"))}</th><th class="num">${esc(t("claimable"))}</th><th></th></tr>`;
  $("dividends-body").innerHTML = assets.length ? `<table>${head}${assets.map((a, i) => `<tr>
      <td>${esc(a.symbol)}</td><td class="num" data-testid="claimable-${esc(a.symbol)}">${esc(formatUnits(a.claimable, a.decimals))}</td>
      <td><button data-claim="${i}" data-testid="claim-${esc(a.symbol)}" ${own && canPay("claim") && a.claimable > 0n ? "" : "disabled"}>${esc(a.claimable > 0n ? t("claim") : t("nothing_to_claim"))}</button></td></tr>`).join("")}</table>`
    : `<p class="muted">${esc(t("no_assets"))}</p>`;
  $("dividends-body").querySelectorAll("[data-claim]").forEach((b) => {
    const a = assets[Number(b.dataset.claim)];
    b.onclick = () => act(claimAction(a.address), async (receipt) => {
      const paid = app.reader.claimedAmount(receipt, a.address);
      return t("claimed", { amount: `${formatUnits(paid ?? a.claimable, a.decimals)} ${a.symbol}` });
    });
  });
}

/** Claim `asset` to the connected account (relayed: claimBySig, to the holder). */
function claimAction(asset) {
  const action = app.reader.encode(app.reader.token, "claim", [asset, app.wallet.account]);
  action.relay = { kind: "claim", params: { asset } };
  return action;
}

// ---------------------------------------------------------------- refresh on every new block

function renderAll() {
  renderStatic();
  renderWallet();
  renderMine();
  renderProposals();
  renderMining();
  renderDividends();
}

async function refresh() {
  const r = app.reader;
  app.head = await r.head();
  const now = app.head.timestamp;
  const address = app.viewed || app.wallet.account;
  const account = app.wallet.connected ? app.wallet.account : null;
  const [holder, token, proposals, mining, dividends, eth] = await Promise.all([
    address ? r.holder(address, now) : null,
    r.tokenInfo(),
    r.proposals(now, account),
    r.miningParams(),
    r.hasDividends ? r.dividends(address) : [],
    account ? r.provider.getBalance(account) : null,
  ]);
  app.wallet.ethBalance = eth;
  Object.assign(app.data, { holder, token, proposals, mining, dividends });
  app.data.block = app.head.number;
  renderAll();
  document.body.dataset.block = String(app.head.number);
}

async function poll() {
  try {
    const number = await app.reader.provider.getBlockNumber();
    if (number !== app.data.block && !app.busy) await refresh();
  } catch (err) {
    show(t("err_network", { detail: err.message || String(err) }), "error");
  } finally {
    setTimeout(poll, 1000);
  }
}

async function main() {
  const [config, deployment] = await Promise.all([
    fetch("/api/config").then((r) => r.json()), fetch("/api/deployment").then((r) => r.json()),
  ]);
  app.config = config;
  app.reader = new Reader(deployment, config);
  app.wallet = new Wallet(config, app.reader, () => { app.viewed = null; refresh().catch(showError); });
  setLang(getLang());
  $("lang").onclick = () => {
    setLang(getLang() === "zh" ? "en" : "zh");
    $("message").hidden = true; // it was written in the other language
    renderAll();
    quote();
  };
  $("connect").onclick = () => app.wallet.connect().catch((err) => showError(app.wallet.classify(err)));
  $("switch-network").onclick = () => app.wallet.switchChain()
    .then(() => show(t("switched", { name: config.chain_name })))
    .catch((err) => showError(app.wallet.classify(err)));
  $("gasless").onchange = () => { app.wallet.gasless = $("gasless").checked; };
  $("propose-form").onsubmit = propose;
  $("p-kind").onchange = renderProposeNote;
  $("quote-form").onsubmit = quote;
  $("view-form").onsubmit = (e) => {
    e.preventDefault();
    const value = $("view-address").value.trim();
    if (!window.ethers.isAddress(value)) return show(t("err_address"), "error");
    app.viewed = window.ethers.getAddress(value);
    refresh().catch(showError);
  };
  $("contracts").innerHTML = Object.entries(deployment.contracts).map(([n, a]) => `<dt>${esc(n)}</dt><dd>${esc(a)}</dd>`).join("");
  await app.wallet.restore().catch(() => {});
  await refresh();
  await quote();
  document.body.dataset.ready = "1";
  setTimeout(poll, 1000);
}

main().catch((err) => show(t("err_other", { detail: err.message || String(err) }), "error"));
