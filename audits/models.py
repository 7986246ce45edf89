"""The app's models, gathered for Django: each feature package owns and defines its own.

One app label (``audits``) keeps one migration history; importing every feature's models here
is what registers them when Django loads the app.
"""

from audits.alerts.models import Alert
from audits.api.models import ApiToken
from audits.catastrophe.models import VitalSignsRecord, WatchSettings
from audits.core.models import (
    AuditRun,
    Finding,
    ModelStatus,
    SchemaSnapshot,
    SchemaVersion,
    Target,
)
from audits.endpoints.models import Endpoint, EndpointOverride, EndpointRescan, EndpointScan
from audits.history.models import HistoryCheck, MigrationRecord, ThreeWayRecord

__all__ = [
    "Alert", "ApiToken", "AuditRun", "Endpoint", "EndpointOverride", "EndpointRescan",
    "EndpointScan", "Finding", "HistoryCheck", "MigrationRecord", "ModelStatus",
    "SchemaSnapshot", "SchemaVersion", "Target", "ThreeWayRecord", "VitalSignsRecord",
    "WatchSettings",
]
