#!/usr/bin/env bash
# Regenerates the meeting IVR's prompts (8 kHz µ-law, raw) with espeak-ng and sox from Debian's packages:
#   apt-get install espeak-ng sox && ops/make-prompts.sh
set -euo pipefail
cd "$(dirname "$0")/../signaling/src/main/resources/prompts"
say() { espeak-ng -v en-us -s 150 -w /tmp/rt-prompt.wav "$2"; sox /tmp/rt-prompt.wav -r 8000 -c 1 -e u-law -t raw "$1.ul"; }
say welcome      "Welcome to Roundtable. Please enter the meeting number, followed by the pound key."
say password     "Please enter the meeting password, followed by the pound key."
say wrong        "That is not correct. Please try again."
say goodbye      "Sorry, that did not work. Goodbye."
say joining      "You are joining the meeting."
say lobby        "The meeting is locked. Please wait for the host to let you in."
say not-allowed  "You are not permitted to do that."
say muted        "You are muted."
say unmuted      "You are unmuted."
say recording-started "This meeting is now being recorded."
say recording-stopped "Recording has stopped."
rm -f /tmp/rt-prompt.wav
ls -l
