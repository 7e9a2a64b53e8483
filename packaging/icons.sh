#!/bin/sh
# Renders the app icon (assets/icon/tickets.svg) to every size the platforms
# want, into assets/icon: png/tickets-N.png (16 to 512), tickets.ico (Windows:
# 16 to 256) and tickets.icns (macOS). The rendered files are committed, so
# a build needs none of these tools; run this after changing the SVG.
#
# Needs: rsvg-convert (Debian: librsvg2-bin), ImageMagick's convert (the .ico)
# and png2icns (icnsutils).
set -eu
cd "$(dirname "$0")/../assets/icon"
mkdir -p png
for size in 16 24 32 48 64 128 256 512; do
    rsvg-convert --width "$size" --height "$size" tickets.svg --output "png/tickets-$size.png"
done
convert png/tickets-16.png png/tickets-24.png png/tickets-32.png png/tickets-48.png \
    png/tickets-64.png png/tickets-128.png png/tickets-256.png tickets.ico
png2icns tickets.icns png/tickets-16.png png/tickets-32.png png/tickets-48.png \
    png/tickets-128.png png/tickets-256.png png/tickets-512.png >/dev/null
ls -l tickets.ico tickets.icns png
