#!/bin/bash
# dupc5_passwd_cli.sh: gatekeep-passwd reads its --token-* and --zero-hop-key commands with its
# one option table: an operand that looks like one of their options is an operand, --name means the token's name
# with --token-add and the display name elsewhere, and the options of other commands are refused.
. "$top_srcdir/tests/lib.sh"

gk_passwd_world

run "$P" -b -c users.db alice --token-x
is "$rc" 0 "a password spelled like a --token-* option is stored (it is an operand)"
run "$P" -v -b users.db alice --token-x
is "$rc" 0 "... and verifies"
run "$P" --name "Alice A" users.db alice
is "$rc" 0 "--name without a token command sets the display name"
run "$P" --show alice users.db
like "$out" 'name: Alice A' "... which --show prints"
run "$P" --name t1 --token-add alice --expires 3d users.db
is "$rc" 0 "--name before --token-add names the token"
run "$P" --token-list alice users.db
like "$out" '^t1	' "... which --token-list lists"
run "$P" --show alice users.db
like "$out" 'name: Alice A' "... and the display name is unchanged"
run "$P" --token-list alice --name x users.db
is "$rc" 2 "--name with --token-list: exit 2"
like "$err" '--name cannot be used with --token-list' "... said so"
run "$P" --token-revoke alice --scope path=/ t1 users.db
is "$rc" 2 "--scope with --token-revoke: exit 2"
like "$err" 'only for --token-add' "... said so"
run "$P" --token-add alice -c users.db
like "$err" '-c cannot be used with --token-add' "-c with --token-add is refused"
run "$P" --token-add alice --token-list alice users.db
like "$err" '--token-add and --token-list cannot be combined' "two token commands are refused"
run "$P" --token-add alice --help
like "$out" '--token-revoke=USER NAME' "--help with a token command lists the token commands"

# --zero-hop-key is read the same way (it had a parser of its own, chosen by scanning argv)
run "$P" -b users.db bob --zero-hop-key=x
is "$rc" 0 "a password spelled like --zero-hop-key is stored (it is an operand)"
[ ! -e x ]; is "$?" 0 "... and no key file is written"
run "$P" -v -b users.db bob --zero-hop-key=x
is "$rc" 0 "... and verifies"
"$P" --rotate-secret users.db >/dev/null 2>&1 || "$P" --init users.db >/dev/null 2>&1
mkdir zh && "$P" --init zh/users.db 2>/dev/null || bail "--init"       # the secret beside it
run "$P" --zero-hop-key="$PWD/zh.conf" --nginx-module zh/users.db
is "$rc" 0 "--zero-hop-key --nginx-module writes the module's key include"
like "$(cat zh.conf 2>/dev/null)" '^gatekeep_ticket_key [0-9a-f]{64};$' "... the module's directive"
run "$P" --nginx-module -b users.db bob pw
is "$rc" 2 "--nginx-module without --zero-hop-key: exit 2"
like "$err" 'only for --zero-hop-key' "... said so"
run "$P" --zero-hop-key="$PWD/zh.conf" --token-list alice users.db
like "$err" 'cannot be combined' "--zero-hop-key with a token command is refused"
done_testing
