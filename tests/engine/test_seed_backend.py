"""The seed backend tree and endpoints.json agree with each other and with the seed's drift.

These tests keep the fixture honest (the endpoint scanner's own tests use it as ground truth):
every route file is listed with the methods it exports, every model exists in schema.prisma,
and each expected verdict follows from the models and what the post-reset database lacks.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from audits.seed import (
    BACKEND_DIR,
    MISSING_SUPPLIER_PROFILE_COLUMNS,
    MISSING_TABLES,
    MISSING_USER_COLUMNS,
    SCHEMA_PATH,
    expected_endpoints,
)

HTTP_EXPORT = re.compile(r"^export async function (GET|POST|PUT|PATCH|DELETE)\b", re.MULTILINE)


def schema_models() -> set[str]:
    return set(re.findall(r"^model (\w+) \{", SCHEMA_PATH.read_text(), re.MULTILINE))


def test_every_route_file_is_listed_with_the_methods_it_exports() -> None:
    listed: dict[str, list[str]] = {}
    for endpoint in expected_endpoints():
        listed.setdefault(endpoint["file"], []).extend(endpoint["methods"])

    route_files = {
        path.relative_to(BACKEND_DIR).as_posix() for path in (BACKEND_DIR / "app").rglob("route.ts")
    }
    assert route_files == {name for name in listed if name.startswith("app/")}
    assert len(route_files) == 18
    for name in route_files:
        exported = HTTP_EXPORT.findall((BACKEND_DIR / name).read_text())
        assert sorted(exported) == sorted(listed[name]), name
    assert listed["pages/api/health.ts"] == ["*"]
    assert listed["server/routes/logistics.ts"] == ["GET"]


def test_each_endpoint_is_one_route_and_one_method() -> None:
    keys = Counter((e["route"], tuple(e["methods"])) for e in expected_endpoints())
    assert all(len(methods) == 1 for _, methods in keys)
    assert max(keys.values()) == 1
    assert len(keys) == 29


def test_models_exist_in_the_schema() -> None:
    models = schema_models()
    assert len(models) == 29
    for endpoint in expected_endpoints():
        assert set(endpoint["models"]) <= models, endpoint["route"]


def expected_post_reset(models: list[str]) -> dict[str, Any]:
    columns: dict[str, list[str]] = {}
    if "User" in models:
        columns["User"] = list(MISSING_USER_COLUMNS)
    if "SupplierProfile" in models:
        columns["SupplierProfile"] = list(MISSING_SUPPLIER_PROFILE_COLUMNS)
    tables = sorted(m for m in models if m in MISSING_TABLES)
    return {"missing_tables": tables, "missing_columns": columns}


def test_post_reset_verdicts_follow_from_what_is_missing() -> None:
    verdicts: dict[str, set[str]] = {}
    for endpoint in expected_endpoints():
        post = endpoint["post_reset"]
        assert {k: post[k] for k in ("missing_tables", "missing_columns")} == expected_post_reset(
            endpoint["models"]
        )
        verdicts.setdefault(post["verdict"], set()).add(endpoint["route"])

    assert verdicts["safe"] == {
        "/api/products",
        "/api/products/:id",
        "/api/orders/:id",
        "/api/bookings",
        "/api/health",
        "/api/logistics/:id",
    }
    assert verdicts["unknown"] == {"/api/admin/stats"}
    assert verdicts["unsafe"] == {
        "/api/auth/google",
        "/api/onboarding/supplier",
        "/api/payments/initialize",
        "/api/payments/verify",
        "/api/tracking/live",
        "/api/contact",
        "/api/reviews",
        "/api/trade-in",
        "/api/trade-in/:id/offers",
        "/api/chat/conversations",
        "/api/chat/:conversationId/messages",
        "/api/wallet",
        "/api/wallet/withdraw",
    }


def test_after_the_fixes_everything_is_safe_but_the_raw_query() -> None:
    after = {(e["route"], e["after_fixes"]["verdict"]) for e in expected_endpoints()}
    assert {route for route, verdict in after if verdict != "safe"} == {"/api/admin/stats"}
    assert ("/api/admin/stats", "unknown") in after


def test_the_tree_keeps_the_traps_the_scanner_must_handle() -> None:
    tsconfig = json.loads((BACKEND_DIR / "tsconfig.json").read_text())
    assert tsconfig["compilerOptions"]["paths"] == {"@/*": ["./*"]}

    notification = (BACKEND_DIR / "services" / "notification.service.ts").read_text()
    assert "// await prisma.mechanicBookingTracking.findMany()" in notification
    assert "'prisma.mechanicBookingTracking.findMany() is gone" in notification
    assert "`Booking ${bookingId}: tracking via prisma.mechanicBookingTracking" in notification

    messages = (BACKEND_DIR / "app/api/chat/[conversationId]/messages/route.ts").read_text()
    chat = (BACKEND_DIR / "services" / "chat.service.ts").read_text()
    assert "from '@/services/chat.service'" in messages
    assert "from './push-notification.service'" in chat
    assert "push-notification" not in messages

    stats = (BACKEND_DIR / "app/(admin)/api/admin/stats/route.ts").read_text()
    assert "prisma.$queryRawUnsafe<" in stats
    assert (
        "await prisma.$transaction(async (tx) =>"
        in (BACKEND_DIR / "app/api/wallet/withdraw/route.ts").read_text()
    )
    assert (
        "this.prisma.order.findUnique"
        in (BACKEND_DIR / "services" / "order.service.ts").read_text()
    )
