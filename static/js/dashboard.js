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
      data: { labels: series.labels, datasets: options.datasets || [{ data: series.values }] },
      options: {
        responsive: true, animation: false,
        plugins: { legend: { display: type !== "bar" || !!options.datasets } },
        onClick: function (_event, elements) {
          if (elements.length && links[elements[0].index]) { window.location.href = links[elements[0].index]; }
        },
        scales: options.scales
      }
    });
  }
  chart("chart-categories", "bar", data.categories, data.categories.links, {});
  chart("chart-level", "doughnut", data.level, data.level.links, {});
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
