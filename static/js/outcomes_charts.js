// Draws the outcomes page's charts from the JSON the page embeds with json_script (no inline script: CSP).
(function () {
  "use strict";
  var source = document.getElementById("outcomes-charts");
  if (!source || typeof Chart === "undefined") { return; }
  var charts = JSON.parse(source.textContent);
  var colors = ["#2f6f8f", "#c0632b", "#5b8c3a", "#7a5195"];
  document.querySelectorAll("canvas[data-outcomes-chart]").forEach(function (canvas) {
    var spec = charts[canvas.getAttribute("data-outcomes-chart")];
    if (!spec) { return; }
    var datasets = spec.series.map(function (series, index) {
      var color = colors[index % colors.length];
      return {
        label: series.label,
        data: series.data,
        borderColor: color,
        backgroundColor: spec.type === "line" ? color : color + "cc",
        stepped: spec.type === "line" && spec.yMax === 100 ? "before" : false,
        spanGaps: true,
        pointRadius: spec.type === "line" ? 2 : undefined
      };
    });
    var y = { beginAtZero: true, title: { display: Boolean(spec.yLabel), text: spec.yLabel } };
    if (spec.yMax) { y.max = spec.yMax; }
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
        scales: { y: y }
      }
    });
  });
})();
