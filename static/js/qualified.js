/* coprog – the pages of the list of qualified entities for an ETS (its entry, the quick forms of
 * its services' availability, on that page and on its dashboard). Everything works without this
 * file (a plain POST and a redirect); it adds:
 * - the swap of refused input: a form marked data-swap-refused gets back its fragment with the
 *   message and status 422, which htmx would otherwise not swap;
 * - the focus on the refused field after such a swap (else htmx gives it back to the button,
 *   which keeps its id).
 */
(function () {
  "use strict";

  function swapRefusedInput(event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var marked = source && source.closest && source.closest("[data-swap-refused]");
    if (marked && event.detail.xhr && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  }

  function focusRefusedField(event) {
    var target = event.detail.target;  /* with outerHTML, the replaced element: find its successor */
    var box = target && target.id ? document.getElementById(target.id) : null;
    var invalid = box && box.querySelector("form[data-swap-refused]") ? box.querySelector("[aria-invalid='true']") : null;
    if (invalid) {
      invalid.focus();
    }
  }

  document.addEventListener("htmx:beforeSwap", swapRefusedInput);
  document.addEventListener("htmx:afterSettle", focusRefusedField);
})();
