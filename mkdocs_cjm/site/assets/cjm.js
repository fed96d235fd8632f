/* mkdocs-cjm: behaviour of the journey map and the flow diagram.
   - Map: a cue above the map while more of it is hidden to the right.
   - Zoom: diagrams fit the content width by default; "Zoom" shows them at
     natural size in a horizontally scrolling box.
   - Print: a journey's flow is a long left-to-right strip; fitted to one sheet
     its text would be a few points high. For paper it is cut into slices
     (between steps, never through a box or a label) that print one under the
     other at a scale where the labels stay legible.
   Subscribes to Material's document$ so it also runs after instant navigation. */
(function () {
  var SVG_NS = "http://www.w3.org/2000/svg";
  // Widest slice, in Graphviz points: at A4 landscape (about 273 mm of content)
  // 11 pt labels print at about 8 pt.
  var SLICE_POINTS = 1000;

  function viewBoxOf(svg) {
    var box = svg.viewBox && svg.viewBox.baseVal;
    return box && box.width > 0 ? box : null;
  }

  // Boxes (in viewBox units) of the diagram's parts: where the cuts may not go
  // (steps and labels) and how tall each slice must be (everything drawn).
  function measure(svg, box) {
    var rect = svg.getBoundingClientRect();
    if (!rect.width) return null;
    var scale = box.width / rect.width;
    function boxOf(element) {
      var r = element.getBoundingClientRect();
      if (!r.width && !r.height) return null;
      return {
        left: box.x + (r.left - rect.left) * scale,
        right: box.x + (r.right - rect.left) * scale,
        top: box.y + (r.top - rect.top) * scale,
        bottom: box.y + (r.bottom - rect.top) * scale,
      };
    }
    var spans = [];
    svg.querySelectorAll("g.node, text").forEach(function (element) {
      var b = boxOf(element);
      if (b) spans.push([b.left, b.right]);
    });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var solid = [];
    spans.forEach(function (span) {
      var last = solid[solid.length - 1];
      if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
      else solid.push(span.slice());
    });
    var parts = [];
    svg.querySelectorAll("g.node, g.edge, g.cluster").forEach(function (element) {
      var b = boxOf(element);
      if (b) parts.push(b);
    });
    return { solid: solid, parts: parts };
  }

  // The vertical extent of what is drawn between two cuts, so a slice of a
  // diagram whose steps sit in one band does not print the empty rest.
  function heightOf(parts, left, right, box) {
    var top = Infinity;
    var bottom = -Infinity;
    parts.forEach(function (b) {
      if (b.right <= left || b.left >= right) return;
      top = Math.min(top, b.top);
      bottom = Math.max(bottom, b.bottom);
    });
    if (top === Infinity) return [box.y, box.height];
    top = Math.max(box.y, top - 4);
    bottom = Math.min(box.y + box.height, bottom + 4);
    return [top, bottom - top];
  }

  // Cut positions: each slice as wide as allowed, ending in the widest gap
  // between blocks that fits; a forced cut only when one block is wider than a slice.
  function cuts(box, merged) {
    var end = box.x + box.width;
    var result = [box.x];
    var start = box.x;
    while (end - start > SLICE_POINTS) {
      var limit = start + SLICE_POINTS;
      var cut = null;
      for (var i = 1; i < merged.length; i++) {
        var gap = (merged[i - 1][1] + merged[i][0]) / 2;
        if (gap > start + 1 && gap <= limit && merged[i - 1][1] < merged[i][0]) cut = gap;
      }
      start = cut === null ? limit : cut;
      result.push(start);
    }
    result.push(end);
    return result;
  }

  function stripIds(root) {
    root.querySelectorAll("[id]").forEach(function (element) { element.removeAttribute("id"); });
  }

  function slice(figure) {
    if (figure.querySelector(".cjm-print-slices")) return true;
    var svg = figure.querySelector(".cjm-figure-body svg.cjm-svg");
    var box = svg && viewBoxOf(svg);
    if (!box || box.width <= SLICE_POINTS) return Boolean(box);
    var measured = measure(svg, box);
    if (!measured) return false;
    var positions = cuts(box, measured.solid);
    var holder = document.createElement("div");
    holder.className = "cjm-print-slices";
    // The on-screen diagram already carries the title and description; the
    // slices are a second rendering of it for paper only.
    holder.setAttribute("aria-hidden", "true");
    for (var i = 0; i + 1 < positions.length; i++) {
      var x = positions[i];
      var width = positions[i + 1] - x;
      var part = svg.cloneNode(true);
      stripIds(part);
      part.removeAttribute("aria-labelledby");
      part.removeAttribute("role");
      part.querySelectorAll("title, desc").forEach(function (node) { node.remove(); });
      part.querySelectorAll("a").forEach(function (link) { link.setAttribute("tabindex", "-1"); });
      var vertical = heightOf(measured.parts, x, x + width, box);
      part.setAttribute("viewBox", [x, vertical[0], width, vertical[1]].join(" "));
      part.setAttribute("focusable", "false");
      part.style.width = (100 * width / SLICE_POINTS) + "%";
      holder.appendChild(part);
    }
    figure.querySelector(".cjm-figure-body").after(holder);
    figure.classList.add("cjm-sliced");
    return true;
  }

  function sliceAll() {
    document.querySelectorAll("figure.cjm-flow").forEach(slice);
  }

  // A box that scrolls sideways must be reachable from the keyboard even when
  // it holds no link (a wide KPI table, the emotion curve on a phone).
  function labelScrollers() {
    document.querySelectorAll(".cjm-table, .cjm-figure-body").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption, title");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (caption) box.setAttribute("aria-label", caption.textContent.trim());
        box.dataset.cjmScroller = "1";
      } else if (!scrolls && box.dataset.cjmScroller) {
        ["tabindex", "role", "aria-label", "data-cjm-scroller"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }

  // The journey map scrolls sideways inside its box: say so above it while more
  // of it is hidden to the right, and mark the box for styling.
  function mapCue(map) {
    var hint = map.parentElement && map.parentElement.querySelector(".cjm-map-hint");
    var more = map.scrollWidth - map.clientWidth - map.scrollLeft > 2;
    map.toggleAttribute("data-cjm-more", more);
    if (hint) hint.hidden = map.scrollWidth <= map.clientWidth + 1;
  }

  function mapCues() {
    document.querySelectorAll(".cjm-map").forEach(function (map) {
      if (!map.dataset.cjmReady) {
        map.dataset.cjmReady = "1";
        map.addEventListener("scroll", function () { mapCue(map); }, { passive: true });
      }
      mapCue(map);
    });
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      labelScrollers();
      mapCues();
    }, 150);
  });

  // The sections after the map (journey.md.j2, `data-cjm-fold`): closed on a phone,
  // where the map is a long timeline (their summary opens them), open on wider
  // screens. A link into a closed one (a step's details, from the map) opens it
  // before the browser scrolls there; paper shows them all.
  var PHONE = window.matchMedia("(max-width: 44.9375em)");

  function folds() {
    return document.querySelectorAll("details[data-cjm-fold]");
  }

  function openFoldHolding(href) {
    var url;
    try {
      url = new URL(href, location.href);
    } catch (error) {
      return null;
    }
    if (url.pathname !== location.pathname || url.hash.length < 2) return null;
    var target = document.getElementById(decodeURIComponent(url.hash.slice(1)));
    var fold = target && target.closest("details[data-cjm-fold]");
    if (fold && !fold.open) fold.open = true;
    return fold ? target : null;
  }

  function fitFolds() {
    folds().forEach(function (fold) { fold.open = !PHONE.matches; });
    var target = openFoldHolding(location.href);
    if (target) target.scrollIntoView();
  }

  function setUpFolds() {
    var fresh = false;
    folds().forEach(function (fold) {
      if (fold.dataset.cjmReady) return;
      fold.dataset.cjmReady = "1";
      fresh = true;
      // A diagram or table measured while closed is measured again once shown.
      fold.addEventListener("toggle", function () {
        if (!fold.open) return;
        sliceAll();
        labelScrollers();
      });
    });
    if (fresh) fitFolds();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a");
    var href = link && (link.getAttribute("href") || link.getAttribute("xlink:href"));
    if (href && href.indexOf("#") >= 0) openFoldHolding(href);
  }, true);
  window.addEventListener("hashchange", function () {
    var target = openFoldHolding(location.href);
    if (target) target.scrollIntoView();
  });
  if (PHONE.addEventListener) PHONE.addEventListener("change", fitFolds);

  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    folds().forEach(function (fold) {
      if (!fold.open) {
        closedForPrint.push(fold);
        fold.open = true;
      }
    });
    sliceAll();
  });
  window.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (fold) { fold.open = false; });
    closedForPrint = [];
  });

  function setup() {
    setUpFolds();
    document.querySelectorAll("figure.cjm-flow").forEach(function (figure) {
      var button = figure.querySelector("button.cjm-zoom");
      if (!button || button.dataset.cjmReady) return;
      button.dataset.cjmReady = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var zoomed = figure.classList.toggle("cjm-zoomed");
        button.setAttribute("aria-pressed", zoomed ? "true" : "false");
        labelScrollers();
      });
    });
    // Measured now, while the diagram is laid out on screen; a diagram that
    // is not (a hidden tab) is measured again just before printing.
    sliceAll();
    labelScrollers();
    mapCues();
  }

  // Now (the script ends the page's body), not later when Material's document$ fires.
  setUpFolds();
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

