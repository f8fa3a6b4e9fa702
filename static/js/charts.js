// Sightline's charts: every element with data-chart="<id>" is drawn from the JSON of the
// <script type="application/json" id="<id>"> that the page renders with json_script.
// Drawn on htmx:load, which htmx fires for the page and for every fragment it swaps in,
// so charts in a fragment loaded later are drawn too. No inline scripts (the CSP forbids them).
(function () {
  "use strict";

  function draw(root) {
    if (!window.Plotly) {
      return;
    }
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.dataset.chart);
      if (!source || element.dataset.drawn === "true") {
        return;
      }
      var figure = JSON.parse(source.textContent);
      element.dataset.drawn = "true";
      window.Plotly.newPlot(element, figure.data, figure.layout, {
        displayModeBar: false,
        responsive: true,
      });
    });
  }

  document.addEventListener("htmx:load", function (event) {
    draw(event.detail.elt.querySelectorAll ? event.detail.elt : document);
  });
  // Without htmx (or before it starts) the page still gets its charts.
  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
})();
