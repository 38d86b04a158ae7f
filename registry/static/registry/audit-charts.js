/* Draws the audit charts from the JSON embedded with json_script (no network, no inline script). */
(function () {
  "use strict";
  var source = document.getElementById("audit-chart-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = { thuong: "#7a869a", mat: "#e0a100", toi_mat: "#d9480f", tuyet_mat: "#b00020",
                  refused: "#b00020", reads: "#1c6fb5", anomalies: "#6a3d9a" };
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = data[canvas.dataset.chart];
    if (!spec) { return; }
    var stacked = canvas.dataset.stacked === "1";
    var chart = new window.Chart(canvas, {
      type: canvas.dataset.type || "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (ds) {
          var colour = palette[ds.key] || "#1c6fb5";
          return { label: ds.label, data: ds.data, backgroundColor: colour, borderColor: colour, fill: false, tension: 0.2 };
        })
      },
      options: {
        animation: false,
        responsive: true,
        indexAxis: canvas.dataset.horizontal === "1" ? "y" : "x",
        scales: { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: spec.datasets.length > 1 } }
      }
    });
    canvas.dataset.rendered = chart ? "1" : "0";
  });
})();