/* ==== Playbook views (issue 11): pain-point register filters, heatmap switch ====
   Progressive enhancement: without JavaScript the register lists every entry and
   both heatmaps show one under the other. One block, kept last in the file;
   Material's instant navigation re-runs it through document$. */
(function () {
  // An entry: a row of the worst-first list, or an item of the grouped view (the same
  // pain point again, shown or hidden with its row).
  var ENTRY = "tr[data-journey], li[data-journey]";
  var VISIBLE_ENTRY = "tr[data-journey]:not([hidden]), li[data-journey]:not([hidden])";

  // The filter controls, built from the lists the page carries (see pain-points.md.j2).
  function buildControls(box) {
    var fieldset = document.createElement("fieldset");
    var legend = document.createElement("legend");
    legend.textContent = box.getAttribute("data-legend");
    fieldset.appendChild(legend);
    box.querySelectorAll("ul[data-cjm-filter]").forEach(function (list) {
      var label = document.createElement("label");
      label.appendChild(document.createTextNode(list.getAttribute("data-label") + " "));
      var select = document.createElement("select");
      select.setAttribute("data-cjm-filter", list.getAttribute("data-cjm-filter"));
      var all = document.createElement("option");
      all.value = "";
      all.textContent = box.getAttribute("data-all");
      select.appendChild(all);
      list.querySelectorAll("li[data-value]").forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.getAttribute("data-value");
        option.textContent = item.textContent;
        select.appendChild(option);
      });
      label.appendChild(select);
      fieldset.appendChild(label);
      list.hidden = true;
    });
    var reset = document.createElement("button");
    reset.type = "button";
    reset.setAttribute("data-cjm-filter-reset", "");
    reset.textContent = box.getAttribute("data-reset");
    fieldset.appendChild(reset);
    var output = document.createElement("output");
    output.className = "cjm-filter-count";
    output.setAttribute("aria-live", "polite");
    fieldset.appendChild(output);
    box.appendChild(fieldset);
    return { selects: Array.prototype.slice.call(fieldset.querySelectorAll("select")), reset: reset, output: output };
  }

  function setUpFilters(root) {
    var box = root.querySelector("[data-cjm-filters]");
    if (!box || box.dataset.cjmReady) return;
    box.dataset.cjmReady = "1";
    var controls = buildControls(box);
    box.hidden = false;
    var entries = root.querySelectorAll(ENTRY);
    // "n of m shown" counts each pain point once: the worst-first list's rows, if any.
    var counted = root.querySelector("[data-cjm-worst-first]")
      ? root.querySelectorAll("[data-cjm-worst-first] " + "tr[data-journey]")
      : entries;
    var groups = root.querySelectorAll("[data-cjm-group]");
    function apply() {
      var wanted = controls.selects
        .filter(function (select) { return select.value; })
        .map(function (select) { return [select.getAttribute("data-cjm-filter"), select.value]; });
      entries.forEach(function (entry) {
        var match = wanted.every(function (pair) {
          var values = (entry.getAttribute("data-" + pair[0]) || "").split(" ");
          return values.indexOf(pair[1]) >= 0;
        });
        entry.hidden = !match;
      });
      var shown = Array.prototype.filter.call(counted, function (entry) { return !entry.hidden; }).length;
      groups.forEach(function (group) {
        var visible = group.querySelectorAll(VISIBLE_ENTRY).length;
        group.hidden = visible === 0;
        var count = group.querySelector("[data-cjm-count]");
        if (count) count.textContent = String(visible);
        if (wanted.length && visible) group.open = true;
      });
      controls.output.textContent = wanted.length
        ? box.getAttribute("data-template")
            .replace("{shown}", String(shown))
            .replace("{total}", String(counted.length))
        : "";
    }
    controls.selects.forEach(function (select) { select.addEventListener("change", apply); });
    controls.reset.addEventListener("click", function () {
      controls.selects.forEach(function (select) { select.value = ""; });
      apply();
    });
  }

  function setUpHeatmap(block) {
    var bar = block.querySelector(".cjm-heatmap-switch");
    if (!bar || bar.dataset.cjmReady) return;
    bar.dataset.cjmReady = "1";
    bar.hidden = false;
    var buttons = bar.querySelectorAll("[data-cjm-heatmap-show]");
    function show(name) {
      block.querySelectorAll("[data-cjm-heatmap-view]").forEach(function (view) {
        view.hidden = view.getAttribute("data-cjm-heatmap-view") !== name;
      });
      buttons.forEach(function (button) {
        var on = button.getAttribute("data-cjm-heatmap-show") === name;
        button.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        show(button.getAttribute("data-cjm-heatmap-show"));
      });
    });
    show("journeys");
  }

  function setUpViews() {
    document.querySelectorAll("[data-cjm-filterable]").forEach(setUpFilters);
    document.querySelectorAll(".cjm-heatmap-block").forEach(setUpHeatmap);
  }

  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(setUpViews);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpViews);
  } else {
    setUpViews();
  }
})();
/* ==== end of the playbook views block ==== */
