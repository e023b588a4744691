"""GeoJSON export of parcels: a streamed FeatureCollection (what desktop GIS opens).

Rows are read in chunks and written as they come, so an export of 100,000 parcels does not
hold them in memory. Each feature carries the columns of the CSV export as properties.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from lienthong.registries.land import owners

CHUNK = 2000


def features(qs: QuerySet[Any]) -> Iterator[str]:
    """The FeatureCollection as text pieces: the head, one feature each, the tail."""
    yield '{"type":"FeatureCollection","features":['
    first = True
    for parcel in qs.iterator(chunk_size=CHUNK):
        properties = {
            "id": parcel.pk,
            "commune": parcel.commune,
            "commune_legacy": parcel.commune_legacy,
            "commune_name": parcel.commune_name,
            "map_sheet": parcel.map_sheet,
            "parcel_number": parcel.parcel_number,
            "area": float(parcel.area),
            "land_use": parcel.land_use,
            "address": parcel.address,
            "owners": owners.format_owners(parcel.owners),
            "certificate_number": parcel.certificate_number,
        }
        piece = (
            f'{{"type":"Feature","id":{parcel.pk},"geometry":{parcel.geometry or "null"},'
            f'"properties":{json.dumps(properties, ensure_ascii=False)}}}'
        )
        yield piece if first else "," + piece
        first = False
    yield "]}"


def response(qs: QuerySet[Any], filename: str = "thua-dat.geojson") -> StreamingHttpResponse:
    """A streamed download of `qs` as GeoJSON."""
    reply = StreamingHttpResponse(features(qs), content_type="application/geo+json")
    reply["Content-Disposition"] = f'attachment; filename="{filename}"'
    return reply
