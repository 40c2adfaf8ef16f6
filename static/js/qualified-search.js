/* coprog – the search of the list of qualified entities and its shortlist.

   - The search answers 400 when a value is refused, with the messages beside the fields: htmx
     does not swap error answers by default, so this lets that one in (only for the search).
   - After htmx has pushed the search's new URL, the header's language links (rendered for the
     URL the page was loaded with) go back to the search as it is now, not as it was.
   - The "Stampa" button of the shortlist is hidden without JavaScript (the browser's own print
     command still works) and prints the page here. */
(function () {
  "use strict";

  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.id === "qualified-search") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:pushedIntoHistory", () => {
    const here = window.location.pathname + window.location.search;
    document.querySelectorAll(".coprog-lang-switch a[hreflang]").forEach((link) => {
      const url = new URL(link.href, window.location.href);
      url.searchParams.set("next", here);
      link.href = url.pathname + url.search;
    });
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".js-print").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => window.print());
    });
  });
})();
