/* coprog – the resource map.

   folium's script (served from /avvisi/<slug>/mappa/mappa.js, loaded just before this file) has
   made the Leaflet map and an empty marker cluster, under the names given in the data-map and
   data-cluster attributes of #coprog-map. This file loads the boundaries (the base layer) and
   the resources as GeoJSON, draws the resources into the cluster, filters them with the form
   above the map, and builds each popup with DOM nodes: text from users is only ever set with
   textContent, never parsed as HTML. The resources' codes are resolved with the page's legend
   (data-legend); the labels come translated in data-text.

   window.coprogMap lets tests (and the curious) read what the map holds. */
(function () {
  "use strict";

  const box = document.getElementById("coprog-map");
  if (!box || !window.L) {
    return;
  }
  const map = window[box.dataset.map];
  const cluster = window[box.dataset.cluster];
  if (!map || !cluster) {
    return;
  }
  const legend = JSON.parse(box.dataset.legend);
  const text = JSON.parse(box.dataset.text);
  const status = document.getElementById("map-status");
  const form = document.getElementById("map-filters");
  const axes = new Map(legend.axes.map((axis) => [axis.id, axis]));
  const types = new Map(legend.types.map((kind) => [kind.id, kind.name]));
  const stateCodes = {};
  Object.keys(legend.states).forEach((code) => {
    stateCodes[legend.states[code].value] = Number(code);
  });
  const details = new Map(); // resource id -> Promise of its popup details
  let collection = { features: [], actors: [] };
  let markers = [];

  // Helpers ---------------------------------------------------------------------------------

  const el = window.coprogMapShared.el; // an element with its text set as text

  function fill(template, n) {
    return template.replace("{n}", String(n));
  }

  function escapeHtml(value) {
    // For Leaflet's attribution control, which takes HTML: our text, escaped all the same.
    return el("span", null, value).innerHTML;
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then((response) => {
      if (!response.ok) {
        throw new Error(url + ": " + response.status);
      }
      return response.json();
    });
  }

  function say(message) {
    if (status) {
      status.textContent = message;
    }
  }

  // What a resource is, in words ------------------------------------------------------------

  function describe(feature) {
    const p = feature.properties;
    const [longitude, latitude] = feature.geometry.coordinates;
    return {
      id: p.i,
      actor: collection.actors[p.a],
      axis: axes.has(p.x) ? axes.get(p.x).name : "",
      type: types.get(p.t) || "",
      how: legend.modes[p.h] || "",
      comune: p.c !== undefined ? legend.comuni[p.c] || "" : "",
      district: legend.districts[p.d] || "",
      capacity: p.n !== undefined ? p.n : null,
      state: legend.states[p.s || 0].value,
      longitude: longitude,
      latitude: latitude,
    };
  }

  function title(resource) {
    let words = resource.actor + " – " + resource.type;
    if (resource.state !== "approved") {
      words += " (" + legend.states[stateCodes[resource.state]].name + ")";
    }
    return words;
  }

  // Markers and popups ----------------------------------------------------------------------

  const icons = {};

  function iconFor(feature) {
    const p = feature.properties;
    const colour = axes.has(p.x) ? axes.get(p.x).colour : 5;
    const key = colour + ":" + (p.s ? 1 : 0);
    if (!icons[key]) {
      icons[key] = L.divIcon({
        className: "coprog-pin coprog-axis-" + colour + (p.s ? " coprog-pin-unpublished" : ""),
        html: "",
        iconSize: [20, 20],
        iconAnchor: [10, 10],
        popupAnchor: [0, -10],
      });
    }
    return icons[key];
  }

  function addRow(list, label, value) {
    if (value === null || value === undefined || value === "") {
      return null;
    }
    list.appendChild(el("dt", null, label));
    const dd = el("dd", null, value);
    list.appendChild(dd);
    return dd;
  }

  function detailsOf(id) {
    if (!details.has(id)) {
      const url = box.dataset.detail.replace(/\/0\.json$/, "/" + id + ".json");
      details.set(id, fetchJson(url).catch((error) => {
        details.delete(id); // try again at the next opening
        throw error;
      }));
    }
    return details.get(id);
  }

  function popupFor(marker) {
    // Built once per marker: Leaflet asks for the content again at each update().
    if (marker.coprogPopup) {
      return marker.coprogPopup;
    }
    const resource = describe(marker.feature);
    const root = el("div", "coprog-popup");
    root.tabIndex = 0; // a long popup scrolls: the keyboard must reach it
    root.appendChild(el("p", "coprog-popup-actor", resource.actor));
    const list = el("dl");
    addRow(list, text.type, resource.type);
    addRow(list, text.axis, resource.axis);
    addRow(list, text.how, resource.how);
    addRow(list, text.place, [resource.comune, resource.district].filter(Boolean).join(", "));
    const capacity = addRow(list, text.capacity, resource.capacity);
    if (resource.state !== "approved") {
      addRow(list, text.state, legend.states[stateCodes[resource.state]].name);
    }
    root.appendChild(list);
    const more = el("p", "coprog-popup-more", text.loading);
    root.appendChild(more);
    marker.coprogPopup = root;
    detailsOf(resource.id).then((found) => {
      if (capacity && found.capacity_note) {
        capacity.textContent = resource.capacity + " " + found.capacity_note;
      }
      addRow(list, text.period, found.period);
      addRow(list, text.partners, (found.collaborators || []).join(", "));
      more.textContent = found.description;
    }).catch(() => {
      more.textContent = text.failed;
    }).finally(() => {
      if (marker.isPopupOpen()) {
        marker.getPopup().update();
      }
    });
    return root;
  }

  function markerFor(feature) {
    const [longitude, latitude] = feature.geometry.coordinates;
    const marker = L.marker([latitude, longitude], {
      icon: iconFor(feature),
      title: title(describe(feature)),
      keyboard: true,
      riseOnHover: true,
    });
    marker.feature = feature;
    marker.bindPopup(() => popupFor(marker), { maxWidth: 320, maxHeight: 320 });
    return marker;
  }

  // A popup opened from the keyboard takes the focus, and gives it back when it closes.
  window.coprogMapShared.popupFocus(map, "coprog-pin");

  // Clusters: a button whose name says how many resources it holds.
  cluster.options.iconCreateFunction = (group) => {
    const n = group.getChildCount();
    const size = n < 10 ? "small" : n < 100 ? "medium" : "large";
    const inner = el("div");
    inner.appendChild(el("span", null, n)).setAttribute("aria-hidden", "true");
    inner.appendChild(el("span", "visually-hidden", fill(text.cluster, n)));
    return L.divIcon({ html: inner, className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40) });
  };

  // Filters ---------------------------------------------------------------------------------

  function chosen(name) {
    const field = form && form.elements[name];
    return field && field.value !== "" ? field.value : null;
  }

  function matches(feature, filters) {
    const p = feature.properties;
    return (filters.axis === null || p.x === filters.axis)
      && (filters.type === null || p.t === filters.type)
      && (filters.state === null || (p.s || 0) === filters.state);
  }

  function apply() {
    const filters = {
      axis: chosen("asse") !== null ? Number(chosen("asse")) : null,
      type: chosen("tipo") !== null ? Number(chosen("tipo")) : null,
      state: chosen("stato") !== null && chosen("stato") in stateCodes ? stateCodes[chosen("stato")] : null,
    };
    const shown = markers.filter((marker) => matches(marker.feature, filters));
    cluster.clearLayers();
    cluster.addLayers(shown);
    box.dataset.visible = String(shown.length);
    say(fill(text.count, shown.length));
    return shown;
  }

  if (form) {
    form.addEventListener("change", apply);
  }

  // The map ---------------------------------------------------------------------------------

  L.control.zoom({ zoomInTitle: text.zoomIn, zoomOutTitle: text.zoomOut }).addTo(map);
  const container = map.getContainer();
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", text.map);

  const boundaries = fetchJson(box.dataset.boundaries).then((data) => {
    const attribution = escapeHtml(box.dataset.attribution);
    L.geoJSON(data, {
      filter: (feature) => feature.properties.kind === "comune",
      className: "coprog-comune",
      attribution: attribution,
      onEachFeature: (feature, layer) => {
        layer.bindTooltip(el("span", null, feature.properties.name), { sticky: true });
      },
    }).addTo(map);
    const districts = L.geoJSON(data, {
      filter: (feature) => feature.properties.kind === "distretto",
      className: "coprog-district",
      interactive: false,
    }).addTo(map);
    map.fitBounds(districts.getBounds(), { animate: false });
  }).catch(() => {
    // The resources still show, on a blank background.
  });

  say(text.loadingMap);
  const resources = fetchJson(box.dataset.resources).then((data) => {
    collection = data;
    markers = data.features.map(markerFor);
    apply();
  });
  // Loaded once the view has settled on the districts too: a zoom asked for earlier (open())
  // would be cut short by fitBounds.
  Promise.all([resources, boundaries]).then(() => {
    box.dataset.loaded = "true";
  }).catch(() => {
    say(text.mapFailed);
    box.dataset.loaded = "error";
  });

  window.coprogMap = {
    map: map,
    cluster: cluster,
    legend: legend,
    data: () => collection,
    resources: () => collection.features.map(describe),
    visible: () => markers.filter((marker) => cluster.hasLayer(marker)).map((marker) => describe(marker.feature)),
    // What the view draws: its icons (clusters and single markers) and the resources they hold.
    drawn: () => {
      const icons = new Set(markers.map((marker) => cluster.getVisibleParent(marker)).filter(Boolean));
      let resources = 0;
      icons.forEach((icon) => {
        resources += icon.getChildCount ? icon.getChildCount() : 1;
      });
      return { icons: icons.size, resources: resources };
    },
    apply: apply,
    // Show a resource's marker (opening its cluster) and its popup.
    open: (id) => {
      const marker = markers.find((candidate) => candidate.feature.properties.i === id);
      if (marker && cluster.hasLayer(marker)) {
        cluster.zoomToShowLayer(marker, () => marker.openPopup());
      }
      return Boolean(marker);
    },
  };
})();
