FROM python:3.13.1-slim-bookworm
LABEL org.opencontainers.image.title="billing-api" \
      org.opencontainers.image.url="https://example.com/billing" \
      org.opencontainers.image.version="2.3.1" \
      org.opencontainers.image.created="2026-11-27T06:00:00Z" \
      org.opencontainers.image.revision="9f8e7d6c5b4a39281706f5e4d3c2b1a098765432" \
      org.opencontainers.image.authors="billing@example.com"
LABEL Maintainer="someone"
LABEL com.docker.compose.project=billing
COPY . /srv
WORKDIR /srv
RUN pip install --no-cache-dir -r requirements.txt
USER 1000
CMD ["python", "-m", "billing"]
