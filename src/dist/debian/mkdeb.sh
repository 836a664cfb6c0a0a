#!/bin/sh
# mkdeb.sh VERSION BUILD — pack BUILD/root (what `make install PREFIX=/usr
# DESTDIR=BUILD/root` wrote) into BUILD/tcpscope_VERSION_ARCH.deb.
#
# Adds what Debian policy wants of a binary package and `make install` does
# not do: compressed manual pages, copyright, changelog, a stripped binary,
# md5sums. Depends comes from dpkg-shlibdeps (the libraries the binary links),
# the control file from dpkg-gencontrol (src/dist/debian/control, with the
# version of src/dist/debian/changelog, which must match the Makefile's).
set -eu
version=$1
build=$2
dist=$(cd "$(dirname "$0")" && pwd)
root=$build/root
doc=$root/usr/share/doc/tcpscope

clv=$(dpkg-parsechangelog -l "$dist/changelog" -S Version)
if [ "$clv" != "$version" ]; then
	echo "mkdeb: src/dist/debian/changelog is at $clv, the Makefile at $version" >&2
	exit 1
fi

find "$root/usr/share/man" -type f -name '*.[1-9]' -exec gzip -9nf {} +
install -m 0644 "$dist/copyright" "$doc/copyright"
gzip -9nc "$dist/changelog" >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"
# As dh_strip does; the debug symbols stay in BUILD/tcpscope.
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/tcpscope"

# dpkg-shlibdeps and dpkg-gencontrol read debian/control and write
# debian/substvars and debian/files relative to the current directory.
mkdir -p "$build/debian"
cp "$dist/control" "$build/debian/control"
cp "$dist/changelog" "$build/debian/changelog"
rm -f "$build/debian/substvars" "$build/debian/files"
mkdir -p "$root/DEBIAN"
chmod 0755 "$root/DEBIAN"
(
	cd "$build"
	dpkg-shlibdeps -Tdebian/substvars root/usr/bin/tcpscope
	# What debhelper would add (nothing: no maintainer scripts).
	echo 'misc:Depends=' >>debian/substvars
	dpkg-gencontrol -ptcpscope -Proot -Tdebian/substvars -fdebian/files
	cd root
	find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
		xargs -0 md5sum >DEBIAN/md5sums
	chmod 0644 DEBIAN/control DEBIAN/md5sums
)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$build/tcpscope_${version}_$arch.deb
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$dist/changelog" -S Timestamp)
export SOURCE_DATE_EPOCH
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
