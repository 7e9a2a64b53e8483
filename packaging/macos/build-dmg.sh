#!/bin/sh
# Makes the disk image agents download: Tickets.app beside a link to
# /Applications, to drag it onto.
#
#   packaging/macos/build-dmg.sh APP DMG
#
# APP  the bundle build-app.sh made (e.g. target/macos/Tickets.app)
# DMG  the disk image to write (e.g. target/macos/Tickets-0.1.0.dmg);
#      replaced if it exists
#
# macOS only (hdiutil, ditto). The image is compressed (UDZO), HFS+, and
# its volume is named "Tickets".
set -eu

me=$(basename -- "$0")
fail() {
    echo "$me: $*" >&2
    exit 1
}

if [ "$#" -ne 2 ]; then
    echo "usage: $me APP DMG" >&2
    exit 2
fi
app=${1%/}
dmg=$2

[ -f "$app/Contents/Info.plist" ] || fail "$app is not an app bundle (make it with build-app.sh)"
command -v hdiutil >/dev/null 2>&1 || fail "hdiutil is missing: disk images are made on macOS"

stage=$(mktemp -d "${TMPDIR:-/tmp}/tickets-dmg.XXXXXX")
trap 'rm -rf "$stage"' EXIT
trap 'exit 1' HUP INT TERM

# ditto keeps the bundle exactly (symlinks, extended attributes, signature).
ditto "$app" "$stage/Tickets.app"
ln -s /Applications "$stage/Applications"

mkdir -p "$(dirname -- "$dmg")"
rm -f "$dmg"
# hdiutil now and then fails on a busy machine ("Resource busy"), notably
# on CI runners: try up to three times.
tries=1
until hdiutil create -volname Tickets -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"; do
    [ "$tries" -lt 3 ] || fail "hdiutil create failed $tries times"
    tries=$((tries + 1))
    sleep 5
done
hdiutil verify "$dmg"

echo "$dmg"
