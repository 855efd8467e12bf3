#!/bin/sh
# The password comes from the environment, never from the image.
set -eu
umask 077
printf '"%s" "%s"\n' "${POSTGRES_USER:-reception}" "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}" > /tmp/userlist.txt
exec /usr/sbin/pgbouncer /etc/pgbouncer/pgbouncer.ini
