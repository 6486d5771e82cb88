# shellcheck shell=bash
# Helpers shared by scripts/serve and scripts/test. Source it from the repo root:
#   source scripts/lib.sh
#
# Everything here is idempotent and avoids the network when nothing is missing:
# apt is only touched for packages dpkg says are absent, and pip only runs when
# pyproject.toml changed since the last successful install into .venv.

export DEBIAN_FRONTEND=noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [[ -t 2 ]]; then
    log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
else
    log() { printf '==> %s\n' "$*" >&2; }
fi
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo.
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

pkg_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

_apt_updated=0
# apt_install PKG... — installs only those of PKG that are not installed yet;
# runs `apt-get update` (once per script run) only if something is missing.
apt_install() {
    local missing=() p
    for p in "$@"; do
        pkg_installed "$p" || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    log "installing Debian packages: ${missing[*]}"
    if ((_apt_updated == 0)); then
        as_root apt-get update -qq
        _apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# True if $1 is a Python >= 3.11 that can create a venv with pip in it
# (Debian's python3 without python3-venv lacks ensurepip).
python_usable() {
    "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' \
        >/dev/null 2>&1
}

# Sets PYTHON to an interpreter able to build .venv, installing Debian's if needed.
pick_python() {
    local c
    for c in ${NIIS_PYTHON:+"$NIIS_PYTHON"} python3 /usr/bin/python3; do
        if command -v "$c" >/dev/null 2>&1 && python_usable "$c"; then
            PYTHON=$(command -v "$c")
            return 0
        fi
    done
    apt_install python3 python3-venv python3-dev
    python_usable /usr/bin/python3 ||
        die "/usr/bin/python3 is not Python >= 3.11 with venv; set NIIS_PYTHON to one that is"
    PYTHON=/usr/bin/python3
}

# ensure_venv [EXTRA] — makes .venv hold `pip install -e .[EXTRA]` for the current
# pyproject.toml. A stamp file in .venv records the pyproject hash and the extra
# that was installed, so a second run does no pip work at all. The "dev" extra is
# a superset of the plain install, so a dev stamp satisfies a plain request.
ensure_venv() {
    local extra=${1:-} spec=. stamp=.venv/.niis-install-stamp hash
    [[ -n $extra ]] && spec=".[$extra]"

    if ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        >/dev/null 2>&1; then
        pick_python
        log "creating .venv with $PYTHON"
        rm -rf .venv
        "$PYTHON" -m venv .venv
    fi

    hash=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [[ -f $stamp ]] && { grep -qxF "$hash $extra" "$stamp" ||
        { [[ -z $extra ]] && grep -qxF "$hash dev" "$stamp"; }; }; then
        return 0
    fi
    log "pip install -e '$spec' into .venv"
    .venv/bin/python -m pip install -q -e "$spec"
    printf '%s %s\n' "$hash" "$extra" >"$stamp"
}

# free_port — prints a TCP port on 127.0.0.1 that the kernel says is free now.
free_port() {
    .venv/bin/python -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# ensure_node_modules — `npm ci` of package-lock.json into node_modules/ (the browser
# tests' axe-core; nothing in it is served), only when the lock file changed since the
# last successful install. Installs Debian's nodejs and npm if the machine has no npm.
ensure_node_modules() {
    local stamp=node_modules/.niis-install-stamp hash
    command -v npm >/dev/null 2>&1 || apt_install nodejs npm
    hash=$(sha256sum package-lock.json | cut -d' ' -f1)
    [[ -f $stamp ]] && grep -qxF "$hash" "$stamp" && return 0
    log "npm ci (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error >&2
    printf '%s\n' "$hash" >"$stamp"
}
