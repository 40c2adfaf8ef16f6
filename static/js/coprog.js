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

  document.addEventListener("click", focusSkipTarget);
  document.addEventListener("DOMContentLoaded", focusErrorSummaryOnLoad);
  document.addEventListener("htmx:afterSwap", focusErrorSummary);
})();
