#!/usr/bin/env bash
# Installs what the server-backed tests need. Idempotent.
set -euo pipefail
