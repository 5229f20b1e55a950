FROM ghcr.io/astral-sh/uv:0.5.11-python3.12-bookworm-slim AS build
WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-install-project --no-dev
COPY . /app
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev

FROM python:3.12.8-slim-bookworm
COPY --from=build --chown=10001:10001 /app /app
ENV PATH="/app/.venv/bin:$PATH"
USER 10001
WORKDIR /app
CMD ["fastapi", "run", "app/main.py", "--port", "80"]
