/* 监督工作台: draws the dashboard's charts with ECharts from the page's JSON (#dashboard-charts).
   A click on a bar opens the list behind it (the spec's links); the tables below each chart hold the
   same figures for keyboard and screen-reader users. */
(function () {
  "use strict";
  var specs = window.hubData("dashboard-charts") || {};
  var charts = [];

  function unitLabel(spec, value) {
    if (spec.unit === "%") { return value + "%"; }
    if (spec.unit === "万元") { return value + " 万元"; }
    return value + " " + spec.unit;
  }

  function option(spec) {
    var categoryAxis = {
      type: "category", data: spec.categories,
      axisLabel: { interval: 0, rotate: spec.horizontal ? 0 : (spec.categories.length > 6 ? 30 : 0),
                   width: spec.horizontal ? 150 : undefined, overflow: "truncate" }
    };
    var valueAxis = { type: "value", minInterval: spec.unit === "件" || spec.unit === "条" ? 1 : undefined,
                      max: spec.max, axisLabel: { formatter: spec.unit === "%" ? "{value}%" : "{value}" } };
    return {
      animation: false,
      color: spec.series.map(function (s) { return s.color; }),
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 valueFormatter: function (v) { return unitLabel(spec, v); } },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: spec.label ? 56 : 24, top: spec.series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? Object.assign({ inverse: true }, categoryAxis) : valueAxis,
      series: spec.series.map(function (s) {
        var linked = (s.links || []).some(function (l) { return !!l; });
        return { type: "bar", name: s.name, data: s.data, stack: spec.stack ? "all" : undefined,
                 label: spec.label ? { show: true, position: "right", formatter: function (p) { return unitLabel(spec, p.value); } } : undefined,
                 barMaxWidth: 28, cursor: linked ? "pointer" : "default", emphasis: { focus: "series" } };
      })
    };
  }

  function draw(node) {
    var key = node.getAttribute("data-chart");
    var spec = specs[key];
    if (!spec || !window.echarts) { return; }
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    chart.setOption(option(spec));
    chart.on("click", function (params) {
      var series = spec.series[params.seriesIndex];
      var link = series && series.links ? series.links[params.dataIndex] : null;
      if (link) { window.location.assign(link); }
    });
    charts.push(chart);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
})();
