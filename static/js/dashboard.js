// Dashboard charts: one grouped bar chart of the rate KPIs by child area.
// Data comes from the server in <script type="application/json" id="chart-data">;
// clicking a bar opens that area's dashboard (drill-down).
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("kpi-chart");
    var source = document.getElementById("chart-data");
    if (!holder || !source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (!data.areas.length) { holder.style.display = "none"; return; }
    var rates = data.series.filter(function (s) { return s.key !== "measures_per_household"; });
    var chart = echarts.init(holder);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 40, right: 10, top: 40, bottom: 60 },
      xAxis: { type: "category", data: data.areas, axisLabel: { interval: 0, rotate: data.areas.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: rates.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
    });
    chart.on("click", function (params) {
      var code = data.codes[params.dataIndex];
      var url = new URL(window.location.href);
      url.searchParams.set("area", code);
      window.location.href = url.toString();
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
