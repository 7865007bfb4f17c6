/* Draws the dashboard's charts from the JSON in #chart-data (Chart.js, served from the project). */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var BRAND = "#1d4e89", OVER = "#c0392b", OK = "#1e7b4f", WARN = "#b7791f";
  var PALETTE = ["#1d4e89", "#3b82c4", "#7fb3e0", "#1e7b4f", "#b7791f", "#c0392b", "#8e6bbf", "#9ca3af"];
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = "#4b5563";
  Chart.defaults.animation = false;

  function barColours(spec) {
    return spec.values.map(function (v) {
      if (spec.percent) { return v >= 100 ? OK : (v >= 50 ? WARN : OVER); }
      return spec.limit && v > spec.limit ? OVER : BRAND;
    });
  }

  function draw(canvas, spec) {
    var config;
    if (spec.type === "doughnut") {
      config = {
        type: "doughnut",
        data: { labels: spec.labels, datasets: [{ data: spec.values, backgroundColor: PALETTE }] },
        options: { maintainAspectRatio: false, plugins: { legend: { position: "bottom", labels: { boxWidth: 10 } } } }
      };
    } else {
      var horizontal = spec.type === "hbar";
      // long item names read better on two lines than cut off at the chart's edge
      var labels = spec.labels.map(function (text) {
        return horizontal && text.length > 9 ? [text.slice(0, 9), text.slice(9, 18)] : text;
      });
      // two-line labels need room: give each bar of a horizontal chart its own height
      if (horizontal) { canvas.parentNode.style.height = (labels.length * 38 + 40) + "px"; }
      var datasets = [{ label: spec.label, data: spec.values, backgroundColor: horizontal ? BRAND : barColours(spec), maxBarThickness: 28 }];
      if (spec.limit && !spec.percent) {
        datasets.push({ type: "line", label: spec.limitLabel, data: spec.labels.map(function () { return spec.limit; }),
                        borderColor: OVER, borderDash: [5, 4], borderWidth: 1.5, pointRadius: 0, fill: false });
      }
      var valueAxis = { beginAtZero: true, ticks: { precision: 0 } };
      if (spec.percent) { valueAxis.max = 100; valueAxis.ticks.callback = function (v) { return v + "%"; }; }
      config = {
        type: "bar",
        data: { labels: labels, datasets: datasets },
        options: {
          maintainAspectRatio: false, indexAxis: horizontal ? "y" : "x",
          plugins: { legend: { display: datasets.length > 1, position: "bottom", labels: { boxWidth: 10 } } },
          scales: horizontal ? { x: valueAxis, y: { ticks: { autoSkip: false } } }
                             : { y: valueAxis, x: { ticks: { autoSkip: false, maxRotation: 45 } } }
        }
      };
    }
    return new Chart(canvas, config);
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = data[canvas.getAttribute("data-chart")];
    if (spec && spec.values.length) { draw(canvas, spec); }
    else { canvas.parentNode.classList.add("empty"); canvas.replaceWith(document.createTextNode(source.getAttribute("data-empty") || "")); }
  });
})();
