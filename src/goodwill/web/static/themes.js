// Draw every chart whose figure spec sits in a data-spec attribute (no inline script).
document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll(".plot[data-spec]")) {
    const spec = JSON.parse(el.dataset.spec);
    Plotly.newPlot(el, spec.data, spec.layout, { displayModeBar: false, responsive: true });
  }
});
