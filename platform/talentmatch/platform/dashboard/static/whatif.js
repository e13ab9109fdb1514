// What-if panel: trainees placed with each subsidy budget and programme capacity 10 % higher
// and lower (Run.whatIf). Asked for in a request of its own so that a service without the field
// answers with a validation error that only hides this panel; the rest of the page is unaffected.

import { graphql } from "./api.js";
import { barHeight, draw, drawEmpty } from "./charts.js";
import { fillTable } from "./dom.js";
import { formatInt, orgName, t } from "./i18n.js";

const ORG = "id nameZh nameEn";
const WHAT_IF = `query DashboardWhatIf($id: ID!) {
  node(id: $id) {
    ... on Run {
      id
      whatIf {
        basePlaced percent
        subsidies { code government { ${ORG} } budget placedWithMore placedWithLess }
        programs { code provider { ${ORG} } capacity placedWithMore placedWithLess }
      }
    }
  }
}`;

// The run's whatIf; null when it has none yet; undefined when the API has no such field (or
// could not answer): the panel is then left out.
export async function loadWhatIf(runId) {
  try {
    const { node } = await graphql(WHAT_IF, { id: runId });
    return node ? node.whatIf : null;
  } catch {
    return undefined;
  }
}

function lines(whatIf) {
  return [
    ...whatIf.subsidies.map((line) => ({
      key: `subsidy:${line.code}`,
      name: `${t("whatif.subsidy", { code: line.code })} · ${orgName(line.government)}`,
      more: line.placedWithMore,
      less: line.placedWithLess,
    })),
    ...whatIf.programs.map((line) => ({
      key: `program:${line.code}`,
      name: `${t("whatif.program", { code: line.code })} · ${orgName(line.provider)}`,
      more: line.placedWithMore,
      less: line.placedWithLess,
    })),
  ];
}

// Draws nothing (and keeps the panel hidden) when `whatIf` is undefined.
export function drawWhatIf(whatIf) {
  const panel = document.getElementById("panel-whatif");
  panel.hidden = whatIf === undefined;
  if (whatIf === undefined) return;
  const note = document.getElementById("whatif-note");
  const table = document.getElementById("table-whatif");
  const chart = document.getElementById("chart-whatif");
  chart.hidden = whatIf === null;
  if (whatIf === null) {
    note.textContent = t("whatif.none");
    table.replaceChildren();
    return;
  }
  const percent = whatIf.percent;
  note.textContent = t("whatif.note", { base: formatInt(whatIf.basePlaced), percent });
  const rows = lines(whatIf);
  fillTable(
    table,
    [
      { key: "name", label: t("col.line") },
      { key: "base", label: t("col.base"), numeric: true },
      { key: "more", label: t("col.more", { percent }), numeric: true },
      { key: "less", label: t("col.less", { percent }), numeric: true },
    ],
    rows.map((row) => ({
      key: row.key,
      cells: {
        name: row.name,
        base: formatInt(whatIf.basePlaced),
        more: formatInt(row.more),
        less: formatInt(row.less),
      },
    })),
  );
  if (!rows.length) {
    drawEmpty("chart-whatif");
    return;
  }
  const values = rows.flatMap((row) => [row.more, row.less]).filter((v) => v !== null);
  draw(
    "chart-whatif",
    {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 56, top: 28, bottom: 24, containLabel: true },
      xAxis: { type: "value", min: Math.max(0, Math.min(whatIf.basePlaced, ...values) - 5) },
      yAxis: { type: "category", inverse: true, data: rows.map((row) => row.name), axisLabel: { width: 220, overflow: "truncate" } },
      series: [
        {
          type: "bar",
          name: t("col.more", { percent }),
          data: rows.map((row) => row.more),
          label: { show: true, position: "right" },
          markLine: { symbol: "none", data: [{ xAxis: whatIf.basePlaced, name: t("col.base") }] },
        },
        { type: "bar", name: t("col.less", { percent }), data: rows.map((row) => row.less), label: { show: true, position: "right" } },
      ],
    },
    barHeight(rows.length * 2),
  );
}
