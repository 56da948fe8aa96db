"""Converts an OpenAPI YAML document to JSON at build time (Debian's python3-yaml)."""
import json
import sys

import yaml

with open(sys.argv[1], encoding="utf-8") as source, open(sys.argv[2], "w", encoding="utf-8") as target:
    json.dump(yaml.safe_load(source), target, ensure_ascii=False)
