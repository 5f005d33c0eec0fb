// Texts in English and Chinese, and the formatting of grams and chain times.
// t(key, {name: value}) fills {name} placeholders; a key missing in Chinese falls back to English.

const EN = {
  title: "Black Gold",
  subtitle: "Grams mined by shopping. The rules are on chain and the same for everyone.",
  lang_switch: "中文",
  connect: "Connect wallet",
  connecting: "Connecting…",
  no_wallet: "No browser wallet found (MetaMask or similar). You can still browse read-only.",
  connected_as: "Connected: {address}",
  read_only: "Read-only: connect a wallet to delegate, propose, vote or claim.",
  chain_time: "Block {block} · chain time {time}",
  wrong_network: "Your wallet is on chain {wallet}. This app runs on {name} (chain id {expected}).",
  switch_network: "Switch to {name}",
  switched: "Wallet switched to {name}.",
  my_grams: "My grams",
  view_address: "View an address",
  view: "View",
  balance: "Balance",
  mined_by_role: "Grams mined by role",
  role_consumer: "as consumer",
  role_referrer: "as referrer",
  role_supplier: "as supplier",
  role_platform: "as platform",
  voting_power: "Voting power",
  delegate: "Delegate",
  delegate_none: "nobody (votes not active)",
  delegate_self: "yourself",
  delegate_prompt: "You hold {grams} grams but have no voting power: grams vote only once delegated. Delegate to yourself first (one transaction, once).",
  self_delegate: "Delegate to myself",
  delegated: "Votes delegated to yourself: {grams} grams of voting power.",
  connect_first: "Connect a wallet, or enter an address to view.",
  grams: "{grams} grams",
  cap: "Cap",
  supply: "Supply",
  proposals: "Proposals",
  new_proposal: "New issuance proposal",
  kind: "Kind",
  kind_raise: "Raise the cap",
  kind_grant: "Grant: raise the cap and mint to a recipient",
  amount_grams: "Amount (grams)",
  recipient: "Recipient address",
  description: "Description (optional)",
  propose: "Propose",
  proposed: "Proposal #{n} created. Voting opens {when}.",
  threshold_ok: "You have {power} grams of voting power; proposing needs {threshold}.",
  threshold_missing: "Proposing needs {threshold} grams of voting power; you have {power}: {missing} grams missing.",
  threshold_next_block: "Your delegation counts from the next block: proposing opens then.",
  threshold_connect: "Connect a wallet to propose (needs {threshold} grams of voting power).",
  no_proposals: "No proposal yet.",
  state_0: "Pending", state_1: "Active", state_2: "Canceled", state_3: "Defeated",
  state_4: "Succeeded", state_5: "Queued", state_6: "Expired", state_7: "Executed",
  proposer: "Proposer",
  snapshot: "Snapshot (voting opens)",
  deadline: "Voting closes",
  eta: "Executable from",
  not_queued: "not queued",
  votes_for: "For", votes_against: "Against", votes_abstain: "Abstain",
  quorum: "Quorum",
  quorum_reached: "reached ({have} of {need} grams)",
  quorum_missing: "not reached ({have} of {need} grams)",
  quorum_estimate: "{need} grams (estimate until the snapshot)",
  action: "Action",
  action_raise: "Raise the cap by {grams} grams",
  action_grant: "Raise the cap by {grams} grams and mint them to {recipient}",
  action_unknown: "Call {selector} on {target}",
  result: "Result",
  result_executed: "Executed: cap raised from {before} to {after} grams.",
  result_pending: "If executed: cap {before} → {after} grams.",
  reason: "Reason (optional)",
  vote_for: "Vote for", vote_against: "Vote against", vote_abstain: "Abstain",
  voted: "Vote recorded: {support} with {grams} grams.",
  you_voted: "You voted.",
  no_power_at_snapshot: "You had no voting power at this proposal's snapshot.",
  voting_not_open: "Voting opens {when}.",
  queue: "Queue",
  execute: "Execute",
  queued: "Proposal #{n} queued: executable {when}.",
  executed: "Proposal #{n} executed.",
  timelock_wait: "Timelock delay runs until {when}.",
  in: "in {d}", ago: "{d} ago", now: "now",
  mining: "Mining",
  rate: "Current rate",
  rate_value: "{grams} grams per yuan",
  epoch: "Epoch",
  next_halving: "Next halving",
  next_halving_value: "when {at} grams are mined ({mined} so far)",
  allocation_left: "Allocation left",
  daily_ceiling: "Daily ceiling",
  daily_value: "{left} of {ceiling} grams available",
  split: "Split",
  quote: "Quote a purchase",
  amount_yuan: "Amount paid (yuan)",
  has_referrer: "With a referrer",
  override: "Merchant's referrer share (%; 0 = default)",
  quote_button: "Quote",
  quote_total: "total",
  dividends: "Dividends",
  asset: "Asset",
  claimable: "Claimable",
  claim: "Claim",
  claimed: "Claimed {amount}.",
  nothing_to_claim: "nothing to claim",
  no_assets: "No payout asset is registered yet.",
  err_rejected: "You rejected the request in your wallet: nothing was sent.",
  err_revert: "The transaction would fail: {name}{args}. {hint}",
  err_network: "The chain did not answer: {detail}",
  err_other: "Something went wrong: {detail}",
  err_amount: "Enter an amount in grams, like 50,000,000.",
  err_address: "Enter the recipient's address (0x followed by 40 hex digits).",
  err_yuan: "Enter the amount paid in yuan, like 199.90.",
  err_override: "The merchant's share is a percentage between 0 and 100.",
  hint_GovernorUnexpectedProposalState: "An identical proposal may already exist, or the proposal is not in the right state.",
  hint_GovernorInsufficientProposerVotes: "Not enough voting power to propose.",
  hint_GovernorAlreadyCastVote: "This account already voted on this proposal.",
  hint_CapExceeded: "Not enough room left under the cap.",
  hint_CapTooLarge: "The cap would pass the token's maximum.",
  sent: "Sent, waiting for the block…",
  gasless: "Without ETH: sign, and the relay sends (delegate, vote, claim)",
  gasless_no_eth: "This account has no ETH: delegating, voting and claiming go through the relay (you only sign)",
  relay_progress: "Relay request #{id}: {status}",
  relay_accepted: "accepted, waiting for the relay…",
  relay_signed: "signed by the relay, sending…",
  relay_sent: "sent, waiting for the block…",
  relay_confirmed: "confirmed",
  relay_failed: "failed",
  err_relay: "The relay refused or failed: {detail}",
  needs_eth_relay: "This account has no ETH: proposing, queueing and executing need ETH for gas; delegate, vote and claim work without ETH through the relay.",
  needs_eth: "This account has no ETH: sending a transaction needs ETH for gas.",
  working: "Waiting for your wallet…",
  contracts: "Contracts",
  refresh: "Refresh",
};

