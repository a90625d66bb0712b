"""The floor the reads are measured against: FastAPI's hello-world, served the way
``gongzhi serve`` serves (one uvicorn process, no access log, no server header)."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": "Hello World"}
