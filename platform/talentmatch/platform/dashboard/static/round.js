// /dashboard/rounds/{roundId}: one round's dashboard, read-only, from GraphQL with the
// visitor's token. Everything is drawn from `state`, so that a language switch redraws it all.

import { GraphQLError, token } from "./api.js";
import { LIVE_STATUSES, loadResult, loadRound } from "./data.js";
import { element } from "./dom.js";
import { installLanguageSwitch, lang, onLanguage, orgName, t } from "./i18n.js";
import { drawFills, drawFlows, drawResultFigures, drawSubsidies, drawUnplaced } from "./panels.js";
import { drawProgress, followRun } from "./progress.js";
import { drawWhatIf, loadWhatIf } from "./whatif.js";

const $ = (id) => document.getElementById(id);
const roundId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop());

const state = {
  loaded: null, // loadRound's answer
  result: { summary: null, placements: [] },
  whatIf: undefined,
  progress: { run: null, history: [] },
  platforms: {}, // code -> {zh, en}
  following: null, // id of the run being polled
};

const platformName = (code) => state.platforms[code]?.[lang()] ?? code;

function showMessage(text, link) {
  const message = $("message");
  message.replaceChildren(element("span", text));
  if (link) message.append(" ", element("a", link.text, { href: link.href }));
  message.hidden = false;
}

function drawHeader() {
  const { round, shown } = state.loaded;
  document.title = `${round.name} · TalentMatch`;
  $("round-name").textContent = round.name;
  $("round-meta").textContent = t("round.meta", {
    status: t(`status.${round.status}`),
    region: round.region,
    start: round.seasonStart,
    end: round.seasonEnd,
    association: orgName(round.association),
  });
  $("run-source").textContent = shown
    ? t(`source.${shown.source}`, { version: shown.run.version })
    : t("source.none");
}

function drawAll() {
  if (!state.loaded) return;
  drawHeader();
  const { summary, placements } = state.result;
  drawResultFigures(summary);
  drawFlows(placements, platformName);
  drawFills(summary);
  drawSubsidies(summary);
  drawUnplaced(summary);
  drawProgress(state.progress.run, state.progress.history);
  drawWhatIf(state.whatIf);
}

async function loadPlatforms() {
  try {
    const response = await fetch("/dashboard/reference.json");
    state.platforms = (await response.json()).platforms;
  } catch {
    state.platforms = {}; // codes are shown instead of names
  }
}

async function load() {
  const loaded = await loadRound(roundId);
  if (!loaded) {
    showMessage(t("round.notFound"), { text: t("nav.rounds"), href: "/dashboard/" });
    return;
  }
  const runId = loaded.shown?.run.id;
  state.result = runId ? await loadResult(runId) : { summary: null, placements: [] };
  state.whatIf = runId ? await loadWhatIf(runId) : undefined;
  state.loaded = loaded;
  const live = loaded.runs.find((run) => LIVE_STATUSES.has(run.status));
  state.progress = { run: live ?? loaded.latest, history: [] };
  $("round").hidden = false;
  drawAll();
  if (live && state.following !== live.id) follow(live.id);
}

function follow(runId) {
  state.following = runId;
  followRun(
    runId,
    (run, history) => {
      state.progress = { run, history };
      drawProgress(run, history);
    },
    () => {
      state.following = null;
      load().catch(failed); // the finished run may now be the one to show
    },
  );
}

function failed(error) {
  const message = error instanceof GraphQLError || error instanceof Error ? error.message : String(error);
  showMessage(t("error.load", { message }));
}

installLanguageSwitch();
onLanguage(drawAll);
if (!token()) {
  const next = encodeURIComponent(location.pathname);
  showMessage(t("login.needed"), { text: t("login.title"), href: `/dashboard/?next=${next}` });
} else {
  loadPlatforms()
    .then(load)
    .catch(failed);
}
