#!/usr/bin/env bash
# Installs what the browser tests need and pip cannot give: Debian's Chromium
# (with Liberation Sans, the font the screenshots are taken with now that the
# example site loads no web fonts, and an emoji font for the emotion faces) and
# axe-core from the npm registry. Never downloads a browser build of its own.
set -u
cd "$(dirname "$0")/.."
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || need_apt+=(fonts-liberation)
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need_apt+=(fonts-noto-color-emoji)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "browser-deps: installing ${need_apt[*]} with apt-get"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}") >/dev/null 2>&1 \
      || echo "browser-deps: apt-get failed; browser tests will be skipped"
  else
    echo "browser-deps: ${need_apt[*]} missing and not root: browser tests will be skipped"
  fi
fi
axe=.cache/npm/node_modules/axe-core/axe.min.js
if [ ! -f "$axe" ]; then
  if command -v npm >/dev/null; then
    mkdir -p .cache/npm
    npm install --silent --no-audit --no-fund --no-save --prefix .cache/npm axe-core@4.14.1 >/dev/null 2>&1 \
      || echo "browser-deps: npm could not install axe-core; accessibility tests will be skipped"
  else
    echo "browser-deps: npm missing; accessibility tests will be skipped"
  fi
fi
exit 0
