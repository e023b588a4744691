#!/usr/bin/env bash
# Compile every translation catalogue (src/lienthong/locale/*/LC_MESSAGES/*.po) to .mo with
# GNU msgfmt, checking formats and headers. Both files are committed, so a deployment needs no
# gettext tools. Update the .po first with, for example:
#   (cd src/lienthong && lienthong makemessages -l en --no-obsolete --no-wrap)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
status=0
while IFS= read -r -d '' po; do
  mo="${po%.po}.mo"
  if msgfmt --check --statistics -o "$mo" "$po"; then
    echo "compiled ${po#"$root"/}"
  else
    status=1
  fi
done < <(find "$root/src/lienthong/locale" -name '*.po' -print0)
exit "$status"
