"""AVERT region of a point: EPA's AVERT region polygons (shapefile, WGS84) read without GIS
libraries, and an even-odd point-in-polygon test.

Used by ``tools/compile_regions.py`` to check the AVERT region written for each US cloud region
in ``region_db/curated/cloud_zones.csv`` against its coordinates.

References
----------
.. [1] ESRI (1998), "ESRI Shapefile Technical Description" (main file record layout, polygon
   shape type 5; dBASE attribute file).
.. [2] US EPA, AVERT regions (``avert_4326.shp``, as copied in NREL/REopt.jl
   ``data/emissions/AVERT_Data/``).
"""

from __future__ import annotations

import struct
from pathlib import Path

Ring = list[tuple[float, float]]


def read_dbf_column(path: Path, column: str) -> list[str]:
    """One text column of a dBASE table, in record order."""
    data = path.read_bytes()
    count = struct.unpack("<I", data[4:8])[0]
    header_len, record_len = struct.unpack("<HH", data[8:12])
    fields, offset = [], 32
    while data[offset] != 0x0D:
        fields.append((data[offset : offset + 11].split(b"\0")[0].decode(), data[offset + 16]))
        offset += 32
    out = []
    for i in range(count):
        record = data[header_len + i * record_len + 1 : header_len + (i + 1) * record_len]
        position = 0
        for name, length in fields:
            if name == column:
                out.append(record[position : position + length].decode("latin-1").strip())
            position += length
    return out


def read_polygons(path: Path) -> list[list[Ring]]:
    """The rings (lon, lat) of every polygon record of a shapefile."""
    data = path.read_bytes()
    offset, shapes = 100, []
    while offset < len(data):
        _, length = struct.unpack(">II", data[offset : offset + 8])
        record = data[offset + 8 : offset + 8 + 2 * length]
        offset += 8 + 2 * length
        if struct.unpack("<i", record[:4])[0] == 0:
            shapes.append([])
            continue
        parts_n, points_n = struct.unpack("<ii", record[36:44])
        parts = list(struct.unpack(f"<{parts_n}i", record[44 : 44 + 4 * parts_n]))
        start = 44 + 4 * parts_n
        points = [struct.unpack("<dd", record[start + 16 * i : start + 16 * i + 16]) for i in range(points_n)]
        ends = [*parts[1:], points_n]
        shapes.append([points[a:b] for a, b in zip(parts, ends, strict=True)])
    return shapes


def inside(longitude: float, latitude: float, rings: list[Ring]) -> bool:
    """Even-odd rule over every ring (holes count as outside)."""
    result = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
            if (y1 > latitude) != (y2 > latitude) and longitude < (x2 - x1) * (latitude - y1) / (
                y2 - y1
            ) + x1:
                result = not result
    return result


def avert_region(folder: Path, latitude: float, longitude: float) -> list[str]:
    """The AVERT regions whose polygon holds the point (one, or none offshore)."""
    names = read_dbf_column(folder / "avert_4326.dbf", "AVERT")
    shapes = read_polygons(folder / "avert_4326.shp")
    return [name for name, rings in zip(names, shapes, strict=True) if inside(longitude, latitude, rings)]
