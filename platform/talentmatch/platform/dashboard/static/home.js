// /dashboard/: log in through the logIn mutation, then list the rounds the user sees.

import { dropToken, graphql, keepToken, token } from "./api.js";
import { element, fillTable } from "./dom.js";
import { installLanguageSwitch, onLanguage, orgName, t } from "./i18n.js";

const LOG_IN = `mutation DashboardLogIn($input: LogInInput!) {
  logIn(input: $input) { token errors { field code message } }
}`;
const LOG_OUT = `mutation DashboardLogOut { logOut { errors { code } } }`;
const ME_AND_ROUNDS = `query DashboardRounds {
  me { email organization { nameZh nameEn } }
  rounds(first: 100) {
    edges { node { id name region status seasonStart seasonEnd association { nameZh nameEn } } }
  }
}`;

const $ = (id) => document.getElementById(id);
let shown = null; // {me, rounds} once loaded, redrawn on a language switch

function showLogin(message) {
  $("rounds").hidden = true;
  $("login").hidden = false;
  $("login-error").hidden = !message;
  $("login-error").textContent = message || "";
}

function drawRounds() {
  const { me, rounds } = shown;
  $("who").textContent = t("login.as", { email: me.email, organization: orgName(me.organization) });
  $("no-rounds").hidden = rounds.length > 0;
  const columns = [
    { key: "name", label: t("rounds.name") },
    { key: "region", label: t("rounds.region") },
    { key: "season", label: t("rounds.season") },
    { key: "status", label: t("rounds.status") },
    { key: "association", label: t("rounds.association") },
  ];
  fillTable(
    $("round-list"),
    columns,
    rounds.map((round) => ({
      key: round.id,
      cells: {
        name: "",
        region: round.region,
        season: `${round.seasonStart} – ${round.seasonEnd}`,
        status: t(`status.${round.status}`),
        association: orgName(round.association),
      },
    })),
  );
  // The name cell holds the link to the round's dashboard.
  for (const [index, round] of rounds.entries()) {
    const cell = $("round-list").tBodies[0].rows[index].cells[0];
    cell.append(element("a", round.name, { href: `/dashboard/rounds/${encodeURIComponent(round.id)}` }));
  }
}

async function showRounds() {
  const data = await graphql(ME_AND_ROUNDS);
  if (!data.me) {
    dropToken(); // expired or revoked
    showLogin(t("login.needed"));
    return;
  }
  shown = { me: data.me, rounds: data.rounds.edges.map((edge) => edge.node) };
  $("login").hidden = true;
  $("rounds").hidden = false;
  drawRounds();
}

// Only a dashboard address of this site: the parameter must not send anyone elsewhere.
function nextPage() {
  const next = new URLSearchParams(location.search).get("next") || "";
  return /^\/dashboard\/rounds\/[^/]+$/.test(next) ? next : null;
}

async function logIn(event) {
  event.preventDefault();
  const form = event.target;
  const input = { email: form.email.value.trim(), password: form.password.value };
  try {
    const { logIn: payload } = await graphql(LOG_IN, { input });
    if (payload.errors.length) {
      const error = payload.errors[0];
      const known = t(`login.${error.code}`);
      showLogin(known === `login.${error.code}` ? t("login.failed", { message: error.message }) : known);
      return;
    }
    keepToken(payload.token);
    form.password.value = "";
    const next = nextPage();
    if (next) location.assign(next);
    else await showRounds();
  } catch (error) {
    showLogin(t("login.failed", { message: error.message }));
  }
}

async function logOut() {
  try {
    await graphql(LOG_OUT); // revoke the token on the server, not only forget it here
  } finally {
    dropToken();
    shown = null;
    showLogin("");
  }
}

installLanguageSwitch();
onLanguage(() => shown && drawRounds());
$("login-form").addEventListener("submit", logIn);
$("logout").addEventListener("click", logOut);
if (token()) showRounds().catch((error) => showLogin(t("error.load", { message: error.message })));
else showLogin("");
