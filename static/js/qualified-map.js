/* coprog – the map of the search of the list of qualified entities.

   folium's script (served from /elenco-qualificati/ricerca/mappa.js, loaded just before this
   file) has made the Leaflet map and an empty marker cluster, named in the data-map and
   data-cluster attributes of #qualified-map. The points are the results of the page shown,
   numbered as in the list, in the data-map attribute of #qualified-results (JSON): this file
   draws them, with the starting point and the radius when a place was given, and draws them
   again after each htmx swap of the search. Text from users (names, titles) is only ever set
   with textContent, never parsed as HTML. The labels come translated in data-text.

   window.coprogQualifiedMap lets tests read what the map holds. */
(function () {
  "use strict";

  const box = document.getElementById("qualified-map");
  if (!box || !window.L) {
    return;
  }
  const map = window[box.dataset.map];
  const cluster = window[box.dataset.cluster];
  if (!map || !cluster) {
    return;
  }
  const text = JSON.parse(box.dataset.text);
  const status = document.getElementById("qualified-map-status");
  const extras = L.layerGroup().addTo(map); // the starting point and the radius
  let territory = null; // the districts' bounds, once loaded
  let shown = { points: [], origin: null, listed: 0 };
  let markers = [];

  const el = window.coprogMapShared.el; // an element with its text set as text

  function fill(template, values) {
    return Object.keys(values).reduce((out, key) => out.replace("{" + key + "}", String(values[key])), template);
  }

  function escapeHtml(value) {
    return el("span", null, value).innerHTML; // for Leaflet's attribution control, which takes HTML
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then((response) => {
      if (!response.ok) {
        throw new Error(url + ": " + response.status);
      }
      return response.json();
    });
  }

  // Markers and popups ----------------------------------------------------------------------

  function label(point) {
    return point.n + ". " + point.entity + " – " + point.title;
  }

  function iconFor(point) {
    const inner = el("span");
    inner.appendChild(el("span", null, point.n)).setAttribute("aria-hidden", "true");
    inner.appendChild(el("span", "visually-hidden", label(point)));
    return L.divIcon({
      className: "coprog-qpin",
      html: inner,
      iconSize: [28, 28],
      iconAnchor: [14, 14],
      popupAnchor: [0, -14],
    });
  }

  function popupFor(point) {
    const root = el("div", "coprog-popup");
    root.tabIndex = 0;
    root.appendChild(el("p", "coprog-popup-actor", point.n + ". " + point.title));
    root.appendChild(el("p", null, point.entity));
    const list = el("p", "small");
    list.textContent = [point.type, point.km ? fill(text.distance, { km: point.km }) : "",
      point.available !== "" ? fill(text.available, { n: point.available }) : ""].filter(Boolean).join(" · ");
    root.appendChild(list);
    const link = el("a", null, text.open);
    link.href = point.url;
    root.appendChild(el("p")).appendChild(link);
    return root;
  }

  function markerFor(point) {
    const marker = L.marker([point.lat, point.lon], {
      icon: iconFor(point),
      title: label(point),
      keyboard: true,
      riseOnHover: true,
    });
    marker.point = point;
    marker.bindPopup(() => popupFor(point), { maxWidth: 300 });
    return marker;
  }

  cluster.options.iconCreateFunction = (group) => {
    const n = group.getChildCount();
    const inner = el("div");
    inner.appendChild(el("span", null, n)).setAttribute("aria-hidden", "true");
    inner.appendChild(el("span", "visually-hidden", fill(text.cluster, { n: n })));
    return L.divIcon({ html: inner, className: "marker-cluster marker-cluster-small", iconSize: L.point(40, 40) });
  };

  // A popup opened from the keyboard takes the focus, and gives it back when it closes.
  window.coprogMapShared.popupFocus(map, "coprog-qpin");

  // Drawing ----------------------------------------------------------------------------------

  function read() {
    const results = document.getElementById("qualified-results");
    if (!results || !results.dataset.map) {
      return { points: [], origin: null, listed: 0 };
    }
    try {
      return JSON.parse(results.dataset.map);
    } catch (error) {
      return { points: [], origin: null, listed: 0 };
    }
  }

  function say() {
    if (!status) {
      return;
    }
    const words = [shown.points.length ? fill(text.count, { n: shown.points.length }) : text.none];
    const missing = shown.listed - shown.points.length;
    if (missing > 0) {
      words.push(fill(text.missing, { n: missing }));
    }
    status.textContent = words.join(" ");
  }

  function fit() {
    let bounds = null;
    markers.forEach((marker) => {
      bounds = bounds ? bounds.extend(marker.getLatLng()) : L.latLngBounds(marker.getLatLng(), marker.getLatLng());
    });
    extras.eachLayer((layer) => {
      const area = layer.getBounds ? layer.getBounds() : L.latLngBounds(layer.getLatLng(), layer.getLatLng());
      bounds = bounds ? bounds.extend(area) : area;
    });
    if (bounds && bounds.isValid()) {
      map.fitBounds(bounds, { animate: false, padding: [24, 24], maxZoom: 14 });
    } else if (territory) {
      map.fitBounds(territory, { animate: false });
    }
  }

  function draw() {
    shown = read();
    markers = shown.points.map(markerFor);
    cluster.clearLayers();
    cluster.addLayers(markers);
    extras.clearLayers();
    if (shown.origin) {
      const where = [shown.origin.lat, shown.origin.lon];
      L.circle(where, { radius: shown.origin.km * 1000, className: "coprog-radius", interactive: false }).addTo(extras);
      L.circleMarker(where, { radius: 7, className: "coprog-origin" })
        .bindTooltip(el("span", null, fill(text.origin, { place: shown.origin.label })))
        .addTo(extras);
    }
    fit();
    say();
    box.dataset.points = String(markers.length);
  }

  // After an htmx swap of the search, draw the new results (a swap of a shortlist button leaves
  // them as they were: nothing to redraw).
  let drawnFrom = null;
  function drawIfChanged() {
    const results = document.getElementById("qualified-results");
    const source = results ? results.dataset.map : null;
    if (source !== drawnFrom) {
      drawnFrom = source;
      draw();
    }
  }
  document.addEventListener("htmx:afterSettle", drawIfChanged);
  // Back or forward through the searches: htmx puts back a copy of the page, whose map is only
  // the picture of a Leaflet map. Load the page again, and the map with it.
  document.addEventListener("htmx:historyRestore", () => window.location.reload());

  // The map ---------------------------------------------------------------------------------

  L.control.zoom({ zoomInTitle: text.zoomIn, zoomOutTitle: text.zoomOut }).addTo(map);
  const container = map.getContainer();
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", text.map);

  const boundaries = fetchJson(box.dataset.boundaries).then((data) => {
    L.geoJSON(data, {
      filter: (feature) => feature.properties.kind === "comune",
      className: "coprog-comune",
      attribution: escapeHtml(box.dataset.attribution || ""),
      onEachFeature: (feature, layer) => {
        layer.bindTooltip(el("span", null, feature.properties.name), { sticky: true });
      },
    }).addTo(map);
    const districts = L.geoJSON(data, {
      filter: (feature) => feature.properties.kind === "distretto",
      className: "coprog-district",
      interactive: false,
    }).addTo(map);
    territory = districts.getBounds();
    extras.eachLayer((layer) => layer.bringToFront()); // the radius and the start above the comuni
  }).catch(() => {
    if (status) {
      status.textContent = text.failed;
    }
  });

  drawIfChanged();
  boundaries.finally(() => {
    fit(); // the view settles on the results, or on the territory when there are none
    box.dataset.loaded = "true";
  });

  window.coprogQualifiedMap = {
    map: map,
    cluster: cluster,
    points: () => shown.points,
    origin: () => shown.origin,
    redraw: draw,
  };
})();
