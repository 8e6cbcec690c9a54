#!/bin/sh
# `make run`: start Créneau on its embedded SQLite store (./creneau.db) at
# http://127.0.0.1:8080 (CRENEAU_LISTEN and the other CRENEAU_* variables override).
set -eu
bin=${1:-build/debug/creneau}
store=${CRENEAU_STORE:-sqlite:./creneau.db}
"$bin" migrate --store "$store"
"$bin" demo --store "$store"
echo "Créneau on http://${CRENEAU_LISTEN:-127.0.0.1:8080}/  (health: /healthz, stop: Ctrl-C)"
exec "$bin" serve --store "$store"
