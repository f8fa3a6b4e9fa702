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
