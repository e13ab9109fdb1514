// The panels of a run's result: key figures, flows (Sankey), fill rates, subsidies, unplaced
// trainees. Each draws its chart and writes the same numbers as text beside it.

import { barHeight, draw, drawEmpty, escape, horizontalBars } from "./charts.js";
import { element, fillFigures, fillTable } from "./dom.js";
import { formatInt, formatPercent, orgName, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const percentOf = (ratio) => Math.round(ratio * 1000) / 10;

// A reason the labels do not know yet shows as its code rather than as a label key.
function reasonName(code) {
  const label = t(`reason.${code}`);
  return label === `reason.${code}` ? code : label;
}

export function drawResultFigures(summary) {
  const figures = summary
    ? [
        ["placed", formatInt(summary.placed)],
        ["trainees", formatInt(summary.trainees)],
        ["slots", formatInt(summary.slots)],
        ["fillRate", formatPercent(summary.fillRate)],
        ["subsidySpent", formatInt(summary.subsidySpent)],
        ["sponsorship", formatInt(summary.sponsorship)],
        ["programsOpened", formatInt(summary.programsOpened)],
        ["preference", formatInt(summary.preference)],
        ["status", summary.status],
      ]
    : [];
  fillFigures(
    $("result-figures"),
    figures.map(([key, value]) => ({ key, label: t(`figure.${key}`), value })),
  );
}

// Enterprises beyond the largest ones are drawn as one node, so that every label stays readable.
const SHOWN_ENTERPRISES = 24;

// The enterprises to draw by id; the rest go to the "others" node.
function largestEnterprises(placements) {
  const totals = new Map();
  for (const p of placements) totals.set(p.enterprise.id, (totals.get(p.enterprise.id) ?? 0) + p.trainees);
  const ranked = [...totals].sort((a, b) => b[1] - a[1]);
  return { shown: new Set(ranked.slice(0, SHOWN_ENTERPRISES).map(([id]) => id)), others: Math.max(0, ranked.length - SHOWN_ENTERPRISES) };
}

// Nodes keyed by layer and id (a school and an enterprise may share a name); links summed.
export function flowGraph(placements, platformName) {
  const { shown, others } = largestEnterprises(placements);
  const nodes = new Map();
  const links = new Map();
  const node = (key, label, depth) => {
    if (!nodes.has(key)) nodes.set(key, { name: key, label, depth });
    return key;
  };
  const link = (source, target, value) => {
    const key = `${source}\n${target}`;
    links.set(key, (links.get(key) ?? 0) + value);
  };
  for (const p of placements) {
    const school = node(`school:${p.school.id}`, orgName(p.school), 0);
    const platform = node(`platform:${p.platform}`, platformName(p.platform), 1);
    const program = node(`program:${p.programCode}`, `${p.programCode} · ${orgName(p.provider)}`, 2);
    const enterprise = shown.has(p.enterprise.id)
      ? node(`enterprise:${p.enterprise.id}`, orgName(p.enterprise), 3)
      : node("enterprise:others", t("flows.others", { count: others }), 3);
    link(school, platform, p.trainees);
    link(platform, program, p.trainees);
    link(program, enterprise, p.trainees);
  }
  return {
    nodes: [...nodes.values()],
    links: [...links].map(([key, value]) => {
      const [source, target] = key.split("\n");
      return { source, target, value };
    }),
  };
}

export function drawFlows(placements, platformName) {
  const trainees = placements.reduce((sum, p) => sum + p.trainees, 0);
  $("flows-figures").replaceChildren(
    element("span", t("flows.figures", { placements: formatInt(placements.length), trainees: formatInt(trainees) }), {
      "data-figure": "flow-trainees",
      "data-placements": String(placements.length),
      "data-trainees": String(trainees),
    }),
  );
  if (!placements.length) return drawEmpty("chart-flows");
  const graph = flowGraph(placements, platformName);
  const labels = new Map(graph.nodes.map((n) => [n.name, n.label]));
  const widest = Math.max(...[0, 1, 2, 3].map((d) => graph.nodes.filter((n) => n.depth === d).length));
  return draw(
    "chart-flows",
    {
      tooltip: {
        trigger: "item",
        formatter: (p) =>
          p.dataType === "edge"
            ? `${escape(labels.get(p.data.source))} → ${escape(labels.get(p.data.target))}: ${formatInt(p.data.value)}`
            : `${escape(p.data.label)}: ${formatInt(p.value)}`,
      },
      series: [
        {
          type: "sankey",
          left: 8,
          right: 200,
          top: 8,
          bottom: 8,
          nodeGap: 6,
          emphasis: { focus: "adjacency" },
          data: graph.nodes,
          links: graph.links,
          // Long names (English ones especially) are cut, whole in the tooltip.
          label: { formatter: (p) => p.data.label, fontSize: 11, width: 190, overflow: "truncate" },
          lineStyle: { color: "gradient", curveness: 0.5, opacity: 0.35 },
        },
      ],
    },
    Math.max(420, widest * 22 + 40),
  );
}

function drawFill(kind, lines) {
  const table = $(`table-${kind}-fill`);
  const columns = [
    { key: "name", label: t(kind === "school" ? "col.school" : "col.enterprise") },
    { key: "placed", label: t("col.placed"), numeric: true },
    { key: "offered", label: t("col.offered"), numeric: true },
    { key: "fillRate", label: t("col.fillRate"), numeric: true },
  ];
  fillTable(
    table,
    columns,
    lines.map((line) => ({
      key: line.organization.id,
      cells: {
        name: orgName(line.organization),
        placed: formatInt(line.placed),
        offered: formatInt(line.offered),
        fillRate: formatPercent(line.fillRate),
      },
    })),
  );
  if (!lines.length) return drawEmpty(`chart-${kind}-fill`);
  return draw(
    `chart-${kind}-fill`,
    horizontalBars({
      categories: lines.map((line) => orgName(line.organization)),
      series: [
        {
          name: t("series.fillRate"),
          data: lines.map((line) => percentOf(line.fillRate)),
          labelFormatter: "{c} %",
        },
      ],
      valueAxis: { max: 100, axisLabel: { formatter: "{value} %" } },
    }),
    barHeight(lines.length),
  );
}

export function drawFills(summary) {
  drawFill("school", summary ? summary.bySchool : []);
  drawFill("enterprise", summary ? summary.byEnterprise : []);
}

export function drawSubsidies(summary) {
  const lines = summary ? summary.subsidies : [];
  fillTable(
    $("table-subsidies"),
    [
      { key: "code", label: t("col.subsidy") },
      { key: "government", label: t("col.government") },
      { key: "spent", label: t("col.spent"), numeric: true },
      { key: "budget", label: t("col.budget"), numeric: true },
      { key: "share", label: t("col.share"), numeric: true },
      { key: "trainees", label: t("col.trainees"), numeric: true },
    ],
    lines.map((line) => ({
      key: line.code,
      cells: {
        code: line.code,
        government: orgName(line.government),
        spent: formatInt(line.spent),
        budget: formatInt(line.budget),
        share: formatPercent(line.share),
        trainees: formatInt(line.trainees),
      },
    })),
  );
  if (!lines.length) return drawEmpty("chart-subsidies");
  return draw(
    "chart-subsidies",
    horizontalBars({
      categories: lines.map((line) => line.code),
      series: [
        { name: t("series.spent"), data: lines.map((line) => line.spent), labelFormatter: (p) => formatInt(p.value) },
        { name: t("series.budget"), data: lines.map((line) => line.budget), labelFormatter: (p) => formatInt(p.value) },
      ],
    }),
    barHeight(lines.length * 2),
  );
}

export function drawUnplaced(summary) {
  const lines = summary ? summary.unplaced : [];
  fillTable(
    $("table-unplaced"),
    [
      { key: "reason", label: t("col.reason") },
      { key: "trainees", label: t("col.trainees"), numeric: true },
      { key: "cohorts", label: t("col.cohorts"), numeric: true },
    ],
    lines.map((line) => ({
      key: line.reason,
      cells: {
        reason: reasonName(line.reason),
        trainees: formatInt(line.trainees),
        cohorts: formatInt(line.cohorts),
      },
    })),
  );
  if (!lines.length) return drawEmpty("chart-unplaced");
  return draw(
    "chart-unplaced",
    horizontalBars({
      categories: lines.map((line) => reasonName(line.reason)),
      series: [{ name: t("series.trainees"), data: lines.map((line) => line.trainees) }],
    }),
    barHeight(lines.length),
  );
}
