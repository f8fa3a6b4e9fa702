// Sightline's one script. No inline scripts anywhere: the Content Security Policy forbids them.
(function () {
  "use strict";

  // A <select data-navigate> whose option values are URLs opens the chosen one.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-navigate]");
    if (select && select.value) {
      window.location.assign(select.value);
    }
  });
})();

// My updates: say before saving that a red value needs a comment. A row (form.update-row)
// carries its direction and effective red flag; the server applies the same rule anyway.
(function () {
  "use strict";

  function isPastRedFlag(form, text) {
    var redFlag = parseFloat(form.dataset.redFlag);
    var value = parseFloat(String(text).replace(/\s/g, "").replace(/,(?=\d{3}(\D|$))/g, "").replace(",", "."));
    if (isNaN(redFlag) || isNaN(value)) {
      return false;
    }
    return form.dataset.direction === "down" ? value > redFlag : value < redFlag;
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest("form.update-row[data-red-flag]");
    if (!form || event.target.name !== "value") {
      return;
    }
    var needed = isPastRedFlag(form, event.target.value);
    var comment = form.querySelector("textarea[name=comment]");
    var note = form.querySelector(".comment-needed");
    if (comment) {
      comment.required = needed;
    }
    if (note) {
      note.hidden = !needed;
    }
  });
})();

// Scorecard editor (issue 6): the targets grid. Paste a column or block from a spreadsheet,
// copy a row's first target to the quarters after it, grow it by x % a quarter, and show
// where each red flag lies as the numbers change. Saving is a plain form post.
(function () {
  "use strict";

  function gridCells(grid) {
    return Array.prototype.map.call(grid.querySelectorAll("tr.grid-row"), function (row) {
      return Array.prototype.slice.call(row.querySelectorAll("input[data-grid-cell]"));
    });
  }

  function number(text) {
    var cleaned = String(text).trim().replace(/[\s,%$€£]/g, "");
    return cleaned === "" || isNaN(Number(cleaned)) ? null : Number(cleaned);
  }

  function round(value) {
    return String(Math.round(value * 1e6) / 1e6);
  }

  function preview(row) {
    var tolerance = Number(row.dataset.tolerance) / 100;
    var up = row.dataset.direction === "up";
    var inputs = row.querySelectorAll("input[data-grid-cell]");
    for (var i = 0; i + 1 < inputs.length; i += 2) {
      var target = number(inputs[i].value);
      var red = number(inputs[i + 1].value);
      var shown = inputs[i].parentNode.querySelector("[data-preview]");
      if (!shown) continue;
      if (target === null) { shown.textContent = ""; continue; }
      if (red === null) {
        if (target === 0) { shown.textContent = "set a red flag for a zero target"; continue; }
        red = up ? target - tolerance * Math.abs(target) : target + tolerance * Math.abs(target);
      }
      var wrongSide = up ? red >= target : red <= target;
      shown.textContent = wrongSide ? "red flag on the wrong side" : "red " + (up ? "below " : "above ") + round(red);
    }
  }

  document.addEventListener("paste", function (event) {
    var input = event.target.closest && event.target.closest("input[data-grid-cell]");
    var grid = input && input.closest("[data-targets-grid]");
    if (!grid) return;
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\n]/.test(text.trim())) return;
    event.preventDefault();
    var cells = gridCells(grid);
    var rowIndex = -1, colIndex = -1;
    cells.forEach(function (row, r) {
      var c = row.indexOf(input);
      if (c >= 0) { rowIndex = r; colIndex = c; }
    });
    text.replace(/\r/g, "").replace(/\n$/, "").split("\n").forEach(function (line, i) {
      line.split("\t").forEach(function (value, j) {
        var row = cells[rowIndex + i];
        // Lines fill down the rows; tab-separated values fill across the columns.
        var col = colIndex + (line.indexOf("\t") < 0 ? 0 : j);
        if (row && row[col]) { row[col].value = value.trim(); }
      });
    });
    cells.forEach(function (row) { if (row[0]) preview(row[0].closest("tr")); });
  });

  // The editor's target type: where green, amber and red lie, in words, beside the select.
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-target-type]");
    if (!select) return;
    var shown = document.getElementById(select.getAttribute("aria-describedby"));
    var chosen = select.options[select.selectedIndex];
    if (shown && chosen) shown.textContent = chosen.dataset.zones || "";
  });

  document.addEventListener("input", function (event) {
    var row = event.target.closest && event.target.closest("[data-targets-grid] tr.grid-row");
    if (row) preview(row);
  });

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy-row]");
    var grow = event.target.closest("[data-grow-row]");
    if (!copy && !grow) return;
    var row = (copy || grow).closest("tr");
    var inputs = row.querySelectorAll("input[data-grid-cell]");
    var first = -1;
    for (var i = 0; i < inputs.length; i += 2) {
      if (number(inputs[i].value) !== null) { first = i; break; }
    }
    if (first < 0) return;
    var factor = 1;
    if (grow) {
      var pct = number(row.closest("[data-targets-grid]").querySelector("[data-grow-pct]").value);
      factor = 1 + (pct || 0) / 100;
    }
    var target = number(inputs[first].value);
    var red = number(inputs[first + 1].value);
    for (var k = first + 2; k + 1 < inputs.length; k += 2) {
      target = target * factor;
      inputs[k].value = round(target);
      if (red !== null) { red = red * factor; inputs[k + 1].value = round(red); }
    }
    preview(row);
  });
})();

// The top bar (issue 17): on a narrow screen the main navigation folds behind "Menu".
// Without this script the button stays hidden and the navigation wraps instead.
(function () {
  "use strict";

  function setUp() {
    var button = document.querySelector(".topbar .menu-toggle");
    if (!button) {
      return;
    }
    var bar = button.closest(".topbar");
    bar.classList.add("nav-collapsible");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = bar.classList.toggle("nav-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();

// The unit picker (issue 18): htmx fills the list of matching units as one types; from the
// box the down arrow reaches the first unit, the arrows move along the list, and Escape
// closes the list and goes back to the box (keeping its text). Tab reaches the same links.
(function () {
  "use strict";

  function links(picker) {
    return Array.prototype.slice.call(picker.querySelectorAll("[data-unit-choice]"));
  }

  document.addEventListener("keydown", function (event) {
    var picker = event.target.closest && event.target.closest("form[data-unit-picker]");
    if (!picker) return;
    var box = picker.querySelector("input[type=search]");
    var choices = links(picker);
    var at = choices.indexOf(event.target);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!choices.length) return;
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = at < 0 ? (step > 0 ? 0 : choices.length - 1) : at + step;
      if (next < 0 || next >= choices.length) {
        box.focus();
      } else {
        choices[next].focus();
      }
    } else if (event.key === "Escape") {
      // Not the search box's own Escape, which empties it and would ask for a new list.
      event.preventDefault();
      var results = picker.querySelector(".unit-picker-results");
      if (results) results.innerHTML = "";
      box.focus();
    }
  });
})();
