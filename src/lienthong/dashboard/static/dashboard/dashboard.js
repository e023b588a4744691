// Charts of the leaders' dashboard (/bang-dieu-hanh/). The data comes from the page's
// json_script element "dashboard-data"; each chart's numbers are also in the table under it.
(function () {
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var names = data.names;
  var charts = [];

  function bars(labels, series) {
    return {
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 90 },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: series.map(function (s) {
        return { name: s[0], type: "bar", data: s[1], stack: s[2] || null };
      }),
    };
  }

  var options = {
    agencies: function () {
      var a = data.agencies;
      return bars(a.labels, [
        [names.received, a.received],
        [names.early, a.early, "settled"],
        [names.on_time, a.on_time, "settled"],
        [names.late, a.late, "settled"],
        [names.pending_overdue, a.pending_overdue],
      ]);
    },
    trend: function () {
      var t = data.trend;
      return {
        aria: { enabled: true },
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 48, right: 48, top: 40, bottom: 40 },
        xAxis: { type: "category", data: t.labels },
        yAxis: [
          { type: "value", minInterval: 1 },
          { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        ],
        series: [
          { name: names.received, type: "bar", data: t.received },
          { name: names.on_time_share, type: "line", yAxisIndex: 1, data: t.on_time_share, connectNulls: false },
        ],
      };
    },
    documents: function () {
      var d = data.documents;
      return bars(d.labels, [[names.overdue, d.overdue], [names.due_soon, d.due_soon]]);
    },
    complaints: function () {
      var c = data.complaints;
      return bars(c.labels, [[names.overdue, c.overdue], [names.at_risk, c.at_risk]]);
    },
  };

  document.querySelectorAll(".lt-dash-chart[data-chart]").forEach(function (holder) {
    var make = options[holder.dataset.chart];
    if (!make) return;
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption(make());
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
