#!/bin/sh
# deps.sh KIND PKG... — install the Debian packages that are missing.
# Quiet and quick when everything is present; uses sudo when not root; when
# installing is impossible, prints the exact command and fails.
kind=$1; shift
missing=""
for p in "$@"; do
	# dpkg-query is the ground truth for "installed"; fall back to probing
	# the tool or library on machines without dpkg.
	if command -v dpkg-query >/dev/null 2>&1; then
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
		[ "$st" = installed ] || missing="$missing $p"
	else
		case $p in
		libmnl-dev) pkg-config --exists libmnl 2>/dev/null || missing="$missing $p" ;;
		libncurses-dev) pkg-config --exists ncursesw 2>/dev/null || missing="$missing $p" ;;
		libmicrohttpd-dev) pkg-config --exists libmicrohttpd 2>/dev/null || missing="$missing $p" ;;
		*) command -v "$p" >/dev/null 2>&1 || missing="$missing $p" ;;
		esac
	fi
done
[ -z "$missing" ] && exit 0
echo "tcpscope: missing $kind dependencies:$missing" >&2
if ! command -v apt-get >/dev/null 2>&1; then
	echo "tcpscope: no apt-get here; install the equivalents of:$missing" >&2
	exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "tcpscope: not root and no sudo; run as root:" >&2
		echo "  apt-get update && apt-get install -y$missing" >&2
		exit 1
	fi
fi
echo "tcpscope: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Packages installed only for the tests that also ship a service (Debian's
# prometheus starts one, and pulls in node_exporter's): the tests run their
# own instance in a private namespace, so a service we installed is
# stopped and disabled again; one that was already there is left alone.
services=""
for p in prometheus prometheus-node-exporter; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$st" = installed ] || services="$services $p"
done
# Update the package lists only when the install fails without it.
if ! $SUDO apt-get install -y -q$missing >/dev/null 2>&1; then
	$SUDO apt-get update -q >/dev/null 2>&1
	if ! $SUDO apt-get install -y -q$missing; then
		echo "tcpscope: could not install; run:" >&2
		echo "  ${SUDO:+$SUDO }apt-get update && ${SUDO:+$SUDO }apt-get install -y$missing" >&2
		exit 1
	fi
fi
if [ -n "$services" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
	for p in $services; do
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
		if [ "$st" = installed ]; then
			$SUDO systemctl disable --now "$p.service" >/dev/null 2>&1 &&
				echo "tcpscope: stopped and disabled $p.service (installed for the tests only)" >&2
		fi
	done
fi
exit 0
