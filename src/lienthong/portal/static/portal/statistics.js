// Trend chart of the statistics page; the table below it carries the same numbers.
(function () {
  var holder = document.getElementById("trend-chart");
  var source = document.getElementById("trend-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder, null, { renderer: "svg" });
  var names = {
    received: holder.dataset.received || "Tiếp nhận",
    on_time: holder.dataset.onTime || "Đúng hạn",
    late: holder.dataset.late || "Trễ hạn",
  };
  chart.setOption({
    aria: { enabled: true },
    tooltip: { trigger: "axis" },
    legend: { data: [names.received, names.on_time, names.late] },
    xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: names.received, type: "line", data: data.received },
      { name: names.on_time, type: "bar", data: data.on_time },
      { name: names.late, type: "bar", data: data.late },
    ],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
