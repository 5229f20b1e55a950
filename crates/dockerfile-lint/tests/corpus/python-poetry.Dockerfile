FROM python:3.11.9-slim-bookworm AS builder
ENV PIP_NO_CACHE_DIR=1 \
    POETRY_VERSION=1.8.3 \
    POETRY_VIRTUALENVS_IN_PROJECT=1
RUN pip install "poetry==$POETRY_VERSION"
WORKDIR /build
COPY pyproject.toml poetry.lock ./
RUN poetry install --only main --no-root

FROM python:3.11.9-slim-bookworm
RUN groupadd -r app && useradd -r -g app app
WORKDIR /app
COPY --from=builder /build/.venv /app/.venv
COPY --chown=app:app src/ ./src/
ENV PATH="/app/.venv/bin:$PATH"
USER app
HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"]
ENTRYPOINT ["uvicorn", "src.main:app", "--host", "0.0.0.0"]
