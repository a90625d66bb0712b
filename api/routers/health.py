from __future__ import annotations

from fastapi import APIRouter

from api.deps import Application
from api.responses import OrjsonResponse
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health() -> OrjsonResponse:
    """The process is up."""
    return OrjsonResponse({"status": "ok"})


@router.get("/ready", response_model=Health, responses={503: {"model": Health}})
def ready(app: Application) -> OrjsonResponse:
    """The event store answers."""
    try:
        app.recorder.max_notification_id()
    except Exception:
        return OrjsonResponse({"status": "unavailable"}, status_code=503)
    return OrjsonResponse({"status": "ok"})
