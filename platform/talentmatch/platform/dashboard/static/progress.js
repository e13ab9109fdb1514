// Solver progress: a QUEUED or RUNNING run is read every second (the Run node's incumbent,
// bound, gap and elapsed time) until it finishes; otherwise the latest run's final figures.

import { graphql } from "./api.js";
import { draw, drawEmpty } from "./charts.js";
import { fillFigures } from "./dom.js";
import { LIVE_STATUSES, RUN_FIELDS } from "./data.js";
import { formatInt, formatPercent, formatSeconds, t } from "./i18n.js";

const RUN = `query DashboardRunProgress($id: ID!) { node(id: $id) { ... on Run { ${RUN_FIELDS} } } }`;
const POLL_MILLISECONDS = 1000;

// run: the run to show (or null); history: [{elapsed, incumbent, bound}] seen while polling.
export function drawProgress(run, history) {
  const live = run !== null && LIVE_STATUSES.has(run.status);
  const figures = run
    ? [
        ["run", `v${run.version}`],
        ["status", t(`run.${run.status}`) + (live ? ` (${t("progress.live")})` : "")],
        ["incumbent", formatInt(run.incumbentPlaced)],
        ["bound", formatInt(run.boundPlaced)],
        ["gap", formatPercent(run.gap)],
        ["elapsed", formatSeconds(run.elapsedSeconds)],
        ["timeLimit", formatSeconds(run.timeLimitSeconds)],
      ]
    : [["run", t("progress.none")]];
  fillFigures(
    document.getElementById("progress-figures"),
    figures.map(([key, value]) => ({ key: `progress-${key}`, label: t(`progress.${key}`), value })),
  );
  if (!run) return drawEmpty("chart-progress");
  const incumbent = run.incumbentPlaced ?? 0;
  const max = Math.max(run.boundPlaced ?? incumbent, 1);
  // A line of incumbent and bound over time once there are several readings (a run followed
  // while it solves); a finished run has only its final figures, which the gauge shows.
  const withLine = history.length > 1;
  const series = [
    {
      type: "gauge",
      center: [withLine ? "22%" : "50%", "60%"],
      radius: "88%",
      min: 0,
      max,
      splitNumber: 4,
      pointer: { show: false },
      progress: { show: true, width: 16 },
      axisLine: { lineStyle: { width: 16 } },
      axisTick: { show: false },
      splitLine: { length: 8, distance: 4 },
      axisLabel: { distance: 22, formatter: (value) => formatInt(Math.round(value)) },
      anchor: { show: false },
      title: { offsetCenter: [0, "30%"] },
      detail: { offsetCenter: [0, "-5%"], formatter: (value) => `${formatInt(value)} / ${formatInt(max)}`, fontSize: 22 },
      data: [{ value: incumbent, name: t("series.incumbent") }],
    },
  ];
  const option = { tooltip: { trigger: withLine ? "axis" : "item" }, series };
  if (withLine) {
    option.legend = { right: 8, top: 0, data: [t("series.incumbent"), t("series.bound")] };
    option.grid = { left: "46%", right: 24, top: 36, bottom: 32, containLabel: true };
    option.xAxis = { type: "value", name: "s", min: 0 };
    option.yAxis = { type: "value", min: 0 };
    series.push(
      { type: "line", name: t("series.incumbent"), symbolSize: 6, data: history.map((p) => [p.elapsed, p.incumbent]) },
      {
        type: "line",
        name: t("series.bound"),
        symbolSize: 6,
        lineStyle: { type: "dashed" },
        data: history.map((p) => [p.elapsed, p.bound]),
      },
    );
  }
  return draw("chart-progress", option, 260);
}

// Poll `runId` every second, calling onUpdate(run, history) each time and onFinished(run) once
// it has left QUEUED/RUNNING. A request still unanswered skips the next tick.
export function followRun(runId, onUpdate, onFinished) {
  const history = [];
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const { node: run } = await graphql(RUN, { id: runId });
      if (!run) return;
      if (run.elapsedSeconds !== null) {
        history.push({ elapsed: run.elapsedSeconds, incumbent: run.incumbentPlaced, bound: run.boundPlaced });
      }
      onUpdate(run, history);
      if (!LIVE_STATUSES.has(run.status)) {
        clearInterval(timer);
        onFinished(run);
      }
    } catch {
      // A lost answer is retried at the next tick.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(tick, POLL_MILLISECONDS);
  tick();
}
