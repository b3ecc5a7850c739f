# newsbot: `docker build -t newsbot .` then
# `docker run -e DISCORD_TOKEN=... -v newsbot-data:/data newsbot`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    NEWSBOT_DB=/data/newsbot.db

RUN useradd --create-home --uid 10001 newsbot \
    && mkdir /data \
    && chown newsbot:newsbot /data

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY data ./data
# The same install as the README's first command.
RUN pip install . && rm -rf /app/bot /app/data

USER newsbot
VOLUME ["/data"]
# SIGTERM (docker stop) makes the bot close the gateway and the archive cleanly.
STOPSIGNAL SIGTERM
CMD ["newsbot", "run"]
