/* coprog – what the resource map (mapping-map.js) and the case managers' search (qualified-map.js)
   share:
   - el(): an element whose text is set with textContent (never markup: texts come from users);
   - popupFocus(): keyboard use of the map's popups: a popup opened from the keyboard on one of
     the map's pins takes the focus, Escape closes it, and the focus goes back to the pin. */
(function () {
  "use strict";

  function el(tag, className, content) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content !== undefined && content !== null) {
      node.textContent = String(content);
    }
    return node;
  }

  function popupFocus(map, pinClass) {
    map.on("popupopen", (event) => {
      const opener = document.activeElement;
      const root = event.popup.getElement() && event.popup.getElement().querySelector(".coprog-popup");
      if (!root || !opener || !opener.classList || !opener.classList.contains(pinClass)) {
        return;
      }
      event.popup.coprogOpener = opener;
      root.addEventListener("keydown", (key) => {
        if (key.key === "Escape") {
          map.closePopup();
        }
      });
      root.focus({ preventScroll: true });
    });
    map.on("popupclose", (event) => {
      const opener = event.popup.coprogOpener;
      if (opener && document.body.contains(opener)) {
        opener.focus({ preventScroll: true });
      }
    });
  }

  window.coprogMapShared = { el: el, popupFocus: popupFocus };
})();
