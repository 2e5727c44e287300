/* Keel dashboard: draws the charts described by data-figure (Plotly JSON built by
   apps/dashboard/charts.py) with the locally served plotly.min.js; a click on a point opens
   the records behind it. No network access beyond this server. */
(function () {
  "use strict";
  function draw(el) {
    var fig = JSON.parse(el.getAttribute("data-figure"));
    // On a phone the toolbar would cover the chart: no toolbar there, and on hover elsewhere.
    var narrow = window.matchMedia("(max-width: 640px)").matches;
    var config = {responsive: true, displaylogo: false, displayModeBar: narrow ? false : "hover",
                  modeBarButtonsToRemove: ["select2d", "lasso2d"]};
    window.Plotly.newPlot(el, fig.data, fig.layout, config).then(function () {
      el.setAttribute("data-ready", "true");
    });
    el.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (!point || !point.customdata) return;
      // A point that carries its own records address (the flow page's bar segments).
      if (String(point.customdata).charAt(0) === "/") {
        window.location.href = point.customdata;
        return;
      }
      var base = el.getAttribute("data-records-base");
      if (!base) return;
      var sep = base.indexOf("?") >= 0 ? "&" : "?";
      window.location.href = base + sep + "period_start=" + encodeURIComponent(point.customdata) + "#records";
    });
  }
  document.querySelectorAll("[data-figure]").forEach(draw);
})();
