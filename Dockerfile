# One image for web (gunicorn), worker (celery) and beat. Built in two stages: npm assets, then Python.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 portal
WORKDIR /app
COPY pyproject.toml ./
COPY requirements/base.lock requirements/
RUN pip install --upgrade pip && pip install -r requirements/base.lock
COPY . .
COPY --from=assets /src/node_modules/@utrecht/component-library-css/dist/index.css static/vendor/utrecht/component-library.css
COPY --from=assets /src/node_modules/@utrecht/design-tokens/dist/index.css static/vendor/utrecht/design-tokens.css
COPY --from=assets /src/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/htmx.min.js
RUN DJANGO_DEBUG=true python manage.py compilemessages --ignore=.venv -v 0 \
 && DJANGO_DEBUG=true STATIC_MANIFEST=true python manage.py collectstatic --noinput -v 0 \
 && mkdir -p var && chown -R portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
