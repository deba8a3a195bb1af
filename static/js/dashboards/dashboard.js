/* Dashboards: Chart.js charts from the page's json_script data, and the period picker.
 * Labels come translated from the template (data-label-* on each canvas); amounts are
 * formatted as yuan in the page's language with Intl.NumberFormat. */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "zh-hans";
  var locale = lang.toLowerCase() === "zh-hans" ? "zh-CN" : lang;
  var yuan = new Intl.NumberFormat(locale, { style: "currency", currency: "CNY", maximumFractionDigits: 0 });
  var yuanExact = new Intl.NumberFormat(locale, { style: "currency", currency: "CNY", minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var count = new Intl.NumberFormat(locale);
  var compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });

  var ORANGE = "#ff5000";
  var ORANGE_SOFT = "rgba(255, 80, 0, 0.18)";
  var GREY = "#9aa4b1";
  var GREEN = "#1a7f37";
  var BLUE = "#2f6fde";
  var PALETTE = [ORANGE, GREEN, BLUE, "#9a6700", "#8250df", "#cf222e", "#1b7c83", GREY];

  function wirePeriodPicker() {
    var form = document.getElementById("period-form");
    if (!form) { return; }
    var select = form.querySelector("select[name=period]");
    form.querySelectorAll("input[type=date]").forEach(function (input) {
      // Choosing a day makes the period a custom one.
      input.addEventListener("change", function () { if (select) { select.value = "custom"; } });
    });
  }

  function pageData() {
    var el = document.getElementById("dashboard-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function money(value) { return yuan.format(value); }

  function moneyAxis() {
    return { beginAtZero: true, ticks: { callback: function (v) { return "¥" + compact.format(v); } } };
  }

  function tooltipMoney() {
    return {
      callbacks: {
        label: function (ctx) {
          var v = ctx.parsed.y !== undefined && ctx.chart.options.indexAxis !== "y" ? ctx.parsed.y : ctx.parsed.x;
          if (ctx.dataset.yAxisID === "orders" || ctx.dataset.isCount) { return ctx.dataset.label + ": " + count.format(v); }
          return ctx.dataset.label + ": " + yuanExact.format(v);
        }
      }
    };
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas || !window.Chart) { return null; }
    config.options = Object.assign(
      { responsive: true, maintainAspectRatio: false, animation: false, interaction: { mode: "index", intersect: false } },
      config.options || {}
    );
    var chart = new window.Chart(canvas, config);
    canvas.setAttribute("data-rendered", "true");
    return chart;
  }

  function label(id, name) {
    var canvas = document.getElementById(id);
    return canvas ? canvas.getAttribute("data-label-" + name) || name : name;
  }

  function axisLabel(name, fallback) {
    var canvas = document.getElementById("trend-chart");
    return (canvas && canvas.getAttribute("data-label-" + name)) || label("trend-chart", fallback);
  }

  function trendChart(daily, withPrevious) {
    // Monotone interpolation never overshoots between two days: a line over days with sales
    // never dips below zero, and the money axis goes negative only for a day whose returns
    // outweigh its sales (a reversal).
    var datasets = [{
      label: label("trend-chart", "sales"), data: daily.sales, borderColor: ORANGE, backgroundColor: ORANGE_SOFT,
      fill: "origin", cubicInterpolationMode: "monotone", pointRadius: daily.sales.length > 45 ? 0 : 2, yAxisID: "y"
    }];
    var amounts = daily.sales.slice();
    if (withPrevious && daily.previous && daily.previous.length) {
      datasets.push({
        label: label("trend-chart", "previous"), data: daily.previous, borderColor: GREY, borderDash: [5, 4],
        fill: false, cubicInterpolationMode: "monotone", pointRadius: 0, yAxisID: "y"
      });
      amounts = amounts.concat(daily.previous);
    }
    // The orders on an axis of their own, on the right, labelled (never against the money axis).
    datasets.push({
      label: label("trend-chart", "orders"), data: daily.orders, borderColor: BLUE, backgroundColor: BLUE,
      type: "line", fill: false, pointRadius: 0, borderWidth: 1, yAxisID: "orders", cubicInterpolationMode: "monotone"
    });
    var lowest = Math.min.apply(null, amounts.concat([0]));
    var money = moneyAxis();
    if (lowest >= 0) { money.min = 0; }
    money.title = { display: true, text: axisLabel("axis-money", "sales") };
    draw("trend-chart", {
      type: "line",
      data: { labels: daily.labels.map(function (d) { return d.slice(5); }), datasets: datasets },
      options: {
        scales: {
          y: money,
          orders: {
            position: "right", display: "auto", beginAtZero: true, min: 0, grid: { drawOnChartArea: false },
            title: { display: true, text: axisLabel("axis-orders", "orders") },
            ticks: { precision: 0, callback: function (v) { return count.format(v); } }
          },
          x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: window.innerWidth < 600 ? 4 : 10 } }
        },
        plugins: { tooltip: tooltipMoney(), legend: { labels: { boxWidth: 12 } } }
      }
    });
  }

  function horizontalBars(id, labels, values, datasetLabel, color) {
    var canvas = document.getElementById(id);
    if (canvas && canvas.parentNode) {
      // One bar is about 24px high, whatever the number of provinces or categories.
      canvas.parentNode.style.height = Math.max(180, 48 + labels.length * 24) + "px";
    }
    draw(id, {
      type: "bar",
      data: { labels: labels, datasets: [{ label: datasetLabel, data: values, backgroundColor: color || ORANGE }] },
      options: {
        indexAxis: "y",
        scales: { x: moneyAxis(), y: { ticks: { autoSkip: false } } },
        plugins: { legend: { display: false }, tooltip: tooltipMoney() }
      }
    });
  }

  function county(data) {
    trendChart(data.daily, true);
    if (data.categories.labels.length) {
      horizontalBars("category-chart", data.categories.labels, data.categories.sales, label("category-chart", "sales"));
    }
    draw("channel-chart", {
      type: "bar",
      data: {
        labels: data.channels.labels,
        datasets: [
          { label: label("channel-chart", "sales"), data: data.channels.sales, backgroundColor: [ORANGE, BLUE, GREEN] },
          { label: label("channel-chart", "returns"), data: data.channels.returns, backgroundColor: GREY }
        ]
      },
      options: { scales: { y: moneyAxis() }, plugins: { tooltip: tooltipMoney(), legend: { labels: { boxWidth: 12 } } } }
    });
    var promotions = data.promotions;
    if (promotions.labels.length) {
      draw("promotion-chart", {
        type: "bar",
        data: {
          labels: promotions.labels,
          datasets: [
            { label: label("promotion-chart", "average"), data: promotions.average, backgroundColor: ORANGE },
            { label: label("promotion-chart", "best"), data: promotions.best, backgroundColor: BLUE },
            {
              label: label("promotion-chart", "normal"), backgroundColor: GREY,
              data: promotions.labels.map(function () { return promotions.normal; })
            }
          ]
        },
        options: { scales: { y: moneyAxis() }, plugins: { tooltip: tooltipMoney(), legend: { labels: { boxWidth: 12 } } } }
      });
    }
  }

  function national(data) {
    trendChart(data.daily, false);
    horizontalBars("province-chart", data.provinces.labels, data.provinces.sales, label("province-chart", "sales"));
    draw("region-chart", {
      type: "doughnut",
      data: { labels: data.regions.labels, datasets: [{ data: data.regions.sales, backgroundColor: PALETTE }] },
      options: {
        interaction: { mode: "nearest", intersect: true },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: function (ctx) { return ctx.label + ": " + money(ctx.parsed); } } }
        }
      }
    });
    draw("funnel-chart", {
      type: "bar",
      data: {
        labels: data.funnel.labels,
        datasets: [{ label: label("funnel-chart", "partners"), data: data.funnel.partners, backgroundColor: ORANGE, isCount: true }]
      },
      options: {
        scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return count.format(v); } } } },
        plugins: { legend: { display: false }, tooltip: tooltipMoney() }
      }
    });
  }

  wirePeriodPicker();
  var data = pageData();
  if (!data) { return; }
  if (data.provinces) { national(data); } else { county(data); }
})();
