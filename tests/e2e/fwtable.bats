#!/usr/bin/env bats
# The nftables table's life: made with the first network that needs it,
# gone with the last.  A file of its own: the default bridge, once used,
# keeps the table for good (as docker0 keeps Docker's chains).

load helpers

table() { nft list table inet cnm >/dev/null 2>&1; }

@test "the last network gone takes the table with it; the next one brings it back" {
	! table
	cnm network create --subnet 10.77.0.0/24 n1 >/dev/null
	cnm network create --subnet 10.78.0.0/24 n2 >/dev/null
	table
	cnm run -d --name t1 --network n1 -p 8080:80 -- sleep 3600 >/dev/null
	cnm rm -f t1 >/dev/null
	cnm network rm n1 >/dev/null
	table # n2 is still there
	nft list set inet cnm bridges | grep -q 'network n2'
	cnm network rm n2 >/dev/null
	! table
	cnm network create --subnet 10.79.0.0/24 n3 >/dev/null
	table
	[ "$(nft list set inet cnm bridges | grep -c 'network n3')" = 1 ]
	cnm network rm n3 >/dev/null
	! table
}
