"""Outbox consumers of the enterprise registry (imported at start-up by the exchange app).

Consumer names are stored with each handled event id (`ProcessedEvent`): never rename them.
"""

from __future__ import annotations

from lienthong.registries.enterprises.onestop_hooks import on_dossier_returned

__all__ = ["on_dossier_returned"]
