/* coprog – tables, planning: the print button of the public calendar. Without JavaScript the
 * button stays hidden (the browser's own Print command works the same). */
(function () {
  "use strict";

  function showPrintButtons() {
    document.querySelectorAll("[data-coprog-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", showPrintButtons);
})();
