"""One URL namespace, ``audits``, made of each feature's own URLs (names and paths unchanged)."""

from audits.api.urls import urlpatterns as api_urls
from audits.catastrophe.urls import urlpatterns as catastrophe_urls
from audits.changes.urls import urlpatterns as change_urls
from audits.endpoints.urls import urlpatterns as endpoint_urls
from audits.history.urls import urlpatterns as history_urls
from audits.targets.urls import urlpatterns as target_urls

app_name = "audits"
urlpatterns = [*target_urls, *endpoint_urls, *api_urls, *history_urls, *change_urls,
               *catastrophe_urls]
