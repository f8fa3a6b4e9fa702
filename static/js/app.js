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
