#!/bin/bash
# tests/review9b_apachebasic.sh: contrib/apache/gatekeep-authnz.conf drops a Basic pair
# gatekeep checked from the app's hop for every user gatekeep names, also one whose name is
# Apache's DefaultUser ("anonymous", which gatekeep-passwd accepts): telling them apart by
# %{REMOTE_USER} passed that user's gatekeep password to the app. An app's own Basic pair
# on a bypassed path (gatekeep names nobody) still reaches it.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_world
"$GK_PASSWD" -b "$GK/users.db" anonymous anon-pw >>"$LOG/passwd.out" 2>&1 || bail "cannot add the user anonymous"
gk_make_readable_by nobody nogroup
gk_start_authz tcp
gk_start_apache authnz

req -u anonymous:anon-pw "$BASE/private/"
is "$CODE/$(appvar REMOTE_USER)" 200/anonymous "apache-authnz: the gatekeep user anonymous signs in with Basic"
is "$(appvar HTTP_AUTHORIZATION)" "" "apache-authnz: ... and the app does not get that user's Basic pair"
req -u alice:alice-pw "$BASE/private/"
is "$CODE/$(appvar HTTP_AUTHORIZATION)" 200/ "apache-authnz: nor alice's"
req -H 'Authorization: Basic YXBwOmFwcC1wdw==' "$BASE/public/x"
is "$CODE/$(appvar REMOTE_USER)/$(appvar HTTP_AUTHORIZATION)" "200/anonymous/Basic YXBwOmFwcC1wdw==" \
    "apache-authnz: an app's own Basic pair on a bypassed path (the DefaultUser) reaches it"
done_testing