const ZH = {
  title: "黑金",
  subtitle: "消费即挖矿。规则写在链上,对每个人都一样。",
  lang_switch: "English",
  connect: "连接钱包",
  connecting: "正在连接…",
  no_wallet: "未发现浏览器钱包(MetaMask 等)。仍可只读浏览。",
  connected_as: "已连接:{address}",
  read_only: "只读模式:连接钱包后可委托、提案、投票或领取分红。",
  chain_time: "区块 {block} · 链上时间 {time}",
  wrong_network: "钱包当前在链 {wallet} 上。本应用运行在 {name}(链 ID {expected})。",
  switch_network: "切换到 {name}",
  switched: "钱包已切换到 {name}。",
  my_grams: "我的克数",
  view_address: "查看地址",
  view: "查看",
  balance: "余额",
  mined_by_role: "按角色挖得的克数",
  role_consumer: "作为消费者",
  role_referrer: "作为推荐人",
  role_supplier: "作为供应商",
  role_platform: "作为平台",
  voting_power: "投票权",
  delegate: "委托对象",
  delegate_none: "无(投票权未激活)",
  delegate_self: "自己",
  delegate_prompt: "你持有 {grams} 克,但投票权为零:克数委托后才能投票。请先委托给自己(一笔交易,只需一次)。",
  self_delegate: "委托给自己",
  delegated: "已委托给自己:投票权 {grams} 克。",
  connect_first: "请连接钱包,或输入要查看的地址。",
  grams: "{grams} 克",
  cap: "上限",
  supply: "流通量",
  proposals: "提案",
  new_proposal: "新增发提案",
  kind: "类型",
  kind_raise: "提高上限",
  kind_grant: "增发:提高上限并铸造给接收人",
  amount_grams: "数量(克)",
  recipient: "接收人地址",
  description: "说明(可选)",
  propose: "提交提案",
  proposed: "提案 #{n} 已创建。投票于 {when} 开始。",
  threshold_ok: "你的投票权为 {power} 克;提案门槛为 {threshold} 克。",
  threshold_missing: "提案需要 {threshold} 克投票权;你有 {power} 克:还差 {missing} 克。",
  threshold_next_block: "你的委托从下一个区块起生效,届时即可提案。",
  threshold_connect: "连接钱包后可提案(需要 {threshold} 克投票权)。",
  no_proposals: "暂无提案。",
  state_0: "待开始", state_1: "投票中", state_2: "已取消", state_3: "未通过",
  state_4: "已通过", state_5: "已排队", state_6: "已过期", state_7: "已执行",
  proposer: "提案人",
  snapshot: "快照(投票开始)",
  deadline: "投票截止",
  eta: "可执行时间",
  not_queued: "未排队",
  votes_for: "赞成", votes_against: "反对", votes_abstain: "弃权",
  quorum: "法定票数",
  quorum_reached: "已达到({have} / {need} 克)",
  quorum_missing: "未达到({have} / {need} 克)",
  quorum_estimate: "{need} 克(快照前为估计值)",
  action: "操作",
  action_raise: "将上限提高 {grams} 克",
  action_grant: "将上限提高 {grams} 克并铸造给 {recipient}",
  action_unknown: "调用 {target} 的 {selector}",
  result: "结果",
  result_executed: "已执行:上限从 {before} 克提高到 {after} 克。",
  result_pending: "若执行:上限 {before} → {after} 克。",
  reason: "理由(可选)",
  vote_for: "投赞成票", vote_against: "投反对票", vote_abstain: "弃权",
  voted: "投票已记录:{support},{grams} 克。",
  you_voted: "你已投票。",
  no_power_at_snapshot: "该提案快照时你没有投票权。",
  voting_not_open: "投票于 {when} 开始。",
  queue: "排队",
  execute: "执行",
  queued: "提案 #{n} 已排队:{when} 起可执行。",
  executed: "提案 #{n} 已执行。",
  timelock_wait: "时间锁延迟至 {when}。",
  in: "{d}后", ago: "{d}前", now: "现在",
  mining: "挖矿",
  rate: "当前速率",
  rate_value: "每元 {grams} 克",
  epoch: "周期",
  next_halving: "下次减半",
  next_halving_value: "挖出 {at} 克时(已挖 {mined} 克)",
  allocation_left: "剩余配额",
  daily_ceiling: "每日上限",
  daily_value: "可用 {left} / {ceiling} 克",
  split: "分配比例",
  quote: "购物挖矿试算",
  amount_yuan: "支付金额(元)",
  has_referrer: "有推荐人",
  override: "商家设定的推荐人比例(%;0 = 默认)",
  quote_button: "试算",
  quote_total: "合计",
  dividends: "分红",
  asset: "资产",
  claimable: "可领取",
  claim: "领取",
  claimed: "已领取 {amount}。",
  nothing_to_claim: "暂无可领取",
  no_assets: "尚未登记分红资产。",
  err_rejected: "你在钱包中拒绝了请求:未发送任何交易。",
  err_revert: "交易将会失败:{name}{args}。{hint}",
  err_network: "链无响应:{detail}",
  err_other: "出错了:{detail}",
  err_amount: "请输入克数,例如 50,000,000。",
  err_address: "请输入接收人地址(0x 加 40 位十六进制)。",
  err_yuan: "请输入支付金额(元),例如 199.90。",
  err_override: "商家比例应在 0 到 100 之间。",
  hint_GovernorUnexpectedProposalState: "可能已存在相同的提案,或提案状态不允许此操作。",
  hint_GovernorInsufficientProposerVotes: "投票权不足,无法提案。",
  hint_GovernorAlreadyCastVote: "该账户已对此提案投票。",
  hint_CapExceeded: "上限剩余额度不足。",
  hint_CapTooLarge: "上限将超过代币的最大值。",
  sent: "已发送,等待出块…",
  gasless: "无需 ETH:只签名,由中继发送(委托、投票、领取)",
  gasless_no_eth: "此账户没有 ETH:委托、投票和领取都通过中继完成(您只需签名)",
  relay_progress: "中继请求 #{id}:{status}",
  relay_accepted: "已受理,等待中继…",
  relay_signed: "中继已签名,正在发送…",
  relay_sent: "已发送,等待出块…",
  relay_confirmed: "已确认",
  relay_failed: "失败",
  err_relay: "中继拒绝或失败:{detail}",
  needs_eth_relay: "此账户没有 ETH:提案、排队和执行需要 ETH 支付 gas;委托、投票和领取可通过中继完成,无需 ETH。",
  needs_eth: "此账户没有 ETH:发送交易需要 ETH 支付 gas。",
  working: "等待钱包确认…",
  contracts: "合约",
  refresh: "刷新",
};

