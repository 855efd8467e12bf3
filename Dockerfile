# Production image: gunicorn serving the app, the same image runs the Celery worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DATA_DIR=/data STATIC_MANIFEST=1
WORKDIR /app
COPY requirements/ requirements/
RUN pip install -r requirements/base.txt
COPY . .
RUN SECRET_KEY=build-only DATABASE_URL=postgresql://build@localhost/build python manage.py collectstatic --noinput \
    && useradd --system --home /app app && mkdir -p /data && chown app /data
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4", "--access-logfile", "-"]
