/* coprog – keyboard use of a Leaflet map's popups, shared by the resource map (mapping-map.js)
   and the case managers' search (qualified-map.js): a popup opened from the keyboard on one of
   the map's pins takes the focus, Escape closes it, and the focus goes back to the pin. */
(function () {
  "use strict";

  window.coprogPopupFocus = function (map, pinClass) {
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
  };
})();
