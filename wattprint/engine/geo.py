"""Great-circle distances, for region pickers and nearest-region lookups.

References
----------
.. [1] Sinnott, R. W. (1984), "Virtues of the Haversine", Sky and Telescope 68(2), 159.
.. [2] Moritz, H. (2000), "Geodetic Reference System 1980", J. Geodesy 74: mean radius
   R1 = 6371.0088 km.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius [km] (IUGG R1)."""


def haversine_km(
    lat1: float | npt.ArrayLike,
    lon1: float | npt.ArrayLike,
    lat2: float | npt.ArrayLike,
    lon2: float | npt.ArrayLike,
) -> npt.NDArray[np.float64]:
    """Great-circle distance [km] between points given in degrees; broadcasts over arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=float)
