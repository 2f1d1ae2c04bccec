"""Vertical Farm Planner: the companion service for the Vertical Farm integration.

An aiohttp application with an SQLite database that hosts the long-horizon
work (succession and rack-space plans, the activity journal, forecasts) behind
a small JSON API under ``/api/v1``.
"""

from typing import Final

__version__: Final = "0.2.0"
