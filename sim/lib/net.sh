# shellcheck shell=bash
# net.sh - the lab's namespaces, bridges, veths and the nftables table that
# carries injected network faults. Topology: docs/lab.md.

# Creates every namespace, bridge and link. The head nodes' interfaces are
# left down: they come up when the node is powered on (sim/node-host).
net_create() {
	local ns lan s node

	for ns in "${NAMESPACES[@]}"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done

	for lan in "${LANS[@]}"; do
		s=${LAN_SHORT[$lan]}
		# No STP, no forward delay: a port forwards as soon as it is up.
		ip -n hg-sw link add "br-$s" type bridge stp_state 0 forward_delay 0 \
			mcast_snooping 0
		ip -n hg-sw link set "br-$s" up
		for node in "${NODES[@]}"; do
			ip -n hg-sw link add "$node-$s" type veth peer name "${LAN_IF[$lan]}" \
				netns "hg-$node"
			ip -n hg-sw link set "$node-$s" master "br-$s" up
			ip -n "hg-$node" addr add "${LAN_NET[$lan]}.${NODE_OCTET[$node]}/24" \
				dev "${LAN_IF[$lan]}"
		done
	done

	# The operator's seat: hg-sw talks IPMI to the BMCs from 203.0.113.1.
	ip -n hg-sw addr add "$OPERATOR_ADDR/24" dev br-mgmt

	for node in "${NODES[@]}"; do
		ip -n hg-sw link add "bmc$node" type veth peer name mgmt0 netns "hg-bmc-$node"
		ip -n hg-sw link set "bmc$node" master br-mgmt up
		ip -n "hg-bmc-$node" addr add "${BMC_ADDR[$node]}/24" dev mgmt0
		ip -n "hg-bmc-$node" link set mgmt0 up
		# The in-band link: the BMC's end is always up (the BMC has
		# standby power), the host's end follows the node's power.
		ip -n "hg-$node" link add "$HIF_IF" type veth peer name "$HIF_IF" netns "hg-bmc-$node"
		ip -n "hg-$node" addr add "$HIF_HOST_ADDR/$HIF_PREFIX" dev "$HIF_IF"
		ip -n "hg-bmc-$node" addr add "$HIF_BMC_ADDR/$HIF_PREFIX" dev "$HIF_IF"
		ip -n "hg-bmc-$node" link set "$HIF_IF" up
	done

	ip -n hg-sw link add client type veth peer name eth0 netns hg-client
	ip -n hg-sw link set client master br-pub up
	ip -n hg-client addr add "$CLIENT_ADDR/24" dev eth0
	ip -n hg-client addr add "$GATEWAY/24" dev eth0
	ip -n hg-client link set eth0 up

	nft_create
}

# Static ("boot") addresses of node $1, as after a power cycle: the VIP and
# anything else the agent added are gone, interfaces down.
net_node_reset() {
	local node=$1 lan ifc
	# One `ip` process per step: this is the power cut, it must be quick.
	net_node_links "$node" down
	{
		for lan in "${LANS[@]}"; do
			ifc=${LAN_IF[$lan]}
			echo "addr flush dev $ifc"
			echo "addr add ${LAN_NET[$lan]}.${NODE_OCTET[$node]}/24 dev $ifc"
		done
		echo "addr flush dev $HIF_IF"
		echo "addr add $HIF_HOST_ADDR/$HIF_PREFIX dev $HIF_IF"
	} | ip -n "hg-$node" -force -batch - 2>/dev/null || true
}

# The node's LAN interfaces and its in-band link to its BMC, in one `ip`.
net_node_links() {	# NODE up|down
	local lan
	{
		for lan in "${LANS[@]}"; do
			echo "link set ${LAN_IF[$lan]} $2"
		done
		echo "link set $HIF_IF $2"
	} | ip -n "hg-$1" -force -batch - 2>/dev/null || true
}

# Deleting a namespace deletes its veth ends, bridges and nft tables.
net_delete() {
	local ns
	for ns in "${NAMESPACES[@]}"; do
		if ns_exists "$ns"; then
			ip netns delete "$ns" 2>/dev/null || true
		fi
	done
}

# Faults live in one chain, "faults", reached from every bridge hook of
# hg-sw: flushing it undoes every loss and partition at once.
nft_create() {
	ip netns exec hg-sw nft -f - <<-EOF
		table bridge $NFT_TABLE {
			chain faults {
			}
			chain forward {
				type filter hook forward priority 0; policy accept;
				jump faults
			}
			chain input {
				type filter hook input priority 0; policy accept;
				jump faults
			}
			chain output {
				type filter hook output priority 0; policy accept;
				jump faults
			}
		}
	EOF
}

# Delete the fault rules tagged with comment $1 (re-injecting replaces).
nft_del_tagged() {
	local h
	for h in $(ip netns exec hg-sw nft -a list chain bridge "$NFT_TABLE" faults 2>/dev/null |
		sed -n "/comment \"$1\"/s/.*# handle \([0-9]\+\)\$/\1/p"); do
		ip netns exec hg-sw nft delete rule bridge "$NFT_TABLE" faults handle "$h"
	done
}

# Drop PERCENT % of the frames entering and leaving node's port on LAN.
nft_loss() {	# NODE PERCENT LAN
	local port=$1-${LAN_SHORT[$3]} tag="loss $1 $3"
	nft_del_tagged "$tag"
	[ "$2" -gt 0 ] || return 0
	# numgen's `mod 100` yields 0..99, and nft refuses `< 100`: 100 % is a plain drop.
	local match="numgen random mod 100 < $2"
	[ "$2" -lt 100 ] || match=
	ip netns exec hg-sw nft -f - <<-EOF
		add rule bridge $NFT_TABLE faults iifname "$port" $match drop comment "$tag"
		add rule bridge $NFT_TABLE faults oifname "$port" $match drop comment "$tag"
	EOF
}

# Drop every frame between a's and b's ports on LAN; BMCs, the client and
# the operator keep talking to both nodes.
nft_partition() {	# LAN
	local s=${LAN_SHORT[$1]} tag="partition $1"
	nft_del_tagged "$tag"
	ip netns exec hg-sw nft -f - <<-EOF
		add rule bridge $NFT_TABLE faults iifname "a-$s" oifname "b-$s" drop comment "$tag"
		add rule bridge $NFT_TABLE faults iifname "b-$s" oifname "a-$s" drop comment "$tag"
	EOF
}

nft_heal() {
	ns_exists hg-sw || return 0
	ip netns exec hg-sw nft flush chain bridge "$NFT_TABLE" faults 2>/dev/null || true
}

# Fault rules currently installed, one comment per line ("loss a public").
nft_faults() {
	ns_exists hg-sw || return 0
	ip netns exec hg-sw nft list chain bridge "$NFT_TABLE" faults 2>/dev/null |
		sed -n 's/.*comment "\([^"]*\)".*/\1/p' | sort -u
}
