// Dashboard charts (Chart.js, vendored). Clicking a bar or slice opens the cases behind it.
(function () {
  "use strict";
  var node = document.getElementById("chart-data");
  if (!node || !window.Chart) return;
  var data = JSON.parse(node.textContent);
  function chart(id, type, series, links, options) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new window.Chart(canvas, {
      type: type,
      data: { labels: series.labels, datasets: options.datasets || [{ data: series.values, backgroundColor: series.colours }] },
      options: {
        responsive: true, animation: false,
        plugins: { legend: { display: type !== "bar" || !!options.datasets } },
        onClick: function (_event, elements) {
          if (elements.length && links[elements[0].index]) { window.location.href = links[elements[0].index]; }
        },
        scales: options.scales,
        indexAxis: options.indexAxis || "x"
      }
    });
  }
  // Horizontal bars: a category's whole name fits beside its bar.
  chart("chart-categories", "bar", data.categories, data.categories.links, { indexAxis: "y" });
  chart("chart-level", "doughnut", data.level, data.level.links, {});  // colours per level, fixed
  var trendCanvas = document.getElementById("chart-trend");
  if (trendCanvas && data.trend) {
    var t = data.trend, label = function (name) { return trendCanvas.getAttribute("data-" + name); };
    var line = function (name, values, colour) {
      return { type: "line", label: label(name), data: values, yAxisID: "rate", borderColor: colour,
               backgroundColor: colour, spanGaps: true };
    };
    chart("chart-trend", "bar", t, [], {
      datasets: [
        { type: "bar", label: label("total"), data: t.total, yAxisID: "count", backgroundColor: "#aed6f1" },
        line("callback", t.first_callback_on_time, "#1f4e79"),
        line("resolution", t.resolution_on_time, "#27ae60"),
        line("one-time", t.one_time_resolution, "#8e44ad"),
        line("satisfaction", t.satisfaction, "#e67e22")
      ],
      scales: { count: { position: "left", beginAtZero: true }, rate: { position: "right", min: 0, max: 1 } }
    });
  }
  if (data.years) {
    chart("chart-years", "line", data.years, [], {
      datasets: data.years.series.map(function (s) {
        return { label: s.label, data: s.values, borderColor: s.colour, backgroundColor: s.colour, spanGaps: false };
      })
    });
  }
  chart("chart-state", "bar", data.state, data.state.links, {});
  chart("chart-channel", "doughnut", data.channel, data.channel.links, {});
  var units = data.units;
  chart("chart-units", "bar", units, units.links, {
    datasets: [
      { label: document.getElementById("chart-units").getAttribute("data-callback") || "1", data: units.callback },
      { label: document.getElementById("chart-units").getAttribute("data-resolution") || "2", data: units.resolution }
    ],
    scales: { y: { min: 0, max: 1 } }
  });
})();
