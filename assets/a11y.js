/* Accessibility fixes for dash 4.4's core components (WCAG 2.1 AA, checked by axe-core in the tests).

   - RadioItems and Checklist render a role="listbox" of role="option" labels wrapping native inputs:
     a listbox with nested controls and no name. They become a named radiogroup / group of plain labels
     (the native radio and checkbox inputs keep their keyboard behaviour).
   - Slider handles get the name of the slider's label.
   - Dropdowns put the Tab stop on a hidden input (aria-hidden, yet focusable) that hands focus to a
     button named only by its value. The button becomes the Tab stop, named by the control's label
     and its value; Enter, Space and the arrow keys open it as before.
   The labels are the page's own <label for=...> (dashboard/layout.py). Runs on every change of the
   DOM, since the page is drawn by callbacks. */
(function () {
  "use strict";

  function labelId(control) {
    var label = document.querySelector('label[for="' + control.id + '"]');
    if (!label) { return null; }
    if (!label.id) { label.id = control.id + "-name"; }
    return label.id;
  }

  function fixOptionLists(root) {
    // RadioItems and Checklist only: a dropdown's list of options is a real listbox
    root.querySelectorAll('.dash-radioitems[role="listbox"], .dash-checklist[role="listbox"]').forEach(function (list) {
      if (list.closest(".dash-dropdown-content")) { return; }
      list.setAttribute("role", list.classList.contains("dash-radioitems") ? "radiogroup" : "group");
      var id = labelId(list);
      if (id && !list.getAttribute("aria-labelledby")) { list.setAttribute("aria-labelledby", id); }
    });
    root.querySelectorAll('.dash-radioitems > .dash-options-list-option[role="option"],'
                          + ' .dash-checklist > .dash-options-list-option[role="option"]').forEach(function (option) {
      if (option.closest(".dash-dropdown-content")) { return; }
      option.removeAttribute("role");
      option.removeAttribute("aria-selected");
    });
  }

  function fixDropdowns(root) {
    root.querySelectorAll(".dash-dropdown-wrapper").forEach(function (wrapper) {
      var target = wrapper.querySelector(".dash-dropdown-focus-target");
      var button = wrapper.querySelector("button.dash-dropdown");
      if (!button) { return; }
      if (target && target.getAttribute("tabindex") !== "-1") { target.setAttribute("tabindex", "-1"); }
      var disabled = button.disabled || button.getAttribute("aria-disabled") === "true";
      var tab = disabled ? "-1" : "0";
      if (button.getAttribute("tabindex") !== tab) { button.setAttribute("tabindex", tab); }
      var id = labelId(button);
      var named = button.getAttribute("aria-labelledby") || "";
      if (id && named.split(" ").indexOf(id) < 0) {
        button.setAttribute("aria-labelledby", (id + " " + named).trim());
      }
    });
  }

  function fixSliders(root) {
    root.querySelectorAll('[role="slider"]').forEach(function (thumb) {
      if (thumb.getAttribute("aria-labelledby") || thumb.getAttribute("aria-label")) { return; }
      var owner = thumb.parentElement && thumb.parentElement.closest("[id]");
      var id = owner && labelId(owner);
      if (id) { thumb.setAttribute("aria-labelledby", id); }
    });
  }

  // a slider's marks that would overlap the one before them are hidden (a long range on a phone): the
  // first stays, then each mark at least a gap clear of the last one kept, whatever the direction
  function declutterMarks(root) {
    root.querySelectorAll(".dash-slider-root").forEach(function (slider) {
      var kept = null;
      slider.querySelectorAll(".dash-slider-mark").forEach(function (mark) {
        var r = mark.getBoundingClientRect(), hide = false;
        if (r.width) {
          hide = !!kept && r.left < kept.right + 6 && kept.left < r.right + 6;
          if (!hide) { kept = r; }
        }
        var want = hide ? "hidden" : "";
        if (mark.style.visibility !== want) { mark.style.visibility = want; }
      });
    });
  }

  // the marks' boxes are read once per frame, after React's changes of that frame: read on every
  // change, each read forced the browser to lay the page out again while the first view was built
  var declutterPending = false;
  function declutterSoon() {
    if (declutterPending) { return; }
    declutterPending = true;
    window.requestAnimationFrame(function () { declutterPending = false; declutterMarks(document); });
  }

  function fix() {
    fixOptionLists(document);
    fixDropdowns(document);
    fixSliders(document);
    declutterSoon();
  }
  window.addEventListener("resize", declutterSoon);

  // fixed as soon as React has changed the DOM (a microtask), before a key press can find it unfixed;
  // changes inside plotly's graphs (thousands of SVG nodes on every redraw) are not looked at, and
  // only differing attributes are written, so the observer settles
  function outsideGraphs(record) {
    var node = record.target;
    return !(node.closest && node.closest(".js-plotly-plot"));
  }
  new MutationObserver(function (records) {
    if (records.some(outsideGraphs)) { fix(); }
  }).observe(document.documentElement, {subtree: true, childList: true, attributes: true,
                                        attributeFilter: ["role", "tabindex", "aria-labelledby", "disabled"]});
  document.addEventListener("DOMContentLoaded", fix);
})();

