/* The minutes editor and documents. Everything works without this file; it adds:
 * - htmx swaps of refused input: the server answers 422 with the fragment and its messages,
 *   which htmx would otherwise not swap;
 * - the focus after a swap: the new-item field after an addition (to add another), else the
 *   part's heading (coprog.js already focuses an error summary);
 * - a "Print" button, hidden until this script runs.
 */
(function () {
  "use strict";

  function swapRefusedInput(event) {
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  }

  function focusAfterSwap(event) {
    var target = event.detail.target;
    if (!target || !target.classList || !target.classList.contains("js-minutes-part")) {
      return;
    }
    if (target.querySelector("#form-errors")) {
      return;
    }
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var fromAdd = source && source.classList && source.classList.contains("js-add-form");
    var focus = fromAdd ? target.querySelector(".js-add-form textarea") : null;
    (focus || target.querySelector("[data-minutes-heading]") || target).focus();
  }

  function enablePrint() {
    document.querySelectorAll(".js-print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  document.addEventListener("htmx:beforeSwap", swapRefusedInput);
  document.addEventListener("htmx:afterSwap", focusAfterSwap);
  document.addEventListener("DOMContentLoaded", enablePrint);
})();
