#!/bin/bash
# Peak anonymous memory (RssAnon, sampled every 5 ms) of a command: what it
# allocates, not the file pages a memory map brings in.
# usage: benches/peak_anon.sh CMD...
"$@" > /dev/null &
pid=$!
peak=0
while kill -0 $pid 2>/dev/null; do
  v=$(awk '/RssAnon/ {print $2}' /proc/$pid/status 2>/dev/null)
  [ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v
  sleep 0.005
done
echo "peak RssAnon ${peak} KB"
