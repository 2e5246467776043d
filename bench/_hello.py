"""The order benchmark's baseline: the smallest Starlette endpoint that reads a JSON body and
answers JSON, on the same uvicorn settings as `linesheets api` (one worker, loopback).

Run: python -m bench._hello PORT
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def hello(request: Request) -> JSONResponse:
    """Read the body as the order endpoint must, then answer a constant."""
    await request.body()
    return JSONResponse({"hello": "world"})


app = Starlette(routes=[Route("/hello", hello, methods=["POST"])])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]))  # access log on, as the API
