/* Partner figures: a partner's net sales by month against their targets, and the
 * distribution of partners' monthly income. Data from the page's json_script; labels
 * translated in the template (data-label-* on each canvas). */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "zh-hans";
  var locale = lang.toLowerCase() === "zh-hans" ? "zh-CN" : lang;
  var yuan = new Intl.NumberFormat(locale, { style: "currency", currency: "CNY", minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
  var count = new Intl.NumberFormat(locale);
  var ORANGE = "#ff5000";
  var BLUE = "#2f6fde";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function label(canvas, name) {
    return canvas.getAttribute("data-label-" + name) || name;
  }

  function draw(canvas, config) {
    config.options = Object.assign(
      { responsive: true, maintainAspectRatio: false, animation: false, interaction: { mode: "index", intersect: false } },
      config.options || {}
    );
    new window.Chart(canvas, config);
    canvas.setAttribute("data-rendered", "true");
  }

  function performance(canvas, d) {
    draw(canvas, {
      type: "bar",
      data: {
        labels: d.labels,
        datasets: [
          { label: label(canvas, "sales"), data: d.sales, backgroundColor: ORANGE },
          { label: label(canvas, "targets"), data: d.targets, type: "line", borderColor: BLUE, backgroundColor: BLUE, fill: false, spanGaps: false }
        ]
      },
      options: {
        scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return "¥" + compact.format(v); } } } },
        plugins: {
          legend: { labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + yuan.format(ctx.parsed.y); } } }
        }
      }
    });
  }

  function distribution(canvas, d) {
    draw(canvas, {
      type: "bar",
      data: { labels: d.labels, datasets: [{ label: label(canvas, "partners"), data: d.partners, backgroundColor: ORANGE }] },
      options: {
        scales: { y: { beginAtZero: true, ticks: { precision: 0, callback: function (v) { return count.format(v); } } } },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + count.format(ctx.parsed.y); } } }
        }
      }
    });
  }

  if (!window.Chart) { return; }
  var performanceCanvas = document.getElementById("performance-chart");
  var performanceData = data("performance-data");
  if (performanceCanvas && performanceData) { performance(performanceCanvas, performanceData); }
  var incomeCanvas = document.getElementById("income-chart");
  var incomeData = data("income-distribution-data");
  if (incomeCanvas && incomeData) { distribution(incomeCanvas, incomeData); }
})();
