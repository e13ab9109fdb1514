// What a round's dashboard reads from GraphQL, and which run it shows: the published run, or
// before publishing the latest run that succeeded (only the association sees those).

import { graphql } from "./api.js";

const ORG = "id nameZh nameEn";
export const RUN_FIELDS = `id version status incumbentPlaced boundPlaced gap elapsedSeconds
  timeLimitSeconds solutionStatus createdAt finishedAt`;

const ROUND = `query DashboardRound($id: ID!) {
  round(id: $id) {
    id name region status seasonStart seasonEnd
    association { ${ORG} }
    publishedRun { ${RUN_FIELDS} }
    runs(first: 20) { edges { node { ${RUN_FIELDS} } } }
  }
}`;

const RESULT = `query DashboardRunResult($id: ID!, $after: String) {
  node(id: $id) {
    ... on Run {
      id
      summary {
        status placed trainees slots fillRate preference subsidySpent sponsorship programsOpened
        bySchool { organization { ${ORG} } offered placed fillRate }
        byEnterprise { organization { ${ORG} } offered placed fillRate }
        subsidies { code government { ${ORG} } budget spent trainees share }
        unplaced { reason trainees cohorts }
      }
      placements(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { node {
          trainees platform programCode
          school { ${ORG} } provider { ${ORG} } enterprise { ${ORG} }
        } }
      }
    }
  }
}`;

export const LIVE_STATUSES = new Set(["QUEUED", "RUNNING"]);

// {round, runs (newest first), shown: {run, source} | null, latest: the newest run or null}
export async function loadRound(roundId) {
  const { round } = await graphql(ROUND, { id: roundId });
  if (!round) return null;
  const runs = round.runs.edges.map((edge) => edge.node);
  let shown = null;
  if (round.publishedRun) shown = { run: round.publishedRun, source: "published" };
  else {
    const succeeded = runs.find((run) => run.status === "SUCCEEDED");
    if (succeeded) shown = { run: succeeded, source: "latest" };
  }
  return { round, runs, shown, latest: runs[0] ?? round.publishedRun ?? null };
}

// The run's summary and every placement the caller may see (page by page).
export async function loadResult(runId) {
  let summary = null;
  const placements = [];
  let after = null;
  do {
    const { node } = await graphql(RESULT, { id: runId, after });
    if (!node) break;
    summary = node.summary;
    placements.push(...node.placements.edges.map((edge) => edge.node));
    after = node.placements.pageInfo.hasNextPage ? node.placements.pageInfo.endCursor : null;
  } while (after);
  return { summary, placements };
}
