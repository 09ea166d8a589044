// Draws the PHQ-9 / GAD-7 trend from the JSON the page embeds with json_script.
(function () {
  "use strict";
  var canvas = document.getElementById("instrument-trend");
  var source = document.getElementById("instrument-trend-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var series = JSON.parse(source.textContent);
  var colors = ["#2f6f8f", "#c0632b", "#5b8c3a"];
  var labels = [];
  Object.keys(series).forEach(function (name) {
    series[name].forEach(function (point) { if (labels.indexOf(point.x) === -1) { labels.push(point.x); } });
  });
  labels.sort();
  var datasets = Object.keys(series).map(function (name, index) {
    var byDate = {};
    series[name].forEach(function (point) { byDate[point.x] = point.y; });
    return {
      label: name,
      data: labels.map(function (day) { return day in byDate ? byDate[day] : null; }),
      borderColor: colors[index % colors.length],
      backgroundColor: colors[index % colors.length],
      spanGaps: true,
      tension: 0.2
    };
  });
  new Chart(canvas, {
    type: "line",
    data: { labels: labels, datasets: datasets },
    options: { responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, suggestedMax: 27 } } }
  });
})();
