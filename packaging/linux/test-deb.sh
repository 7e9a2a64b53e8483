#!/bin/sh
# Builds the Linux package and checks it as an agent's machine would meet it:
#   1. builds the release binary and the .deb (cargo-deb, installed if missing);
#   2. installs the .deb with apt (which brings its dependencies);
#   3. checks `tickets --version` and `tickets --help`, and the man page;
#   4. starts the installed binary's window under Xvfb on a new database and
#      takes a screenshot (target/debian/installed-window.png): the window
#      must open, stay up and draw something;
#   5. validates the desktop file (desktop-file-validate) and the AppStream
#      metainfo (appstreamcli validate);
#   6. runs lintian and prints what it says (its findings are reported, not
#      fatal: see the README's Install section for the ones left);
#   7. removes the package.
# Run by .ci/run, as root or with sudo. Prints the .deb's size and the
# installed size.
set -eu
cd "$(dirname "$0")/../.."

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
say() { printf '== %s\n' "$*"; }

# The tools this check uses, where missing.
need=""
command -v Xvfb >/dev/null 2>&1 || need="$need xvfb"
command -v xauth >/dev/null 2>&1 || need="$need xauth"
command -v xdotool >/dev/null 2>&1 || need="$need xdotool"
command -v import >/dev/null 2>&1 || need="$need imagemagick"
command -v desktop-file-validate >/dev/null 2>&1 || need="$need desktop-file-utils"
command -v appstreamcli >/dev/null 2>&1 || need="$need appstream"
command -v lintian >/dev/null 2>&1 || need="$need lintian"
if [ -n "$need" ]; then
    say "installing$need"
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi
if ! command -v cargo-deb >/dev/null 2>&1; then
    say "installing cargo-deb"
    cargo install cargo-deb --version 3.8.0 --locked --quiet
fi

say "building the release binary and the .deb"
cargo build --release --locked
cargo deb --no-build --strip >/dev/null
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
deb="target/debian/tickets_${version}-1_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || { echo "no package at $deb" >&2; exit 1; }

say "installing $deb with apt"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "./$deb" >/dev/null
remove() { DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq tickets >/dev/null 2>&1 || true; }
trap remove EXIT

say "the installed command"
[ "$(command -v tickets)" = /usr/bin/tickets ] || { echo "tickets is not /usr/bin/tickets" >&2; exit 1; }
got=$(/usr/bin/tickets --version)
[ "$got" = "tickets $version" ] || { echo "tickets --version said: $got" >&2; exit 1; }
echo "$got"
/usr/bin/tickets --help | grep -q '^Usage: tickets' || { echo "tickets --help has no usage" >&2; exit 1; }
[ -f /usr/share/man/man1/tickets.1.gz ] || { echo "no man page" >&2; exit 1; }
zcat /usr/share/man/man1/tickets.1.gz | grep -q '^\.TH tickets 1' || { echo "the man page is not tickets(1)" >&2; exit 1; }

say "the installed window, on a new database, under Xvfb"
work=$(mktemp -d)
display=:57
Xvfb "$display" -screen 0 1366x768x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb=$!
sleep 1
DISPLAY=$display HOME="$work" XDG_DATA_HOME="$work/share" XDG_CONFIG_HOME="$work/config" \
    /usr/bin/tickets --db "$work/new.db" >"$work/app.log" 2>&1 &
app=$!
window=""
for _ in $(seq 1 60); do
    window=$(DISPLAY=$display xdotool search --name 'Tickets$' 2>/dev/null | head -n 1 || true)
    [ -n "$window" ] && break
    kill -0 "$app" 2>/dev/null || break
    sleep 0.5
done
sleep 3
shot=target/debian/installed-window.png
DISPLAY=$display import -window root "$shot"
alive=yes
kill -0 "$app" 2>/dev/null || alive=no
kill "$app" 2>/dev/null || true
wait "$app" 2>/dev/null || true
kill "$xvfb" 2>/dev/null || true
if [ -z "$window" ] || [ "$alive" = no ]; then
    echo "the installed app's window did not open or did not stay up; its output:" >&2
    cat "$work/app.log" >&2
    exit 1
fi
# A window that drew: more than one colour on the screen.
colours=$(convert "$shot" -format '%k' info:)
[ "$colours" -gt 16 ] || { echo "the screenshot is blank ($colours colours)" >&2; exit 1; }
[ -f "$work/new.db" ] || { echo "the window made no database at $work/new.db" >&2; exit 1; }
echo "window $window opened; screenshot $shot ($colours colours)"
rm -rf "$work"

say "desktop-file-validate"
desktop-file-validate /usr/share/applications/app.tickets.Tickets.desktop
echo "valid"

say "appstreamcli validate"
appstreamcli validate --no-net --explain /usr/share/metainfo/app.tickets.Tickets.metainfo.xml

say "lintian (reported, not fatal)"
lintian --info "$deb" || true

say "sizes"
echo ".deb: $(stat -c %s "$deb") bytes; installed: $(dpkg-deb -f "$deb" Installed-Size) KiB"

say "removing the package"
remove
trap - EXIT
if [ -e /usr/bin/tickets ]; then echo "tickets is still installed" >&2; exit 1; fi
echo "removed"
