#!/usr/bin/env bash
# Installs what the server-backed publish tests need. Idempotent, and fast
# (well under a second) when everything is already in place.
#
#   Debian packages: PostgreSQL (15 on Debian 12), libpq-dev + gcc + Python
#                    headers (psycopg2 builds from source), Redis.
#   .cache/servers/moto   a virtualenv with moto's S3 server (moto_server)
#   .cache/servers/ckan   a virtualenv with CKAN and its pinned requirements
#
# Nothing is started here: the test suite starts PostgreSQL, Redis, a Solr
# stand-in (tests/servers/solr_standin.py), moto and CKAN on 127.0.0.1 and
# stops them by process id (tests/conftest_servers.py).
#
# The two virtualenvs are built in parallel. A venv is rebuilt only when its
# pinned requirement line below changes (recorded in <venv>/.openbook-spec).
set -euo pipefail
cd "$(dirname "$0")/../.."

CACHE=${OPENBOOK_SERVERS_CACHE:-.cache/servers}
PYTHON=${PYTHON:-python3}
MOTO_SPEC='moto[s3]==5.2.5 flask flask-cors'
# CKAN 2.12.0 and 2.11.6 both work with our Solr stand-in (docs/publishing.md).
# "ckan==X" alone installs no dependencies: the pins are in the [requirements] extra.
CKAN_SPEC='ckan[requirements]==2.12.0'

mkdir -p "$CACHE"

# --- Debian packages -------------------------------------------------------
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v pg_config >/dev/null 2>&1 || missing+=(libpq-dev)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
# psycopg2 builds from source against the headers of the Python that builds the venv.
"$PYTHON" -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    || missing+=(python3-dev)
if [ ${#missing[@]} -gt 0 ]; then
    echo "install.sh: installing Debian packages: ${missing[*]}"
    SUDO=
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
            echo "install.sh: need root (or sudo) to apt-get install ${missing[*]}" >&2
            exit 1
        fi
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
    # Debian may start a default PostgreSQL cluster where systemd runs; the tests
    # do not use it: they start private instances on free ports.
fi

# --- virtualenvs -------------------------------------------------------------
# make_venv DIR "SPEC": (re)builds DIR unless DIR/.openbook-spec already says SPEC.
make_venv() {
    local dir=$1 spec=$2
    if [ -f "$dir/.openbook-spec" ] && [ "$(cat "$dir/.openbook-spec")" = "$spec" ]; then
        return 0
    fi
    echo "install.sh: building $dir ($spec)"
    rm -rf "$dir"
    "$PYTHON" -m venv "$dir"
    # shellcheck disable=SC2086  # the spec is a list of requirements
    "$dir/bin/pip" install -q --disable-pip-version-check $spec
    # Written last: an interrupted build has no marker and is rebuilt next time.
    echo "$spec" > "$dir/.openbook-spec"
}

make_venv "$CACHE/moto" "$MOTO_SPEC" > "$CACHE/moto-install.log" 2>&1 &
moto_pid=$!
make_venv "$CACHE/ckan" "$CKAN_SPEC" > "$CACHE/ckan-install.log" 2>&1 &
ckan_pid=$!

status=0
wait "$moto_pid" || { cat "$CACHE/moto-install.log" >&2; echo "install.sh: moto install failed" >&2; status=1; }
wait "$ckan_pid" || { cat "$CACHE/ckan-install.log" >&2; echo "install.sh: CKAN install failed" >&2; status=1; }
[ $status = 0 ] && grep -h '^install.sh:' "$CACHE/moto-install.log" "$CACHE/ckan-install.log" || true
exit $status
