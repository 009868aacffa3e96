#!/bin/sh
# Starts the BEED Java kernel. The JVM flags are the root pom's beed.jvm.flags, filled in at build
# time, so the kernel runs exactly as ./beed and the tests do.
dir="$(cd "$(dirname "$0")" && pwd)"
exec java ${beed.jvm.flags} -Djava.awt.headless=true -Dbeed.home='${beed.home}' \
  -cp "$dir/lib/*" io.github.beedjava.kernel.BeedKernel "$1"
