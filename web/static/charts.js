/* Charts for the collaboration workspace: each <canvas data-chart="ID"> draws the JSON in <script id="ID">.
   Loaded only on the pages with charts; without JavaScript (or Chart.js) the tables below carry the same figures. */
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var colours = ["#0b6e4f", "#c77700", "#3559a8", "#b00020"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.datasets.map(function (set, i) {
      return { label: set.label, data: set.data, backgroundColor: colours[i % colours.length] };
    });
    canvas.hidden = false;
    var height = spec.horizontal ? Math.max(220, 24 * spec.labels.length * datasets.length) : 260;
    canvas.parentNode.style.height = height + "px";
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true } }
      }
    });
  });
}());
