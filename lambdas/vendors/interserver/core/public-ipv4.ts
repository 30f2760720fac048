/**
 * Which IPv4 addresses can hold a vendor license: a license is bound to a server's public address,
 * so addresses that are never routed on the internet are refused before any vendor call or mail.
 *
 * Deliberate exception: the documentation ranges (RFC 5737: 192.0.2.0/24 "TEST-NET-1",
 * 198.51.100.0/24 "TEST-NET-2", 203.0.113.0/24 "TEST-NET-3") are not routable either, but they are
 * ACCEPTED, so that sandbox runs, demos and the test suite can use addresses that can never belong
 * to a real customer server. A real InterServer account refuses them at the vendor.
 */

/** [network, prefix length, why it is refused]. */
const NON_PUBLIC: ReadonlyArray<readonly [string, number, string]> = [
  ['0.0.0.0', 8, '"this network" (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'private (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'carrier-grade NAT (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'loopback (127.0.0.0/8)'],
  ['169.254.0.0', 16, 'link-local (169.254.0.0/16)'],
  ['172.16.0.0', 12, 'private (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'IETF protocol assignments (192.0.0.0/24)'],
  ['192.168.0.0', 16, 'private (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'benchmarking (198.18.0.0/15)'],
  ['224.0.0.0', 4, 'multicast (224.0.0.0/4)'],
  ['240.0.0.0', 4, 'reserved (240.0.0.0/4, including the broadcast address 255.255.255.255)'],
];

function toInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function inRange(ip: number, network: string, prefix: number): boolean {
  const size = 2 ** (32 - prefix);
  const start = toInt(network)!;
  return ip >= start && ip < start + size;
}

/** Why `ip` (dotted quad) cannot hold a license, or undefined for a public (or documentation) address. */
export function nonPublicIpv4Reason(ip: string): string | undefined {
  const n = toInt(ip);
  if (n === undefined) return 'not a dotted-quad IPv4 address';
  const hit = NON_PUBLIC.find(([net, prefix]) => inRange(n, net, prefix));
  return hit ? `${ip} is a ${hit[2]} address, not a public one` : undefined;
}
