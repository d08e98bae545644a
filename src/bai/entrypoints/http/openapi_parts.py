"""What every route's OpenAPI description shares: the bearer scheme and the error answers."""

from litestar.openapi.datastructures import ResponseSpec

from .schemas import ErrorResponse

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """The envelope answered with each of `statuses`."""
    return {
        status: ResponseSpec(
            data_container=ErrorResponse, description="错误", generate_examples=False
        )
        for status in statuses
    }
