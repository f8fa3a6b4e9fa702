// The dashboard's tree (issues 17 and 18): expanding a unit asks the server for that unit's
// children only (GET /dashboard/branch/<slug>/, the rows as HTML) and inserts them under it;
// collapsing hides them, and expanding again shows them without asking. "Expand all" opens
// every branch, asking for the branches not loaded yet a few at a time, so each request is
// one branch's rows whatever the size of the organization. The open branches are kept in
// the URL's ?open= and in the filters form, so a reload or a filter change keeps the tree.
// Without script each toggle is a plain link to the dashboard with that branch opened.
(function () {
  "use strict";

  var PARALLEL = 4;

  function heatmap() {
    return document.querySelector("#heatmap table.heatmap[data-branch-query]");
  }

  function rowOf(toggle) {
    return toggle.closest("tr.heat-row");
  }

  function isOpen(toggle) {
    return toggle.getAttribute("aria-expanded") === "true";
  }

  function mark(toggle, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.setAttribute("aria-label", (open ? "Collapse " : "Expand ") + toggle.dataset.name);
    toggle.textContent = open ? "▾" : "▸";
  }

  // The rows below `row` in the tree (its descendants): those after it whose path it prefixes.
  function descendants(row) {
    var path = row.dataset.path;
    var found = [];
    for (var next = row.nextElementSibling; next; next = next.nextElementSibling) {
      if (!next.dataset.path || next.dataset.path.indexOf(path) !== 0) {
        break;
      }
      found.push(next);
    }
    return found;
  }

  // Show the descendants whose every ancestor up to `row` is open; hide the rest. A row's
  // parent is the row whose path is its own less one level (the table's data-step).
  function showBelow(row) {
    var step = Number(row.closest("table").dataset.step);
    var shown = {};
    shown[row.dataset.path] = true;
    descendants(row).forEach(function (child) {
      var parentPath = child.dataset.path.slice(0, -step);
      var parentRow = child.parentNode.querySelector('tr[data-path="' + parentPath + '"]');
      var parentToggle = parentRow && parentRow.querySelector("a.toggle[data-branch]");
      var visible = shown[parentPath] === true && (!parentToggle || isOpen(parentToggle));
      child.hidden = !visible;
      if (visible) {
        shown[child.dataset.path] = true;
      }
    });
  }

  function saveOpen() {
    var table = heatmap();
    if (!table) {
      return;
    }
    var open = [];
    table.querySelectorAll("tr.heat-row").forEach(function (row) {
      var toggle = row.querySelector("a.toggle[data-branch]");
      if (!row.hidden && toggle && isOpen(toggle)) {
        open.push(row.dataset.unit);
      }
    });
    var root = table.querySelector("tr.heat-row");
    if (root) {
      open.push(root.dataset.unit);
    }
    open.sort();
    var value = open.join(",");
    var field = document.querySelector('input[name="open"][form="dashboard-filters"]');
    if (field) {
      field.value = value;
    }
    var url = new URL(window.location.href);
    url.searchParams.set("open", value);
    window.history.replaceState(window.history.state, "", url.toString());
  }

  function load(toggle) {
    var row = rowOf(toggle);
    var table = heatmap();
    var field = document.querySelector('input[name="open"][form="dashboard-filters"]');
    var query = table.dataset.branchQuery + (field ? "&open=" + encodeURIComponent(field.value) : "");
    return fetch(toggle.dataset.branch + "?" + query, {
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("The branch answered " + response.status);
      }
      return response.text();
    }).then(function (html) {
      if (!row.isConnected) {
        return;
      }
      row.insertAdjacentHTML("afterend", html);
      toggle.dataset.loaded = "true";
    });
  }

  function open(toggle) {
    var ready = toggle.dataset.loaded === "true" ? Promise.resolve() : load(toggle);
    return ready.then(function () {
      mark(toggle, true);
      showBelow(rowOf(toggle));
    });
  }

  function close(toggle) {
    mark(toggle, false);
    descendants(rowOf(toggle)).forEach(function (child) {
      child.hidden = true;
    });
  }

  function closedToggles(table) {
    return Array.prototype.filter.call(
      table.querySelectorAll("tr.heat-row:not([hidden]) a.toggle[data-branch]"),
      function (toggle) { return !isOpen(toggle); }
    );
  }

  function progress(text) {
    var shown = document.querySelector("[data-tree-progress]");
    if (shown) {
      shown.textContent = text;
    }
  }

  // Open every branch: the visible closed ones, then those their rows brought, until none
  // is left; at most PARALLEL requests at a time.
  function expandAll(button) {
    var table = heatmap();
    if (!table) {
      return;
    }
    button.disabled = true;
    progress("Opening every unit…");
    var running = 0;
    var failed = false;

    function start(toggle, resolve) {
      toggle.dataset.pending = "true";
      running += 1;
      open(toggle).catch(function () {
        failed = true;
      }).then(function () {
        delete toggle.dataset.pending;
        running -= 1;
        pump(resolve);
      });
    }

    function pump(resolve) {
      if (!table.isConnected) {
        resolve();
        return;
      }
      var waiting = closedToggles(table).filter(function (toggle) {
        return toggle.dataset.pending !== "true";
      });
      if (waiting.length === 0 && running === 0) {
        resolve();
        return;
      }
      while (running < PARALLEL && waiting.length && !failed) {
        start(waiting.shift(), resolve);
      }
      if (failed && running === 0) {
        resolve();
      }
    }

    new Promise(pump).then(function () {
      button.disabled = false;
      saveOpen();
      progress(failed ? "Some units could not be opened; try again." : "Every unit is open.");
    });
  }

  function collapseAll() {
    var table = heatmap();
    if (!table) {
      return;
    }
    table.querySelectorAll("a.toggle[data-branch]").forEach(function (toggle) {
      if (isOpen(toggle)) {
        close(toggle);
      }
    });
    saveOpen();
    progress("");
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("#heatmap a.toggle[data-branch]");
    if (toggle && heatmap()) {
      event.preventDefault();
      if (isOpen(toggle)) {
        close(toggle);
        saveOpen();
      } else {
        open(toggle).then(saveOpen, function () {
          // The branch could not be read: fall back to the page with it opened.
          window.location.assign(toggle.href);
        });
      }
      return;
    }
    var all = event.target.closest && event.target.closest("[data-expand-all]");
    if (all) {
      expandAll(all);
      return;
    }
    if (event.target.closest && event.target.closest("[data-collapse-all]")) {
      collapseAll();
    }
  });

  function reveal(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-tree-tools]").forEach(function (tools) {
      tools.hidden = false;
    });
  }

  document.addEventListener("htmx:load", function (event) {
    reveal(event.detail.elt);
  });
  document.addEventListener("DOMContentLoaded", function () {
    reveal(document);
  });
})();
