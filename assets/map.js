/* The map's page-side behaviour, and the period's controls (Dash clientside callbacks: functions in a
   file, since the page's Content-Security-Policy allows no inline script).

   - frame: after a pan or zoom, the extent the map shows (west,south,east,north), read from plotly's
     projection, goes to the hidden #home-frame (then the URL, and every export); "Reset view" and a new
     selection clear it, and the server frames the selection or Idlib and the border again.
   - drawn: on every new figure, the legend is made as HTML from it (collapsible; closed at first on a
     phone) and the labels are decluttered: those that would overlap a label of higher priority (their
     rank is their customdata: governorates, crossings, cities, the level's areas, towns) are hidden,
     again after each zoom, so more names show as the user zooms in.
   - period: the presets, the two month inputs and the range slider are kept in step.
   - drawer: the Filters button opens and closes the side column on a phone. */
(function () {
  "use strict";
  var NO = function () { return window.dash_clientside.no_update; };

  function triggered() {
    var ctx = window.dash_clientside.callback_context;
    return ((ctx && ctx.triggered) || []).map(function (t) { return t.prop_id || ""; });
  }

  function mapDiv() { return document.querySelector("#home-map .js-plotly-plot"); }

  // the extent shown: the frame's corners through the inverse of the projection
  function extent(gd) {
    var geo = gd && gd._fullLayout && gd._fullLayout.geo && gd._fullLayout.geo._subplot;
    if (!geo || !geo.bounds || !geo.projection || !geo.projection.invert) { return null; }
    var b = geo.bounds, nw = geo.projection.invert(b[0]), se = geo.projection.invert(b[1]);
    if (!nw || !se) { return null; }
    var out = [nw[0], se[1], se[0], nw[1]];
    return out.every(isFinite) ? out : null;
  }

  // ---- labels: hide those that collide, in the order of their rank ----------------------------------
  function declutter(gd) {
    if (!gd || !gd.querySelector) { return; }
    var geo = gd._fullLayout && gd._fullLayout.geo && gd._fullLayout.geo._subplot;
    var bg = geo && geo.bgRect && geo.bgRect.node && geo.bgRect.node();
    var frame = bg ? bg.getBoundingClientRect() : null;
    var labels = [], kept = [];
    gd.querySelectorAll(".geo .scatterlayer g.trace").forEach(function (group) {
      var datum = group.__data__, trace = datum && datum[0] && datum[0].trace;
      if (trace && trace.meta && trace.meta.scalebar) {  // the scale bar is never covered
        var box = group.getBoundingClientRect();
        if (box.width) { kept.push({left: box.left - 4, right: box.right + 4, top: box.top - 4, bottom: box.bottom + 4}); }
        return;
      }
      if (!trace || !trace.meta || !trace.meta.labels || trace.visible === false) { return; }
      var ranks = trace.customdata || [];
      // one <g> per point, in the trace's order, holding its <text>
      Array.prototype.forEach.call(group.children, function (point, i) {
        var text = point.querySelector("text");
        if (text) { labels.push({el: text, rank: ranks[i] === undefined ? 1e9 : ranks[i]}); }
      });
    });
    labels.sort(function (a, b) { return a.rank - b.rank; });
    labels.forEach(function (l) { l.el.style.visibility = ""; });
    labels.forEach(function (l) {
      var r = l.el.getBoundingClientRect();
      if (!r.width) { return; }
      var outside = frame && (r.left < frame.left || r.right > frame.right || r.top < frame.top || r.bottom > frame.bottom);
      var hit = outside || kept.some(function (k) {
        return r.left < k.right + 2 && k.left < r.right + 2 && r.top < k.bottom && k.top < r.bottom;
      });
      if (hit) { l.el.style.visibility = "hidden"; } else { kept.push(r); }
    });
  }

  var pending = null;
  function soon(gd) {
    if (pending) { return; }
    pending = window.requestAnimationFrame(function () { pending = null; declutter(gd); });
  }

  function watch(gd, tries) {
    if (!gd || !gd.on || !gd._fullLayout) {
      if ((tries || 0) < 40) { window.setTimeout(function () { watch(mapDiv(), (tries || 0) + 1); }, 50); }
      return;
    }
    if (!gd.__labelsWatched) {
      gd.__labelsWatched = true;
      // a pan ends with a click where the pointer was released: not a click on an area (the browser
      // sends it; plotly would select the area under it). Stopped before it reaches the map's layers.
      var down = null;
      gd.addEventListener("pointerdown", function (e) { down = [e.clientX, e.clientY]; }, true);
      gd.addEventListener("click", function (e) {
        if (down && Math.abs(e.clientX - down[0]) + Math.abs(e.clientY - down[1]) > 6) { e.stopPropagation(); }
      }, true);
      gd.on("plotly_afterplot", function () { soon(gd); });
      gd.on("plotly_relayouting", function () { soon(gd); });
      gd.on("plotly_relayout", function () { soon(gd); });
    }
    soon(gd);
  }

  // ---- the legend, made from the figure -------------------------------------------------------------
  var GLYPHS = {"circle": "●", "square": "■", "diamond": "◆", "diamond-open": "◇", "triangle-up": "▲", "cross": "✚",
                "x": "✖", "star": "★", "triangle-down": "▼"};

  function first(v) { return Array.isArray(v) ? v[0] : v; }

  function text(v) {  // a figure's text as shown (markup dropped, entities read back)
    var box = document.createElement("textarea");
    box.innerHTML = String(v || "").replace(/<br\s*\/?>/gi, " ").replace(/<[^>]*>/g, "");
    return box.value;
  }

  function entry(swatch, label) {
    var li = document.createElement("li"), sw = document.createElement("span"), name = document.createElement("span");
    sw.className = "sw";
    swatch(sw);
    sw.setAttribute("aria-hidden", "true");
    name.textContent = label;
    li.appendChild(sw);
    li.appendChild(name);
    return li;
  }

  function legend(figure) {
    var box = document.getElementById("home-map-legend-items");
    if (!box || !figure || !figure.data) { return; }
    var out = document.createDocumentFragment();
    figure.data.forEach(function (t) {
      if (t.type !== "choropleth" || !t.colorbar || !t.colorbar.ticktext || t.visible === false) { return; }
      var title = document.createElement("p"), list = document.createElement("ul");
      title.className = "legend-title";
      title.textContent = text(t.colorbar.title && t.colorbar.title.text);
      list.className = "legend-classes";
      t.colorbar.ticktext.forEach(function (label, i) {
        var color = (t.colorscale[2 * i] || [])[1];
        list.appendChild(entry(function (sw) { sw.className = "sw sw-box"; sw.style.background = color; }, text(label)));
      });
      out.appendChild(title);
      out.appendChild(list);
    });
    var layers = document.createElement("ul");
    layers.className = "legend-layers";
    figure.data.forEach(function (t) {
      if (t.type !== "scattergeo" || t.visible === false || t.showlegend === false || !t.name || (t.meta && t.meta.labels)) {
        return;
      }
      var mode = t.mode || "", marker = t.marker || {}, line = t.line || {};
      if (mode.indexOf("markers") >= 0) {
        var symbols = Array.isArray(marker.symbol) ? marker.symbol : [marker.symbol || "circle"];
        var glyph = symbols.filter(function (s, i) { return symbols.indexOf(s) === i; })
          .map(function (s) { return GLYPHS[s] || "●"; }).join(" ");
        layers.appendChild(entry(function (sw) { sw.textContent = glyph; sw.style.color = first(marker.color) || "#333"; },
                                 text(t.name)));
      } else if (mode.indexOf("lines") >= 0) {
        layers.appendChild(entry(function (sw) {
          sw.className = "sw sw-line";
          sw.style.borderTop = Math.max(1, Math.min(6, line.width || 1)) + "px " +
            (line.dash === "dot" ? "dotted" : line.dash === "dash" ? "dashed" : "solid") + " " + (line.color || "#333");
        }, text(t.name)));
      }
    });
    out.appendChild(layers);
    box.replaceChildren(out);
  }

  var legendInitialised = false;

  // ---- the period ---------------------------------------------------------------------------------
  function monthIndex(text, first) {
    var m = /^\s*(\d{4})-(\d{1,2})\s*$/.exec(text || "");
    if (!m || +m[2] < 1 || +m[2] > 12) { return null; }
    var f = first.split("-");
    return (+m[1] - +f[0]) * 12 + (+m[2] - +f[1]);
  }

  function monthText(index, first) {
    var f = first.split("-"), total = +f[0] * 12 + (+f[1] - 1) + index;
    var month = total % 12 + 1;
    return Math.floor(total / 12) + "-" + (month < 10 ? "0" : "") + month;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    map: {
      frame: function (relayout, _reset, _areas, current) {
        var ids = triggered();
        if (ids.some(function (id) { return id.indexOf("home-reset-view") === 0 || id.indexOf("home-areas") === 0; })) {
          return "";
        }
        if (!relayout || !Object.keys(relayout).some(function (k) { return k.indexOf("geo.") === 0; })) { return NO(); }
        var box = extent(mapDiv());
        if (!box) { return NO(); }
        var value = box.map(function (v) { return v.toFixed(3); }).join(",");
        return value === current ? NO() : value;
      },
      drawn: function (figure) {
        legend(figure);
        var details = document.getElementById("home-map-legend");
        if (details && !legendInitialised) {  // on a phone the legend starts closed: the map takes the screen
          legendInitialised = true;
          if (window.matchMedia && window.matchMedia("(max-width: 760px)").matches) { details.open = false; }
        }
        window.setTimeout(function () { watch(mapDiv(), 0); }, 0);
        return NO();
      },
      period: function (range, from, to, preset, bounds) {
        var ids = triggered(), first = bounds.first, n = monthIndex(bounds.last, first);
        var presets = bounds.presets || [];
        function matching(a, b) {
          var v = monthText(a, first) + "/" + monthText(b, first);
          return presets.indexOf(v) >= 0 ? v : null;
        }
        if (ids.some(function (id) { return id.indexOf("home-preset") === 0; }) && preset) {
          var parts = preset.split("/"), a = monthIndex(parts[0], first), b = monthIndex(parts[1], first);
          if (a === null || b === null) { return [NO(), NO(), NO(), NO()]; }
          return [[a, b], parts[0], parts[1], NO()];
        }
        if (ids.some(function (id) { return id.indexOf("home-from") === 0 || id.indexOf("home-to") === 0; })) {
          var lo = monthIndex(from, first), hi = monthIndex(to, first);
          if (lo === null) { lo = range[0]; }
          if (hi === null) { hi = range[1]; }
          lo = Math.min(Math.max(lo, 0), n);
          hi = Math.min(Math.max(hi, 0), n);
          if (hi < lo) { var s = lo; lo = hi; hi = s; }
          var same = lo === range[0] && hi === range[1];
          return [same ? NO() : [lo, hi], monthText(lo, first), monthText(hi, first), matching(lo, hi)];
        }
        return [NO(), monthText(range[0], first), monthText(range[1], first), matching(range[0], range[1])];
      },
      drawer: function (_n, className) {
        var open = (className || "").indexOf("drawer-open") < 0;
        return [open ? "side drawer-open" : "side", open ? "true" : "false"];
      }
    }
  });
})();
