"""The resource map drawn with folium, in parts that a strict CSP accepts.

folium writes a whole HTML document: <link>/<script> tags for its libraries (from CDNs), a
header with a `user-scalable=no` viewport meta, inline <style> and an inline <script>, the map's
<div>, and one inline script that builds the map. Here:

- the libraries point at static/vendor/ (`default_js`/`default_css` set on each element);
- the header is dropped: the viewport comes from base.html (zoom allowed), the size of the map
  from static/css/mapping-map.css, and folium's L_NO_TOUCH/L_DISABLE_3D globals keep Leaflet's
  defaults;
- every element gets a fixed id, so the <div> in the page and the script served apart
  (`/avvisi/<slug>/mappa/mappa.js`, a URL of this app: `script-src 'self'`) name the same map;
- nothing from users goes to folium: the script only creates the map, the optional tile layer
  and the (empty) marker cluster; static/js/mapping-map.js loads the GeoJSON and builds the
  markers and popups with DOM nodes and textContent.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import folium
from branca.element import CssLink, JavascriptLink
from flask import current_app, url_for
from flask_babel import gettext as _
from folium.plugins import MarkerCluster
from markupsafe import Markup

from ..core.security import CSP

MAP_ID = "coprog"  # folium names its JS variables <kind>_<id>: map_coprog, marker_cluster_coprog
PADDING = 0.5  # degrees around the territory that the view may pan to (room for popups)


@dataclass(frozen=True)
class MapParts:
    css: list[str]
    js: list[str]
    html: Markup  # the map's <div>
    script: str  # folium's script, served from its own URL
    map_name: str
    cluster_name: str


def _vendor(path: str) -> str:
    return url_for("static", filename=f"vendor/{path}")


def build(places) -> tuple[folium.Map, MarkerCluster]:
    """The folium map centred on the territory, with the optional tiles and an empty cluster."""
    min_lon, min_lat, max_lon, max_lat = places.bounds() if places else (6.6, 36.6, 18.5, 47.1)
    fmap = folium.Map(
        location=[(min_lat + max_lat) / 2, (min_lon + max_lon) / 2], tiles=None, zoom_start=9,
        zoom_control=False,  # mapping-map.js adds it with translated labels
        max_bounds=True, min_lat=min_lat - PADDING, max_lat=max_lat + PADDING,
        min_lon=min_lon - PADDING, max_lon=max_lon + PADDING,
    )
    fmap._id = MAP_ID
    fmap.options.update(minZoom=7, maxZoom=18, zoomSnap=0.25)  # fit the territory closely
    fmap.default_js = [("leaflet", _vendor("leaflet/leaflet.js"))]
    fmap.default_css = [("leaflet_css", _vendor("leaflet/leaflet.css"))]
    tiles = _tile_layer()
    if tiles is not None:
        tiles.add_to(fmap)
    cluster = MarkerCluster(chunked_loading=True, show_coverage_on_hover=False, spiderfy_on_max_zoom=True)
    cluster._id = MAP_ID
    cluster.default_js = [("markerclusterjs", _vendor("leaflet.markercluster/leaflet.markercluster.js"))]
    cluster.default_css = [
        ("markerclustercss", _vendor("leaflet.markercluster/MarkerCluster.css")),
        ("markerclusterdefaultcss", _vendor("leaflet.markercluster/MarkerCluster.Default.css")),
    ]
    cluster.add_to(fmap)
    return fmap, cluster


def _tile_layer() -> folium.TileLayer | None:
    """The tile server of COPROG_TILES_URL, if any, with its attribution (config, not users)."""
    config = current_app.config
    url = config.get("COPROG_TILES_URL")
    if not url:
        return None
    attribution = config.get("COPROG_TILES_ATTRIBUTION") or _("Mappa di base: %(host)s", host=urlsplit(url).netloc)
    layer = folium.TileLayer(tiles=url, attr=attribution, name="tiles", max_zoom=18)
    layer._id = MAP_ID
    return layer


def parts(places) -> MapParts:
    """Render the map once and keep its parts (see the module's docstring)."""
    fmap, cluster = build(places)
    figure = fmap.get_root()
    for element in figure._children.values():
        element.render()
    header = list(figure.header._children.values())
    return MapParts(
        css=[element.url for element in header if isinstance(element, CssLink)],
        js=[element.url for element in header if isinstance(element, JavascriptLink)],
        html=Markup(figure.html.render().strip()),
        script=figure.script.render().strip() + "\n",
        map_name=fmap.get_name(),
        cluster_name=cluster.get_name(),
    )


def _origin(template: str) -> str:
    """The CSP source of a tile URL template ("https://{s}.tile.example.org/{z}/{x}/{y}.png"
    -> "https://*.tile.example.org")."""
    parts = urlsplit(template)
    host = parts.netloc
    if host.startswith("{"):
        host = "*" + host[host.index("}") + 1:]
    return f"{parts.scheme}://{host}"


def tiles_csp() -> str | None:
    """The map page's CSP when tiles are configured: images from the tile server too; scripts
    stay 'self' only. None (the default CSP) without tiles."""
    tiles = _tile_layer()
    if tiles is None:
        return None
    return CSP.replace("img-src 'self' data:", f"img-src 'self' data: {_origin(tiles.tiles)}")
