// Draws every chart whose figure (Plotly's data and layout) is in its data-plot attribute.
// A file, not an inline script, so the pages keep a strict Content-Security-Policy.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-plot]").forEach(function (box) {
    var figure = JSON.parse(box.getAttribute("data-plot"));
    Plotly.newPlot(box, figure.data, figure.layout, { displayModeBar: false, responsive: true });
  });
});
