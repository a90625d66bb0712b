"""The public event contract: the AsyncAPI document and the JSON Schema of each public event."""

from __future__ import annotations

from fastapi import APIRouter

from api.responses import PROBLEM_RESPONSES, OrjsonResponse
from domain.errors import NotFound
from infra.kafka.contract import asyncapi_document, json_schemas

router = APIRouter(tags=["contract"])


@router.get("/asyncapi.json")
def asyncapi() -> OrjsonResponse:
    """The AsyncAPI 3.0 document of the events published on Kafka."""
    return OrjsonResponse(asyncapi_document())


class JsonSchemaResponse(OrjsonResponse):
    media_type = "application/schema+json"


@router.get(
    "/schemas/events/{public_type}",
    response_class=JsonSchemaResponse,
    responses={404: PROBLEM_RESPONSES[404]},
)
def event_schema(public_type: str) -> OrjsonResponse:
    """The JSON Schema of one public event's payload, e.g. ``org.gongzhi.fund.donation_received.v1``."""
    schema = json_schemas().get(public_type)
    if schema is None:
        raise NotFound("public event type", public_type)
    return JsonSchemaResponse(schema)
