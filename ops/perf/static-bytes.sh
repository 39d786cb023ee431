#!/bin/sh
# Bytes on the wire for the patient start page's static files, on a first visit and on a revisit.
# Usage: ops/perf/static-bytes.sh [base-url]   (default http://127.0.0.1:8080; the server must be running)
# A first visit asks like a browser (Accept-Encoding: gzip, deflate, br) with an empty cache; a revisit
# sends back each file's validators (If-None-Match / If-Modified-Since) as a browser does for `no-cache`.
# Counted: response bodies as transferred (size_download); headers are listed separately.
set -eu
BASE="${1:-http://127.0.0.1:8080}"
FILES="/ /css/kanava.css /js/patient.js /js/i18n.js /js/dom.js /js/format.js /js/api.js /js/socket.js
/js/connection.js /js/questionnaire.js /js/patient-conversation.js /js/chat-view.js /i18n/fi.json"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
first=0; firsthdr=0; again=0; againhdr=0; n304=0; count=0
printf '%-30s %7s %7s %-8s %6s %s\n' file status body encoding revisit cache-control
for f in $FILES; do
  count=$((count + 1))
  out=$(curl -s -o "$TMP/body" -D "$TMP/h1" -H 'Accept-Encoding: gzip, deflate, br' \
    -w '%{http_code} %{size_download} %{size_header}' "$BASE$f")
  set -- $out; s1=$1; b1=$2; h1=$3
  enc=$(grep -i '^content-encoding:' "$TMP/h1" | tr -d '\r' | cut -d' ' -f2); enc=${enc:-none}
  cc=$(grep -i '^cache-control:' "$TMP/h1" | tr -d '\r' | cut -d' ' -f2-)
  etag=$(grep -i '^etag:' "$TMP/h1" | tr -d '\r' | cut -d' ' -f2-)
  lm=$(grep -i '^last-modified:' "$TMP/h1" | tr -d '\r' | cut -d' ' -f2-)
  set -- -H 'Accept-Encoding: gzip, deflate, br'
  [ -n "$etag" ] && set -- "$@" -H "If-None-Match: $etag"
  [ -n "$lm" ] && set -- "$@" -H "If-Modified-Since: $lm"
  out=$(curl -s -o /dev/null "$@" -w '%{http_code} %{size_download} %{size_header}' "$BASE$f")
  set -- $out; s2=$1; b2=$2; h2=$3
  [ "$s2" = 304 ] && n304=$((n304 + 1))
  first=$((first + b1)); firsthdr=$((firsthdr + h1)); again=$((again + b2)); againhdr=$((againhdr + h2))
  printf '%-30s %7s %7s %-8s %6s %s\n' "$f" "$s1" "$b1" "$enc" "$s2" "$cc"
done
echo "first visit: $count files, $first body bytes (+ $firsthdr header bytes)"
echo "revisit:     $n304 of $count answered 304, $again body bytes (+ $againhdr header bytes)"
