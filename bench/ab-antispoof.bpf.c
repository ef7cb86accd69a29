// SPDX-License-Identifier: MIT
/*
 * ab-antispoof.bpf.c - a prototype, for bench/ab-dataplane's `bpf` variant
 * only: anti-spoofing as a BPF program at a container veth's tc ingress
 * (direct action), the container's MAC and IPv4 address compiled in
 * (-DMAC0..MAC5, -DIPADDR as the address's bytes read as a little-endian
 * u32).  Not part of cnm: it measures what the check would cost outside
 * nftables (docs/decisions.md).  IPv6, ARP and the other drops of
 * `bridge cnm` are left out; the hot path is what is measured.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>

#define SEC(n) __attribute__((section(n), used))

SEC("classifier") int as(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return TC_ACT_SHOT;
	if (eth->h_source[0] != MAC0 || eth->h_source[1] != MAC1 || eth->h_source[2] != MAC2 ||
	    eth->h_source[3] != MAC3 || eth->h_source[4] != MAC4 || eth->h_source[5] != MAC5)
		return TC_ACT_SHOT;
	if (eth->h_proto == __builtin_bswap16(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->saddr != IPADDR)
			return TC_ACT_SHOT;
	}
	return TC_ACT_OK;
}

char _license[] SEC("license") = "MIT";
