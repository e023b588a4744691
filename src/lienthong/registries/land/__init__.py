"""Land and base GIS registry — cơ sở dữ liệu đất đai và GIS nền.

Parcels (thửa đất: commune, map sheet, parcel number, area, land-use types, owners,
certificate number, shape) and base layers (named GeoJSON layers such as commune
boundaries), with a Leaflet map served from vendored files. Geometry is plain Python over
GeoJSON text and indexed bounding boxes: no GDAL, no PostGIS. See docs/land.md.
"""
