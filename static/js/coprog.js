/* coprog: our own JavaScript. Loaded (defer) before the Bootstrap Italia bundle and htmx.
 *
 * Our Content-Security-Policy allows no inline <style> or <script>. The Bootstrap Italia bundle
 * includes video.js, which at load time injects a <style class="vjs-styles-defaults"> unless
 * this flag is set; it must therefore run before the bundle (deferred scripts run in order).
 * The bundle's fonts loader (bootstrap.loadFonts) is never called: fonts.css self-hosts them.
 */
window.VIDEOJS_NO_DYNAMIC_STYLE = true;

(function () {
  "use strict";

  /* Skip links: move the keyboard focus to the target, not just the scroll position. */
  function focusSkipTarget(event) {
    var link = event.target.closest(".skiplinks a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      if (!target.hasAttribute("tabindex")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
  }

  /* After an htmx swap, give the focus to an error summary if the new content has one. */
  function focusErrorSummary(event) {
    var summary = event.detail.target.querySelector("#form-errors");
    if (summary) {
      summary.focus();
    }
  }

  /* After a plain form submission that came back with errors, start from the summary. */
  function focusErrorSummaryOnLoad() {
    var summary = document.getElementById("form-errors");
    if (summary) {
      summary.focus();
    }
  }

  /* A table wider than the screen scrolls sideways inside .table-responsive: keyboard users
     must be able to reach it (WCAG 2.1.1), so such a box becomes a focusable region named by the
     table's caption. Boxes that fit stay out of the tab order. */
  function reachScrollingTables(root) {
    var boxes = (root || document).querySelectorAll(".table-responsive");
    Array.prototype.forEach.call(boxes, function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : document.documentElement.lang === "en" ? "Table" : "Tabella");
        box.dataset.coprogScroll = "1";
      } else if (!scrolls && box.dataset.coprogScroll) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.coprogScroll;
      }
    });
  }

  var resizeTimer = null;
  function reachScrollingTablesLater() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(reachScrollingTables, 150);
  }

  document.addEventListener("DOMContentLoaded", function () { reachScrollingTables(); });
  document.addEventListener("htmx:afterSettle", function () { reachScrollingTables(); });
  window.addEventListener("resize", reachScrollingTablesLater);
  document.addEventListener("click", focusSkipTarget);
  document.addEventListener("DOMContentLoaded", focusErrorSummaryOnLoad);
  document.addEventListener("htmx:afterSwap", focusErrorSummary);
})();
