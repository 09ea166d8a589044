// Draws PHQ-9 / GAD-7 scores, weekly attended hours and drug tests on one time line,
// from the JSON the drug-tests chart page embeds with json_script.
(function () {
  "use strict";
  var canvas = document.getElementById("clinical-timeline");
  var source = document.getElementById("clinical-timeline-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = [];
  function addLabel(day) { if (labels.indexOf(day) === -1) { labels.push(day); } }
  Object.keys(data.scores).forEach(function (name) { data.scores[name].forEach(function (p) { addLabel(p.x); }); });
  data.hours.forEach(function (p) { addLabel(p.x); });
  data.tests.forEach(function (p) { addLabel(p.x); });
  labels.sort();
  function byDay(points, value) {
    var map = {};
    points.forEach(function (p) { map[p.x] = value(p); });
    return labels.map(function (day) { return day in map ? map[day] : null; });
  }
  var colors = ["#2f6f8f", "#c0632b"];
  var datasets = Object.keys(data.scores).map(function (name, index) {
    return {
      type: "line", label: name, yAxisID: "score", spanGaps: true, tension: 0.2,
      borderColor: colors[index % colors.length], backgroundColor: colors[index % colors.length],
      data: byDay(data.scores[name], function (p) { return p.y; })
    };
  });
  datasets.push({
    type: "bar", label: "Attended hours (week)", yAxisID: "hours", backgroundColor: "rgba(91,140,58,0.35)",
    data: byDay(data.hours, function (p) { return p.y; })
  });
  var testsByDay = {};
  data.tests.forEach(function (p) { testsByDay[p.x] = p; });
  datasets.push({
    type: "line", label: "Drug test (red: flagged)", yAxisID: "score", showLine: false, pointRadius: 7,
    pointStyle: "rectRot", borderColor: "#333",
    pointBackgroundColor: labels.map(function (day) { return testsByDay[day] && testsByDay[day].flags ? "#b02a37" : "#ffffff"; }),
    data: labels.map(function (day) { return day in testsByDay ? 0 : null; })
  });
  new Chart(canvas, {
    data: { labels: labels, datasets: datasets },
    options: {
      responsive: true, maintainAspectRatio: false,
      scales: {
        score: { position: "left", beginAtZero: true, suggestedMax: 27, title: { display: true, text: "Score" } },
        hours: { position: "right", beginAtZero: true, suggestedMax: 20, grid: { drawOnChartArea: false }, title: { display: true, text: "Hours" } }
      },
      plugins: {
        tooltip: {
          callbacks: {
            afterLabel: function (context) {
              var test = testsByDay[labels[context.dataIndex]];
              if (!test || context.dataset.pointStyle !== "rectRot") { return ""; }
              return test.positives.length ? "Positive: " + test.positives.join(", ") : (test.flags ? test.flags + " flag(s)" : "Nothing flagged");
            }
          }
        }
      }
    }
  });
})();