/* Source lists and key dates (dashboard/page/components.py source_list, key_dates_block): each list's
   lines come as data on its box (data-sources: [before the title, title, link or null, after it, link
   kind]; data-key-dates) and are written into its empty list here, as text and links, when the box
   appears and whenever its lines change. A link is only ever an http(s) address. As Dash components,
   these lines were two thirds of the first view's components. */
(function () {
  "use strict";
  function fill(box) {
    var raw = box.getAttribute("data-sources"), list = box.querySelector("ol.source-items");
    if (!list || list.__built === raw) { return; }
    var doc = box.ownerDocument, out = doc.createDocumentFragment(), items = [];
    try { items = JSON.parse(raw) || []; } catch (e) { items = []; }
    items.forEach(function (item) {
      var li = doc.createElement("li");
      li.setAttribute("data-link-kind", item[4] || "");
      li.appendChild(doc.createTextNode(item[0] || ""));
      if (item[2] && /^https?:\/\//i.test(item[2])) {
        var a = doc.createElement("a");
        a.href = item[2];
        a.target = "_blank";
        a.textContent = item[1] || "";
        li.appendChild(a);
        li.appendChild(doc.createTextNode(item[3] || ""));
      }
      out.appendChild(li);
    });
    list.replaceChildren(out);
    list.__built = raw;
  }
  // a chart's key dates (data-key-dates: [number, " when: label", " (kind)" or ""])
  function fillKeyDates(box) {
    var raw = box.getAttribute("data-key-dates"), list = box.querySelector("ul.key-dates");
    if (!list || list.__built === raw) { return; }
    var doc = box.ownerDocument, out = doc.createDocumentFragment(), items = [];
    try { items = JSON.parse(raw) || []; } catch (e) { items = []; }
    items.forEach(function (item) {
      var li = doc.createElement("li"), number = doc.createElement("span");
      number.className = "key-date-number";
      number.textContent = item[0];
      li.appendChild(number);
      li.appendChild(doc.createTextNode(item[1] || ""));
      if (item[2]) {
        var kind = doc.createElement("span");
        kind.className = "key-date-kind";
        kind.textContent = item[2];
        li.appendChild(kind);
      }
      out.appendChild(li);
    });
    list.replaceChildren(out);
    list.__built = raw;
  }
  function fillAll() {
    document.querySelectorAll(".sources[data-sources]").forEach(fill);
    document.querySelectorAll(".key-dates-block[data-key-dates]").forEach(fillKeyDates);
  }
  function relevant(record) {
    if (record.type === "attributes") { return true; }
    if (!record.addedNodes.length) { return false; }
    var node = record.target;
    return !(node.closest && node.closest(".js-plotly-plot"));
  }
  new MutationObserver(function (records) {
    if (records.some(relevant)) { fillAll(); }
  }).observe(document.documentElement, {subtree: true, childList: true, attributes: true,
                                        attributeFilter: ["data-sources", "data-key-dates"]});
  document.addEventListener("DOMContentLoaded", fillAll);
})();

/* Text alternatives: for each chart and the map, a sentence describing it (written when plotly.js has
   drawn a new figure: Plotly.react is wrapped once every script has run) and a table of what it draws, made from the same figure only when its "Data
   table" is opened (and again on a new figure while it is open). The table is plain DOM in a container
   React leaves empty: built as Dash components, six tables of up to 400 rows took seconds to render on
   every view. `labels` holds the translated words (dashboard/layout.py, TABLE_LABELS). */
