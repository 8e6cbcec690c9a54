#!/bin/sh
# Appends #include "base/banned.h" after the last #include of each given .c file that lacks it.
for f in "$@"; do
	grep -q '"base/banned.h"' "$f" && continue
	last=$(grep -n '^#include' "$f" | tail -1 | cut -d: -f1)
	sed -i "${last}a #include \"base/banned.h\"" "$f"
done
