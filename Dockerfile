# The newsdedup worker image, built by docker-compose.yml (`docker compose up --build`).
# Without Docker, the same worker runs from a checkout: see README.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# A regular (non-editable) install, pinned by the same constraints as development and CI; the
# message schemas and the sample feed travel inside the package as package data.
COPY pyproject.toml constraints.txt README.md ./
COPY services ./services
RUN pip install --constraint constraints.txt .

# The bundled sample feed at a fixed path, for the compose `replay` service.
COPY services/newsdedup/data/sample-feed.jsonl /app/data/sample-feed.jsonl

# Run unprivileged; the worker's state (its local table store) lives in a volume.
RUN useradd --system --uid 10001 --home-dir /var/lib/newsdedup --create-home newsdedup
USER newsdedup
ENV NEWSDEDUP_DATA_DIR=/var/lib/newsdedup
VOLUME ["/var/lib/newsdedup"]
EXPOSE 6066

CMD ["newsdedup", "worker"]
