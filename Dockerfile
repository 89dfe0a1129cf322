# okr-coach as a container: `docker compose up` (compose.yaml) runs it for a team.
# Two stages: the build tools stay in the first, the image holds the venv and nothing else.
FROM python:3.12.8-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/okr-coach
COPY pyproject.toml README.md ./
COPY coach ./coach
COPY rubrics ./rubrics
COPY prompts ./prompts
COPY examples ./examples
# A regular (not editable) install: rubrics, prompts and the example ship inside the package.
RUN /opt/okr-coach/bin/pip install --no-cache-dir .

FROM python:3.12.8-slim-bookworm
ENV PATH=/opt/okr-coach/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OKR_COACH_DATA_DIR=/data
# A user of its own, no shell, no home: the service never runs as root.
RUN groupadd --system --gid 10001 okr \
    && useradd --system --uid 10001 --gid okr --no-create-home --shell /usr/sbin/nologin okr \
    && mkdir /data && chown okr:okr /data && chmod 0700 /data
COPY --from=build /opt/okr-coach /opt/okr-coach
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["okr-coach", "serve", "--host", "0.0.0.0", "--port", "8000"]
