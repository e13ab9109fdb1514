// Labels in Chinese and English. The choice is kept in localStorage; switching relabels the
// page in place (elements with data-i18n, and whatever the listeners redraw).

const STORAGE_KEY = "talentmatch.lang";

const LABELS = {
  zh: {
    "app.subtitle": "跨境电商人才匹配 · 看板",
    "nav.rounds": "全部轮次",
    "login.title": "登录",
    "login.email": "邮箱",
    "login.password": "密码",
    "login.submit": "登录",
    "login.logout": "退出登录",
    "login.failed": "登录失败：{message}",
    "login.INVALID_CREDENTIALS": "邮箱或密码不正确。",
    "login.TOO_MANY_ATTEMPTS": "尝试次数过多，请稍后再试。",
    "login.needed": "请先登录。",
    "login.as": "当前用户：{email}（{organization}）",
    "rounds.title": "匹配轮次",
    "rounds.none": "没有可见的轮次。",
    "rounds.name": "名称",
    "rounds.region": "地区",
    "rounds.season": "季度",
    "rounds.status": "状态",
    "rounds.association": "行业协会",
    "round.notFound": "找不到该轮次，或您无权查看。",
    "round.meta": "{status} · 地区 {region} · {start} 至 {end} · {association}",
    "error.load": "数据读取失败：{message}",
    "status.OPEN": "开放中",
    "status.CLOSED": "已关闭",
    "status.PUBLISHED": "已发布",
    "run.QUEUED": "排队中",
    "run.RUNNING": "求解中",
    "run.SUCCEEDED": "已完成",
    "run.FAILED": "失败",
    "run.CANCELLED": "已取消",
    "source.published": "已发布结果：第 {version} 版运行",
    "source.latest": "尚未发布：第 {version} 版运行（最新的成功运行）",
    "source.none": "暂无结果：本轮尚未完成匹配。",
    "panel.result": "匹配结果",
    "panel.flows": "人才流向：学校 → 平台 → 培训项目 → 企业",
    "panel.schoolFill": "各学校匹配率",
    "panel.enterpriseFill": "各企业满足率",
    "panel.subsidies": "补贴使用与预算",
    "panel.unplaced": "未匹配学员及原因",
    "panel.progress": "求解进度",
    "panel.whatIf": "假设分析（±10 %）",
    "figure.placed": "已匹配人数",
    "figure.trainees": "学员总数",
    "figure.slots": "需求总数",
    "figure.fillRate": "匹配率",
    "figure.subsidySpent": "补贴支出（元）",
    "figure.sponsorship": "企业资助（元）",
    "figure.programsOpened": "开班数",
    "figure.preference": "偏好得分",
    "figure.status": "求解状态",
    "flows.figures": "{placements} 条匹配，共 {trainees} 名学员",
    "flows.others": "其他 {count} 家企业",
    "col.school": "学校",
    "col.enterprise": "企业",
    "col.placed": "已匹配",
    "col.offered": "人数/名额",
    "col.fillRate": "比例",
    "col.subsidy": "补贴项目",
    "col.government": "政府部门",
    "col.spent": "已用（元）",
    "col.budget": "预算（元）",
    "col.share": "使用率",
    "col.trainees": "学员",
    "col.reason": "原因",
    "col.cohorts": "班级数",
    "col.line": "项目",
    "col.base": "当前",
    "col.more": "+{percent} %",
    "col.less": "−{percent} %",
    "series.fillRate": "比例（%）",
    "series.spent": "已用",
    "series.budget": "预算",
    "series.trainees": "学员",
    "series.incumbent": "当前最优",
    "series.bound": "上界",
    "empty": "暂无数据",
    "progress.run": "运行",
    "progress.status": "状态",
    "progress.incumbent": "当前最优（人）",
    "progress.bound": "上界（人）",
    "progress.gap": "差距",
    "progress.elapsed": "用时（秒）",
    "progress.timeLimit": "时限（秒）",
    "progress.live": "每秒刷新",
    "progress.none": "尚无匹配运行",
    "whatif.none": "该运行尚未做假设分析（analyzeWhatIf）。",
    "whatif.note": "基准：{base} 人；每项补贴预算或培训容量增减 {percent} % 后的匹配人数",
    "whatif.subsidy": "补贴 {code}",
    "whatif.program": "项目 {code}",
    "reason.NO_COMPATIBLE_PROGRAM": "无匹配的培训项目",
    "reason.NO_COMPATIBLE_REQUEST": "无匹配的实习需求",
    "reason.NO_COMPATIBLE_COHORT": "无匹配的班级",
    "reason.PROGRAM_CAPACITY": "培训容量不足",
    "reason.MIN_CLASS_SIZE": "未达开班人数",
    "reason.REQUEST_SLOTS": "实习名额不足",
    "reason.COHORT_SIZE": "班级人数不足",
    "reason.FUNDING": "经费不足",
    "reason.PROGRAM_LIMIT": "开班数上限",
  },
  en: {
    "app.subtitle": "Cross-border e-commerce talent matching · dashboard",
    "nav.rounds": "All rounds",
    "login.title": "Log in",
    "login.email": "Email",
    "login.password": "Password",
    "login.submit": "Log in",
    "login.logout": "Log out",
    "login.failed": "Log-in failed: {message}",
    "login.INVALID_CREDENTIALS": "Wrong email or password.",
    "login.TOO_MANY_ATTEMPTS": "Too many attempts; try again later.",
    "login.needed": "Please log in first.",
    "login.as": "Logged in as {email} ({organization})",
    "rounds.title": "Matching rounds",
    "rounds.none": "No rounds to show.",
    "rounds.name": "Name",
    "rounds.region": "Region",
    "rounds.season": "Season",
    "rounds.status": "Status",
    "rounds.association": "Association",
    "round.notFound": "No such round, or you may not see it.",
    "round.meta": "{status} · region {region} · {start} to {end} · {association}",
    "error.load": "Could not read the data: {message}",
    "status.OPEN": "Open",
    "status.CLOSED": "Closed",
    "status.PUBLISHED": "Published",
    "run.QUEUED": "Queued",
    "run.RUNNING": "Running",
    "run.SUCCEEDED": "Succeeded",
    "run.FAILED": "Failed",
    "run.CANCELLED": "Cancelled",
    "source.published": "Published result: run version {version}",
    "source.latest": "Not published yet: run version {version} (the latest that succeeded)",
    "source.none": "No result yet: this round has not been matched.",
    "panel.result": "Matching result",
    "panel.flows": "Flows: schools → platforms → programmes → enterprises",
    "panel.schoolFill": "Fill rate by school",
    "panel.enterpriseFill": "Fill rate by enterprise",
    "panel.subsidies": "Subsidy use against budget",
    "panel.unplaced": "Unplaced trainees by reason",
    "panel.progress": "Solver progress",
    "panel.whatIf": "What-if (±10 %)",
    "figure.placed": "Trainees placed",
    "figure.trainees": "Trainees",
    "figure.slots": "Intern slots",
    "figure.fillRate": "Fill rate",
    "figure.subsidySpent": "Subsidy spent (yuan)",
    "figure.sponsorship": "Sponsorship (yuan)",
    "figure.programsOpened": "Programmes opened",
    "figure.preference": "Preference score",
    "figure.status": "Solution status",
    "flows.figures": "{placements} placements, {trainees} trainees",
    "flows.others": "{count} other enterprises",
    "col.school": "School",
    "col.enterprise": "Enterprise",
    "col.placed": "Placed",
    "col.offered": "Offered",
    "col.fillRate": "Fill",
    "col.subsidy": "Subsidy",
    "col.government": "Government",
    "col.spent": "Spent (yuan)",
    "col.budget": "Budget (yuan)",
    "col.share": "Used",
    "col.trainees": "Trainees",
    "col.reason": "Reason",
    "col.cohorts": "Cohorts",
    "col.line": "Line",
    "col.base": "Now",
    "col.more": "+{percent} %",
    "col.less": "−{percent} %",
    "series.fillRate": "Fill (%)",
    "series.spent": "Spent",
    "series.budget": "Budget",
    "series.trainees": "Trainees",
    "series.incumbent": "Best so far",
    "series.bound": "Bound",
    "empty": "No data",
    "progress.run": "Run",
    "progress.status": "Status",
    "progress.incumbent": "Best so far (trainees)",
    "progress.bound": "Bound (trainees)",
    "progress.gap": "Gap",
    "progress.elapsed": "Elapsed (s)",
    "progress.timeLimit": "Time limit (s)",
    "progress.live": "refreshed every second",
    "progress.none": "No matching run yet",
    "whatif.none": "This run has no what-if analysis yet (analyzeWhatIf).",
    "whatif.note": "Base: {base} placed; trainees placed with each subsidy budget or programme capacity {percent} % higher or lower",
    "whatif.subsidy": "Subsidy {code}",
    "whatif.program": "Programme {code}",
    "reason.NO_COMPATIBLE_PROGRAM": "No compatible programme",
    "reason.NO_COMPATIBLE_REQUEST": "No compatible intern request",
    "reason.NO_COMPATIBLE_COHORT": "No compatible cohort",
    "reason.PROGRAM_CAPACITY": "Programme capacity",
    "reason.MIN_CLASS_SIZE": "Minimum class size",
    "reason.REQUEST_SLOTS": "Intern slots",
    "reason.COHORT_SIZE": "Cohort size",
    "reason.FUNDING": "Funding",
    "reason.PROGRAM_LIMIT": "Programme limit",
  },
};

const listeners = [];

export function lang() {
  const kept = localStorage.getItem(STORAGE_KEY);
  return kept in LABELS ? kept : "zh";
}

// The label of `key` with {name} placeholders filled in; the key itself when unknown, so that
// a missing label shows up instead of vanishing.
export function t(key, params = {}) {
  const text = LABELS[lang()][key] ?? LABELS.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// An organization's name in the current language (the Chinese one when it has no English one).
export function orgName(org) {
  return lang() === "en" && org.nameEn ? org.nameEn : org.nameZh;
}

export function onLanguage(listener) {
  listeners.push(listener);
}

function applyLabels() {
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang()));
  }
}

// Wire the 中文 / English buttons and label the page once.
export function installLanguageSwitch() {
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      localStorage.setItem(STORAGE_KEY, button.dataset.lang);
      applyLabels();
      for (const listener of listeners) listener();
    });
  }
  applyLabels();
}

const integers = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatInt(value) {
  return value === null || value === undefined ? "–" : integers.format(value);
}

export function formatPercent(ratio) {
  return ratio === null || ratio === undefined ? "–" : `${(ratio * 100).toFixed(1)} %`;
}

export function formatSeconds(value) {
  return value === null || value === undefined ? "–" : value.toFixed(1);
}