(function () {
  "use strict";
  var LIMIT = 400;
  var latest = {};  // graph id -> {figure, labels}: what its table is made from when opened

  function fmt(v) { return typeof v === "number" ? v.toLocaleString("en-US", {maximumFractionDigits: 3}) : v; }

  // rows of the table: [cells...], or only counted (`count`): formatting numbers costs more than the rest
  function tableOf(figure, L, count) {
    var rows = [], names = [], more = 0, header;
    var areas = figure.data.filter(function (t) { return t.type === "choropleth" && Array.isArray(t.text) && t.customdata; })[0];
    if (areas) {
      header = [L.area, L.value, L.period, L.source];
      areas.locations.forEach(function (loc, i) {
        var c = areas.customdata[i] || [];
        if (rows.length >= LIMIT) { more += 1; return; }
        rows.push(count ? null : [areas.text[i], c[0], c[1], c[2]]);
      });
      names = [areas.name];
    } else {
      // a published figure's trace lists its rows ([period, value with its qualifier, area, source]) in
      // meta.rows; a bucketed series gives its source and area once (meta.table_source, meta.table_area)
      header = [L.series, L.period, L.value, L.area, L.source];
      figure.data.forEach(function (t) {
        if (t.visible === false || !t.name || t.hoverinfo === "skip" || t.fill === "toself" || !Array.isArray(t.x)
            || (t.meta && t.meta.table === false)) { return; }
        names.push(t.name);
        var meta = t.meta || {};
        if (Array.isArray(meta.rows)) {
          meta.rows.forEach(function (r) {
            if (rows.length >= LIMIT) { more += 1; return; }
            rows.push(count ? null : [t.name, r[0], r[1], r[2], r[3]]);
          });
          return;
        }
        var x = t.x, y = t.y || [], segments = x.indexOf(null) >= 0;
        var area = meta.table_area || "", source = meta.table_source || "";
        for (var i = 0; i < x.length; i += 1) {
          if (x[i] === null || y[i] === null || y[i] === undefined) { continue; }
          if (rows.length >= LIMIT) { more += 1; continue; }
          if (segments && i + 1 < x.length && x[i + 1] !== null) {
            rows.push(count ? null : [t.name, x[i] === x[i + 1] ? x[i] : x[i] + " – " + x[i + 1], fmt(y[i]), area, source]);
            i += 1;
          } else {
            rows.push(count ? null : [t.name, x[i], fmt(y[i]), area, source]);
          }
        }
      });
    }
    return {header: header, rows: rows, more: more, names: names};
  }

  // a figure's text as plotly shows it: its markup (<b>, <br>) dropped, the entities that escape
  // text from data (&lt; &gt; &#123; &amp;, dashboard/figures/common.py esc) read back
  var ENTITIES = {lt: "<", gt: ">", amp: "&", nbsp: "\u00a0", quot: "&quot;"};
  function text(v) {
    if (v === null || v === undefined) { return ""; }
    return String(v).replace(/<br\s*\/?>/gi, " ").replace(/<[^>]*>/g, "").replace(/&(#\d+|#x[\da-fA-F]+|[a-z]+);/g,
      function (whole, name) {
        if (name.charAt(0) === "#") {
          var code = name.charAt(1) === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
          return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
        }
        return ENTITIES[name] || whole;
      });
  }

  function render(container, figure, L) {
    var doc = container.ownerDocument, out = doc.createDocumentFragment();
    var t = figure && figure.data ? tableOf(figure, L) : {rows: []};
    if (!t.rows.length) {
      var p = doc.createElement("p"); p.textContent = L.empty || ""; out.appendChild(p);
    } else {
      var table = doc.createElement("table"), head = table.createTHead().insertRow(), body = table.createTBody();
      table.className = "data-table";
      t.header.forEach(function (h) { var th = doc.createElement("th"); th.textContent = text(h); head.appendChild(th); });
      t.rows.forEach(function (r) {
        var tr = body.insertRow();
        r.forEach(function (c) { tr.insertCell().textContent = text(c); });
      });
      out.appendChild(table);
      if (t.more) {
        var note = doc.createElement("p"); note.textContent = (L.more || "").replace("{n}", t.more); out.appendChild(note);
      }
    }
    container.replaceChildren(out);
  }

  function refresh(graphId) {
    var container = document.getElementById(graphId + "-table"), seen = latest[graphId];
    var details = container && container.closest("details");
    if (details && details.open && seen) { render(container, seen.figure, seen.labels || {}); }
  }

  // the common-window view under a chart (dashboard/page/components.py window_block): its table is made
  // from the rows the <details> carries (data-window) when it is opened, and again when they change
  // while it is open; every cell is set as text
  function renderWindow(details) {
    var slot = details.querySelector(".window-table-slot"), raw = details.getAttribute("data-window");
    if (!slot || !raw || slot.__built === raw) { return; }
    var w = JSON.parse(raw), doc = details.ownerDocument;
    var table = doc.createElement("table"), head = table.createTHead().insertRow(), body = table.createTBody();
    table.className = "data-table window-table";
    w.head.forEach(function (h) { var th = doc.createElement("th"); th.textContent = h; head.appendChild(th); });
    w.rows.forEach(function (r) {
      var tr = body.insertRow(), first = tr.insertCell(), mark = doc.createElement("span");
      mark.textContent = "\u25a0 ";
      mark.style.color = r[0];
      first.appendChild(mark);
      first.appendChild(doc.createTextNode(r[1]));
      [r[2], r[3], r[4], r[5]].forEach(function (c) { tr.insertCell().textContent = c; });
      var area = tr.insertCell();
      area.textContent = r[6];
      if (r[7]) {
        var strong = doc.createElement("strong");
        strong.className = "area-differs";
        strong.textContent = " " + w.differs;
        area.appendChild(strong);
        tr.className = "area-differs-row";
      }
    });
    slot.replaceChildren(table);
    slot.__built = raw;
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) { if (record.target.open) { renderWindow(record.target); } });
  }).observe(document.documentElement, {subtree: true, attributes: true, attributeFilter: ["data-window"]});

  // "toggle" does not bubble: listened for in the capture phase, for every details on the page
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.classList || !details.classList.contains("table-view") || !details.open) { return; }
    if (details.classList.contains("window-view")) { renderWindow(details); return; }
    var container = details.querySelector("[id$='-table']");
    if (container) { refresh(container.id.slice(0, -"-table".length)); }
  }, true);

  // each graph's description, written when plotly.js has drawn a new figure (every figure the page shows
  // goes through Plotly.react: dcc.Graph calls it for the first one and for each new or patched one)
  function labels() {
    var box = document.getElementById("home-table-labels");
    try { return JSON.parse((box && box.getAttribute("data-labels")) || "{}"); } catch (e) { return {}; }
  }
  function describeGraph(gd) {
    var host = gd && gd.closest && gd.closest(".dash-graph");
    var p = host && host.id && document.getElementById(host.id + "-summary");
    if (!p) { return; }
    var text = describe({data: gd.data, layout: gd.layout}, labels(), host.id);
    if (p.textContent !== text) { p.textContent = text; }
  }
  function hookPlotly() {
    var P = window.Plotly;
    if (!P || typeof P.react !== "function" || P.react.__described) { return; }
    var react = P.react;
    P.react = function (gd) {
      var out = react.apply(this, arguments);
      var div = typeof gd === "string" ? document.getElementById(gd) : gd;
      Promise.resolve(out).then(function () { describeGraph(div); }, function () { return null; });
      return out;
    };
    P.react.__described = true;
  }
  hookPlotly();  // (plotly.js loads after this file: hooked again once every script has run)
  document.addEventListener("DOMContentLoaded", hookPlotly);

  function describe(figure, labels, graphId) {
    var L = labels || {};
    latest[graphId] = {figure: figure, labels: L};
    if (!figure || !figure.data) { return L.empty || ""; }
    var layout = figure.layout || {}, title = (layout.title && layout.title.text) || "";
    var t = tableOf(figure, L, true);
    var summary = (L.chart || "") + " " + text(title) + ". ";
    summary += t.names.length ? (L.series_list || "") + " " + t.names.map(text).join("; ") + ". " : (L.empty || "");
    summary += t.rows.length ? (L.rows || "").replace("{n}", t.rows.length + t.more) : "";
    window.setTimeout(function () { refresh(graphId); }, 0);  // an open table follows the new figure
    return summary;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    a11y: {
      // the document's language and direction follow the page's (screen readers, axe, fonts); a file,
      // not an inline callback, so that the page runs under a Content-Security-Policy without inline script
      language: function (lang) {
        var root = document.documentElement;
        root.lang = lang || "en";
        root.dir = lang === "ar" ? "rtl" : "ltr";
        return root.lang;
      },
      // the title above a graph (an HTML heading: it wraps, and the graph's tool bar never covers it)
      title: function (figure) {
        var layout = (figure && figure.layout) || {};
        return text((layout.title && layout.title.text) || "").replace(/[\u202a-\u202e]/g, "").trim();
      },
      describe: describe
    }
  });
})();