const DICTS = { en: EN, zh: ZH };
let lang = (localStorage.getItem("bg-lang") || (navigator.language || "en")).toLowerCase().startsWith("zh") ? "zh" : "en";

export function getLang() { return lang; }

export function setLang(value) {
  lang = value === "zh" ? "zh" : "en";
  localStorage.setItem("bg-lang", lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

export function t(key, vars = {}) {
  const text = DICTS[lang][key] ?? EN[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export function hasKey(key) { return key in EN; }

/** Base units (bigint) -> "50,000,000" or "61.725": thousands separators, no trailing zeros; exact unless
 *  `maxDecimals` cuts the fraction (rounding down: a level shown is never more than the chain's). */
export function formatUnits(value, decimals = 18, maxDecimals = decimals) {
  let v = BigInt(value);
  const sign = v < 0n ? "-" : "";
  if (v < 0n) v = -v;
  const base = 10n ** BigInt(decimals);
  const whole = (v / base).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const frac = (v % base).toString().padStart(decimals, "0").slice(0, maxDecimals).replace(/0+$/, "");
  return sign + whole + (frac ? "." + frac : "");
}

export const formatGrams = (wei, maxDecimals = 18) => formatUnits(wei, 18, maxDecimals);

/** "50,000,000" / "50000000" / "2,500.5" grams -> wei (bigint); null when it is not a plain amount. */
export function parseGrams(text) {
  const cleaned = String(text).trim();
  if (!/^\d{1,3}(,\d{3})*(\.\d+)?$|^\d+(_\d+)*(\.\d+)?$/.test(cleaned)) return null;
  const [whole, frac = ""] = cleaned.replace(/[,_]/g, "").split(".");
  if (frac.length > 18) return null;
  return BigInt(whole) * 10n ** 18n + BigInt((frac + "0".repeat(18)).slice(0, 18));
}

export function formatDuration(seconds) {
  let s = Math.abs(Number(seconds));
  const parts = [];
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]]) {
    if (s >= size) { parts.push(`${Math.floor(s / size)}${unit}`); s %= size; }
  }
  if (s || !parts.length) parts.push(`${s}s`);
  return parts.slice(0, 2).join(" ");
}

/** A chain timestamp in the reader's local time, with how far it is from the chain's own clock (`now`). */
export function formatTime(ts, now) {
  const when = new Date(Number(ts) * 1000).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
  const delta = Number(ts) - Number(now);
  const rel = delta > 0 ? t("in", { d: formatDuration(delta) }) : delta === 0 ? t("now") : t("ago", { d: formatDuration(delta) });
  return `${when} (${rel})`;
}

export function shortAddress(address) {
  return address ? `${address.slice(0, 6)}…${address.slice(-4)}` : "";
}
