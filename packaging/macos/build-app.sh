#!/bin/sh
# Assembles Tickets.app from a built macOS binary.
#
#   packaging/macos/build-app.sh BINARY VERSION [OUT_DIR]
#
# BINARY   the built program: target/release/tickets, or a universal binary
#          made with lipo from the aarch64 and x86_64 builds
# VERSION  the package version from Cargo.toml, e.g. 0.1.0 (a leading "v" and
#          a pre-release or build suffix such as -beta.1 are dropped: macOS
#          wants up to three numbers)
# OUT_DIR  the folder to make Tickets.app in (default: target/macos); a
#          Tickets.app already there is replaced
#
# Makes Tickets.app/Contents/{Info.plist, PkgInfo, MacOS/tickets,
# Resources/tickets.icns} and prints its path. Where codesign is available
# (on macOS) the bundle is signed: ad hoc by default, which seals Info.plist
# and the icon to the binary (an unsigned or half-signed bundle is reported
# as "damaged" once downloaded); CODESIGN_IDENTITY names a Developer ID
# certificate to sign with instead.
set -eu

me=$(basename -- "$0")
fail() {
    echo "$me: $*" >&2
    exit 1
}

if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
    echo "usage: $me BINARY VERSION [OUT_DIR]" >&2
    exit 2
fi

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
root=$(CDPATH='' cd -- "$here/../.." && pwd)
binary=$1
version=${2#v}
version=${version%%[-+]*}
out=${3:-$root/target/macos}
icns=$root/assets/icon/tickets.icns

# One to three numbers separated by dots, nothing else (it goes into sed
# and into Info.plist as it is).
case $version in
    '' | *[!0-9.]* | .* | *. | *..* | *.*.*.*)
        fail "'$2' is not a version such as 1.2.3"
        ;;
esac
[ -f "$binary" ] || fail "no binary at $binary (build it first: cargo build --release)"
[ -f "$icns" ] || fail "no icon at $icns"

app=$out/Tickets.app
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
cp "$binary" "$app/Contents/MacOS/tickets"
chmod 755 "$app/Contents/MacOS/tickets"
cp "$icns" "$app/Contents/Resources/tickets.icns"
sed "s/@VERSION@/$version/g" "$here/Info.plist" >"$app/Contents/Info.plist"
printf 'APPL????' >"$app/Contents/PkgInfo"

if command -v plutil >/dev/null 2>&1; then
    plutil -lint "$app/Contents/Info.plist" >/dev/null
fi
if command -v codesign >/dev/null 2>&1; then
    identity=${CODESIGN_IDENTITY:--}
    if [ "$identity" = "-" ]; then
        codesign --force --sign - "$app"
    else
        # A real identity: the hardened runtime and a secure timestamp, as
        # notarization requires.
        codesign --force --options runtime --timestamp --sign "$identity" "$app"
    fi
    codesign --verify --strict --verbose=1 "$app"
fi

echo "$app"
