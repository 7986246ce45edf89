"""The seed's "Function Name & API Update Guide", written by Driftwatch: between the
pre-incident schema (audits/seed/pre_incident/schema.prisma) and the current one, exactly the
seed's renames, removals and additions, with the endpoints of the seed's backend."""

from __future__ import annotations

from audits import seed
from audits.engine.changes import change_guide, guide_to_dict, guide_to_markdown
from audits.engine.prisma import load_schema

PRE_INCIDENT = seed.PRE_INCIDENT_SCHEMA_PATH

ORDER = ("GET /api/admin/stats", "GET /api/orders/:id", "POST /api/payments/initialize",
         "GET /api/payments/verify", "POST /api/payments/verify")
TRACKING = ("GET /api/tracking/live", "POST /api/tracking/live")
BOOKINGS = ("GET /api/bookings", "POST /api/bookings")
SUPPLIER = ("POST /api/onboarding/supplier", "GET /api/trade-in/:id/offers",
            "POST /api/trade-in/:id/offers")
USER = ("POST /api/auth/google", "GET /api/chat/:conversationId/messages",
        "POST /api/chat/:conversationId/messages", "GET /api/chat/conversations",
        "POST /api/chat/conversations", "POST /api/onboarding/supplier",
        "GET /api/payments/verify", "POST /api/payments/verify", "GET /api/reviews",
        "POST /api/reviews", "POST /api/trade-in/:id/offers", "POST /api/wallet/withdraw")
MESSAGE = ("GET /api/chat/:conversationId/messages", "POST /api/chat/:conversationId/messages",
           "GET /api/chat/conversations")


def guide() -> list[dict[str, object]]:
    changes = change_guide(load_schema(PRE_INCIDENT), load_schema(seed.SCHEMA_PATH),
                           seed.BACKEND_DIR)
    return guide_to_dict(changes)["changes"]


def test_exactly_the_seeds_renames_removals_and_additions() -> None:
    rows = [(c["impact"], c["kind"], c["model"], c["field"], c["from"], c["to"], c["probable"],
             tuple(c["endpoints"])) for c in guide()]  # type: ignore[arg-type]
    user = sorted(seed.MISSING_USER_COLUMNS)
    supplier = sorted(seed.MISSING_SUPPLIER_PROFILE_COLUMNS)
    types = {"verificationExpiry": "DateTime?", "resetTokenExpiry": "DateTime?",
             "isGoogleAuth": "Boolean", "hasCompletedOnboarding": "Boolean",
             "hasPassword": "Boolean"}
    assert rows == [
        ("breaking", "field_removed", "Booking", "orders", "Order[]", None, False, BOOKINGS),
        ("breaking", "field_removed", "Booking", "trackings", "MechanicBookingTracking[]", None,
         False, BOOKINGS),
        ("breaking", "model_removed", "MechanicBookingTracking", None, None, None, False, ()),
        ("breaking", "field_removed", "Order", "booking", "Booking?", None, False, ORDER),
        ("breaking", "field_removed", "Order", "bookingId", "String?", None, False, ORDER),
        ("breaking", "field_removed", "Order", "paymentStatus", "PaymentStatus", None, False,
         ORDER),
        ("breaking", "field_type_changed", "OrderTracking", "updates", "TrackingEvent[]",
         "TrackingUpdate[]", False, TRACKING),
        ("breaking", "model_renamed", "TrackingUpdate", None, "TrackingEvent", "TrackingUpdate",
         True, TRACKING),
        ("breaking", "field_removed", "Withdrawal", "accountName", "String", None, False,
         ("POST /api/wallet/withdraw",)),
        ("safe", "field_added", "Message", "attachments", None, "Json?", False, MESSAGE),
        *[("safe", "field_added", "SupplierProfile", name, None,
           "String[]" if name == "keywords" else "String?", False, SUPPLIER)
          for name in supplier],
        *[("safe", "field_added", "User", name, None, types.get(name, "String?"), False, USER)
          for name in user],
    ]


def test_markdown_is_shaped_like_the_seeds_guide() -> None:
    changes = change_guide(load_schema(PRE_INCIDENT), load_schema(seed.SCHEMA_PATH),
                           seed.BACKEND_DIR)
    text = guide_to_markdown(changes, "pre-incident", "current")
    assert text.startswith("## Function Name & API Update Guide\n\nFrom `pre-incident` to "
                           "`current`: 31 changes: 9 breaking, 0 risky, 22 safe\n")
    tracking = text.split("### ⚠️ TrackingUpdate (was TrackingEvent)\n", 1)[1].split("###")[0]
    assert tracking.startswith(
        "**Previous** → **Current**\n```typescript\n// CHANGED: Model name change\n"
        "// OLD: TrackingEvent\n// NEW: TrackingUpdate\n"
        "await prisma.trackingUpdate.findMany({ ... })    // Was: trackingEvent\n```\n")
    assert "Endpoints affected: `GET /api/tracking/live`, `POST /api/tracking/live`" in tracking
    assert "// Remove: Order.paymentStatus (field deleted)\n" in text
    assert "SupplierProfile.website: String?    // NEW\n" in text
    # sections with a breaking change come first, enums (none here) last
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    assert headings == ["### ⚠️ Booking", "### ⚠️ MechanicBookingTracking", "### ⚠️ Order",
                        "### ⚠️ OrderTracking", "### ⚠️ TrackingUpdate (was TrackingEvent)",
                        "### ⚠️ Withdrawal", "### ✅ Message", "### ✅ SupplierProfile",
                        "### ✅ User"]
