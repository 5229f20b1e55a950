// opskit serve: draws each chart of the page as inline SVG from the page's JSON block,
// folds the tables (the page without JavaScript shows them open), and refreshes the page.
"use strict";
(function () {
  var NS = "http://www.w3.org/2000/svg";
  var block = document.getElementById("opskit-data");
  var data = block ? JSON.parse(block.textContent) : { charts: {} };

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function nice(max) {
    if (!(max > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(max)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= max) return steps[i] * p;
    return 10 * p;
  }

  function label(v, unit) {
    var t = Math.abs(v) >= 100 || v === Math.round(v) ? String(Math.round(v)) : v.toFixed(1);
    return unit === "jobs" ? t : t + " " + unit;
  }

  function clock(t) {
    var d = new Date(t * 1000);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function draw(fig, spec) {
    var old = fig.querySelector("svg");
    if (old) old.remove();
    var W = Math.max(fig.clientWidth, 240), H = fig.clientWidth < 480 ? 144 : 176;
    var L = 44, R = 8, T = 8, B = 20;
    var xs = [], max = 0;
    spec.series.forEach(function (s) {
      s.points.forEach(function (p) {
        xs.push(p[0]);
        if (p[1] != null && p[1] > max) max = p[1];
      });
    });
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": fig.querySelector("figcaption").textContent });
    if (!xs.length) {
      el("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, svg).textContent = "no samples yet";
      fig.appendChild(svg);
      return;
    }
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    // At least an hour across, so a young history is not stretched into a blur.
    if (!spec.bars && x1 - x0 < 3600) x0 = x1 - 3600;
    if (x1 === x0) { x0 -= 1800; x1 += 1800; }
    var top = nice(max);
    var X = function (t) { return L + (t - x0) / (x1 - x0) * (W - L - R); };
    var Y = function (v) { return T + (1 - v / top) * (H - T - B); };
    for (var i = 0; i <= 2; i++) {
      var v = top * i / 2, y = Y(v);
      el("line", { x1: L, x2: W - R, y1: y, y2: y, "class": "axis" }, svg);
      el("text", { x: L - 4, y: y + 3, "text-anchor": "end" }, svg).textContent = label(v, spec.unit);
    }
    var ticks = Math.max(2, Math.min(6, Math.floor((W - L) / 90)));
    for (var j = 0; j <= ticks; j++) {
      var t = x0 + (x1 - x0) * j / ticks;
      el("text", { x: X(t), y: H - 4, "text-anchor": j === 0 ? "start" : j === ticks ? "end" : "middle" }, svg).textContent = clock(t);
    }
    spec.series.forEach(function (s, k) {
      var cls = "s" + (k % 4);
      if (spec.bars) {
        var w = Math.max(2, (W - L - R) / Math.max(s.points.length, 1) * 0.6);
        s.points.forEach(function (p) {
          if (p[1] == null) return;
          el("rect", { x: X(p[0]) - w / 2, y: Y(p[1]), width: w, height: Math.max(0, Y(0) - Y(p[1])), "class": cls }, svg);
        });
        return;
      }
      var d = "", pen = false;
      s.points.forEach(function (p) {
        if (p[1] == null) { pen = false; return; }
        d += (pen ? "L" : "M") + X(p[0]).toFixed(1) + " " + Y(p[1]).toFixed(1);
        pen = true;
      });
      if (d) el("path", { d: d, "class": "line " + cls }, svg);
      // Few points: each one as a dot too, so a lone sample shows.
      if (s.points.length < 60) {
        s.points.forEach(function (p) {
          if (p[1] != null) el("circle", { cx: X(p[0]), cy: Y(p[1]), r: 2.5, "class": cls }, svg);
        });
      }
    });
    var cursor = el("line", { y1: T, y2: H - B, "class": "cursor", visibility: "hidden" }, svg);
    var tip = fig.querySelector(".tip") || fig.appendChild(document.createElement("div"));
    tip.className = "tip";
    tip.hidden = true;
    svg.addEventListener("pointermove", function (ev) {
      var box = svg.getBoundingClientRect();
      var t = x0 + (ev.clientX - box.left) / box.width * W / (W - L - R) * (x1 - x0) - L / (W - L - R) * (x1 - x0);
      var best = null;
      spec.series[0].points.forEach(function (p) { if (best === null || Math.abs(p[0] - t) < Math.abs(best[0] - t)) best = p; });
      if (!best) return;
      cursor.setAttribute("x1", X(best[0]));
      cursor.setAttribute("x2", X(best[0]));
      cursor.setAttribute("visibility", "visible");
      tip.textContent = clock(best[0]) + " · " + spec.series.map(function (s) {
        var p = s.points.find(function (q) { return q[0] === best[0]; });
        return s.name + " " + (p && p[1] != null ? label(p[1], spec.unit) : "–");
      }).join(" · ");
      tip.hidden = false;
      tip.style.left = Math.min(X(best[0]) / W * box.width, box.width - tip.offsetWidth) + "px";
    });
    svg.addEventListener("pointerleave", function () { cursor.setAttribute("visibility", "hidden"); tip.hidden = true; });
    fig.insertBefore(svg, fig.querySelector(".tip"));
    if (!fig.querySelector(".legend") && spec.series.length > 1) {
      var legend = document.createElement("div");
      legend.className = "legend";
      spec.series.forEach(function (s, k) {
        var item = document.createElement("span");
        var swatch = document.createElement("i");
        swatch.className = "s" + (k % 4);
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(s.name));
        legend.appendChild(item);
      });
      fig.appendChild(legend);
    }
    fig.classList.add("drawn");
  }

  function drawAll() {
    document.querySelectorAll("figure.chart[data-chart]").forEach(function (fig) {
      var spec = data.charts[fig.getAttribute("data-chart")];
      if (spec) draw(fig, spec);
    });
  }

  drawAll();
  document.querySelectorAll("details.data").forEach(function (d) { d.open = false; });
  var width = window.innerWidth;
  window.addEventListener("resize", function () {
    if (window.innerWidth !== width) { width = window.innerWidth; drawAll(); }
  });
  setTimeout(function reload() {
    if (document.hidden) {
      document.addEventListener("visibilitychange", reload, { once: true });
    } else {
      location.reload();
    }
  }, 30000);
})();
