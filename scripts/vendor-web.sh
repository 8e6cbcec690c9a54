#!/bin/sh
# Copies the browser builds of the npm packages the pages use into web/vendor/ (committed, so
# building and running need no npm). Run after changing their versions in package.json.
set -eu
cd "$(dirname "$0")/.."
[ -d node_modules/@event-calendar/build ] && [ -d node_modules/uplot ] || scripts/deps.sh test
mkdir -p web/vendor/event-calendar web/vendor/uplot
cp node_modules/@event-calendar/build/dist/event-calendar.min.js \
	node_modules/@event-calendar/build/dist/event-calendar.min.css web/vendor/event-calendar/
cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.iife.min.js \
	node_modules/uplot/dist/uPlot.min.css node_modules/uplot/LICENSE web/vendor/uplot/
echo "web/vendor/ refreshed; update the versions in web/vendor/README.md"
