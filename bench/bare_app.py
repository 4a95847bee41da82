"""A bare Starlette page of about the size of a question page: the yardstick of bench/load.py."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

BODY = "<!doctype html><title>bare</title>" + "<p>Question text, why we ask it.</p>" * 150


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(BODY)


app = Starlette(routes=[Route("/", page)])
