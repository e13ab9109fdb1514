// ECharts, from the vendored file (the global `echarts`): one chart per container, redrawn
// whole on each change, and the chart options the panels share.

import { t } from "./i18n.js";

const PALETTE = ["#2f6fb0", "#e07b39", "#3a9a6a", "#c0504d", "#8064a2", "#4bacc6", "#9b8a3c"];

export function draw(containerId, option, height) {
  const el = document.getElementById(containerId);
  if (height) el.style.height = `${height}px`;
  const chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({ color: PALETTE, animation: false, ...option }, { notMerge: true });
  chart.resize();
  return chart;
}

export function drawEmpty(containerId) {
  return draw(
    containerId,
    { title: { text: t("empty"), left: "center", top: "middle", textStyle: { color: "#888", fontSize: 14 } } },
    160,
  );
}

// At most this many bars are shown at once; a longer list scrolls inside its chart.
const VISIBLE_BARS = 20;

// Height for a horizontal bar chart of `count` bars: every label stays readable.
export const barHeight = (count) => Math.max(180, Math.min(count, VISIBLE_BARS) * 24 + 60);

// Names are users' text; tooltips are HTML, so they are escaped first.
export const escape = (text) => echarts.format.encodeHTML(String(text));

// Horizontal bars: categories down the side, one or more series across.
export function horizontalBars({ categories, series, valueAxis = {} }) {
  const bars = categories.length * series.length;
  const scrolls = bars > VISIBLE_BARS;
  const visible = Math.max(1, Math.floor(VISIBLE_BARS / series.length));
  return {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: {
      left: 8,
      right: scrolls ? 84 : 56,
      top: series.length > 1 ? 28 : 8,
      bottom: 24,
      containLabel: true,
    },
    // A long list (60 enterprises) scrolls with the wheel or the slider at the right.
    dataZoom: scrolls
      ? [
          { type: "inside", yAxisIndex: 0, startValue: 0, endValue: visible - 1, zoomLock: true },
          { type: "slider", yAxisIndex: 0, startValue: 0, endValue: visible - 1, width: 14, right: 8, showDetail: false },
        ]
      : undefined,
    xAxis: { type: "value", ...valueAxis },
    yAxis: {
      type: "category",
      inverse: true,
      data: categories,
      axisLabel: { width: 170, overflow: "truncate" },
    },
    series: series.map((s) => ({
      type: "bar",
      barMaxWidth: 18,
      label: { show: true, position: "right", formatter: s.labelFormatter ?? "{c}" },
      ...s,
    })),
  };
}

window.addEventListener("resize", () => {
  for (const el of document.querySelectorAll(".chart")) echarts.getInstanceByDom(el)?.resize();
});
