// Strategy map: with "Pick on the map" ticked, clicking boxes fills the add-link form
// (first the cause, then the effect) instead of opening the objective.
(function () {
  "use strict";

  function pickMode() {
    var box = document.querySelector("[data-map-pick]");
    return box && box.checked;
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-map-pick]")) {
      var hint = document.querySelector("[data-map-pick-hint]");
      if (hint) { hint.hidden = !event.target.checked; }
      document.querySelectorAll(".map-box.picked").forEach(function (node) {
        node.classList.remove("picked");
      });
    }
  });

  // Capture phase, so that the box's own link and htmx never see a click made to pick.
  document.addEventListener("click", function (event) {
    var box = event.target.closest && event.target.closest(".map-box");
    if (!box || !pickMode()) { return; }
    event.preventDefault();
    event.stopPropagation();
    var source = document.getElementById("id_source");
    var target = document.getElementById("id_target");
    if (!source || !target) { return; }
    var picked = document.querySelectorAll(".map-box.picked");
    var field = picked.length === 0 ? source : target;
    if (picked.length >= 2) {
      picked.forEach(function (node) { node.classList.remove("picked"); });
      field = source;
    }
    field.value = box.dataset.objective;
    box.classList.add("picked");
  }, true);
})();

// Map or list, and zoom (issue 17). The list view is the same map in words, for screen
// readers and small screens; "#map-list" in the address opens it. Zoom sets the drawing's
// width (from its natural size, the SVG's width attribute) and the figure scrolls inside its
// box; "Reset zoom" returns to the stylesheet's size: the page's width on a wide screen, the
// natural size (12 px text) on a phone. Both choices survive the quarter switch, which swaps
// the map's fragment.
(function () {
  "use strict";

  var STEP = 1.25;
  var MIN = 0.25;
  var MAX = 3;
  var state = { view: window.location.hash === "#map-list" ? "list" : "map", scale: null };

  function drawing() {
    return document.querySelector("#map-body [data-map-scroll] svg.strategy-map");
  }

  function naturalWidth(svg) {
    return Number(svg.getAttribute("width")) || svg.viewBox.baseVal.width;
  }

  function shownScale(svg) {
    return svg.getBoundingClientRect().width / naturalWidth(svg);
  }

  function sayScale(svg) {
    var level = document.querySelector("#map-body [data-zoom-level]");
    if (level) {
      level.textContent = state.scale === null ? "Fit" : Math.round(shownScale(svg) * 100) + " %";
    }
  }

  function applyZoom() {
    var svg = drawing();
    if (!svg) {
      return;
    }
    if (state.scale === null) {
      svg.style.removeProperty("width");
      svg.style.removeProperty("max-width");
    } else {
      svg.style.width = Math.round(naturalWidth(svg) * state.scale) + "px";
      svg.style.maxWidth = "none";
    }
    sayScale(svg);
  }

  function zoom(how) {
    var svg = drawing();
    if (!svg) {
      return;
    }
    if (how === "reset") {
      state.scale = null;
    } else {
      var now = state.scale === null ? shownScale(svg) : state.scale;
      var next = how === "in" ? now * STEP : now / STEP;
      state.scale = Math.min(MAX, Math.max(MIN, next));
    }
    applyZoom();
  }

  function applyView() {
    var list = state.view === "list";
    var map = document.getElementById("map-view-map");
    var outline = document.getElementById("map-view-list");
    if (!map || !outline) {
      return;
    }
    map.hidden = list;
    outline.hidden = !list;
    document.querySelectorAll("#map-body [data-map-view]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.mapView === state.view ? "true" : "false");
    });
    var zoomTools = document.querySelector("#map-body [data-zoom-tools]");
    if (zoomTools) {
      zoomTools.hidden = list;
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-map-view], [data-map-zoom]");
    if (!target || !target.closest("#map-body")) {
      return;
    }
    if (target.dataset.mapView) {
      state.view = target.dataset.mapView;
      applyView();
      var url = new URL(window.location.href);
      url.hash = state.view === "list" ? "map-list" : "";
      window.history.replaceState(window.history.state, "", url.toString());
      return;
    }
    zoom(target.dataset.mapZoom);
  });

  // A box opened on a narrow screen explains itself below the map: bring the explanation
  // into view when it is out of sight.
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = event.detail.target;
    if (panel && panel.id === "explain-panel") {
      var top = panel.getBoundingClientRect().top;
      if (top > window.innerHeight || top < 0) {
        panel.scrollIntoView({ block: "start" });
      }
    }
  });

  function start() {
    var tools = document.querySelector("#map-body [data-map-tools]");
    if (!tools) {
      return;
    }
    tools.hidden = false;
    applyView();
    applyZoom();
  }

  document.addEventListener("htmx:load", start);
  document.addEventListener("DOMContentLoaded", start);
})();
