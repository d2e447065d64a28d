#!/bin/sh
# wordcount: counts the words, lines and bytes of the request body (or of the parameter "text").
# A process cage in per-request mode: one sh per request, the request envelope (JSON) on stdin, the answer
# envelope on stdout. No JSON parser: the envelope is flat enough for sed.
envelope=$(cat)
body=$(printf '%s' "$envelope" | sed -n 's/.*"body":"\([^"]*\)".*/\1/p')
if [ -n "$body" ]; then
  text=$(printf '%s' "$body" | base64 -d)
else
  text=$(printf '%s' "$envelope" | sed -n 's/.*"params":{[^}]*"text":"\([^"]*\)".*/\1/p')
fi
if [ -z "$text" ]; then
  printf '{"error":{"code":"bad_request","message":"nothing to count: post the text as the body, or give ?text="}}'
  exit 1
fi
echo "counting $(printf '%s' "$text" | wc -c) bytes" >&2
printf '{"value":{"words":%d,"lines":%d,"bytes":%d}}' \
  "$(printf '%s\n' "$text" | wc -w)" "$(printf '%s\n' "$text" | wc -l)" "$(printf '%s' "$text" | wc -c)"
