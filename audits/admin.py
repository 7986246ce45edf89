"""Django discovers ``audits.admin``: each feature registers its own models in its package."""

from audits.alerts import admin as alerts_admin
from audits.api import admin as api_admin
from audits.catastrophe import admin as catastrophe_admin
from audits.core import admin as core_admin
from audits.endpoints import admin as endpoints_admin
from audits.history import admin as history_admin

__all__ = ["alerts_admin", "api_admin", "catastrophe_admin", "core_admin", "endpoints_admin",
           "history_admin"]
