/**
 * The sandbox's license-type catalog and network rules (interserver-soap.md §5, §8). Rows are the
 * ones §8 lists: the current selection plus the 2021 cPanel ids (5000-5014), which the buy rules
 * of §5 still name. Costs are USD per month.
 */
export interface LicenseTypeRow {
  services_id: number;
  services_name: string;
  services_cost: number;
  /** `services_field2`: the type may only be ordered for IPs of this network (§5 IP-block rule). */
  ipBlock?: string;
}

/** The network the sandbox treats as "inside InterServer" (see INTERNAL_NETWORK). */
const INSIDE = 'InterServer';

const ROWS: LicenseTypeRow[] = [
  // 2021 list (S2): the old cPanel ids and their prices.
  { services_id: 5000, services_name: 'INTERSERVER-EXTERNAL', services_cost: 34.95 },
  { services_id: 5001, services_name: 'INTERSERVER-EXTERNAL-VPS', services_cost: 15.95 },
  { services_id: 5002, services_name: 'INTERSERVER-EXTERNAL-VZZO', services_cost: 15.95 },
  { services_id: 5005, services_name: 'INTERSERVER-ENKOMP-EXTERNAL-A500', services_cost: 55 },
  { services_id: 5008, services_name: 'INTERSERVER-INTERNAL', services_cost: 25, ipBlock: INSIDE },
  { services_id: 5009, services_name: 'INTERSERVER-INTERNAL-VZZO', services_cost: 15, ipBlock: INSIDE },
  { services_id: 5014, services_name: 'INTERSERVER-INTERNAL-VPS', services_cost: 15, ipBlock: INSIDE },
  { services_id: 5033, services_name: 'CloudLinux Type2 License', services_cost: 11.95 },
  // Current list (S1 2023/2024), the rows §8 selects.
  { services_id: 5006, services_name: 'Softaculous', services_cost: 3 },
  { services_id: 5007, services_name: 'Softaculous VPS', services_cost: 2 },
  { services_id: 10613, services_name: 'Webuzo', services_cost: 0 },
  { services_id: 11008, services_name: 'Softaculous Remote', services_cost: 0 },
  { services_id: 5032, services_name: 'CloudLinux OS Shared', services_cost: 12 },
  { services_id: 5034, services_name: 'KernelCare License', services_cost: 2.95 },
  { services_id: 5025, services_name: 'LiteSpeed WebServer VPS License', services_cost: 13.95 },
  { services_id: 5027, services_name: 'LiteSpeed WebServer 1-CPU License', services_cost: 30 },
  { services_id: 5031, services_name: 'LiteSpeed Load Balancer', services_cost: 65 },
  { services_id: 10952, services_name: 'LiteSpeed Site Owner', services_cost: 9 },
  { services_id: 10966, services_name: 'LiteSpeed Web Host Lite', services_cost: 23.5 },
  { services_id: 10994, services_name: 'LiteSpeed Web Host Elite', services_cost: 83 },
  {
    services_id: 5019,
    services_name: 'Parallels Plesk v10+/v11+ Unlimited Domains (Inside DataCenter)',
    services_cost: 40,
    ipBlock: INSIDE,
  },
  { services_id: 5053, services_name: 'Plesk v12 Web Admin Edition for Virtual Machines', services_cost: 14 },
  { services_id: 5060, services_name: 'Plesk v12 Web Host Edition for Dedicated Servers', services_cost: 52 },
  { services_id: 5069, services_name: 'DirectAdmin for CentOS 7 64-bit', services_cost: 8 },
  { services_id: 10702, services_name: 'DirectAdmin for CentOS 7 64-bit VPS', services_cost: 8 },
  { services_id: 10744, services_name: 'DirectAdmin for CentOS 7 64-bit Server', services_cost: 15 },
  { services_id: 10889, services_name: 'Free DirectAdmin for CentOS 7 64-bit VPS', services_cost: 0 },
  { services_id: 11482, services_name: 'DirectAdmin Standard', services_cost: 21.75 },
  { services_id: 11468, services_name: 'DirectAdmin Personal PLUS', services_cost: 3.75 },
  { services_id: 11475, services_name: 'DirectAdmin Lite', services_cost: 11.25 },
  { services_id: 10677, services_name: 'ImunifyAV+', services_cost: 6 },
  { services_id: 10681, services_name: 'Imunify360 unlimited users', services_cost: 20 },
  { services_id: 10682, services_name: 'cPanel Autoscale (Internal)', services_cost: 52, ipBlock: INSIDE },
  { services_id: 10683, services_name: 'cPanel Autoscale (External)', services_cost: 39.6 },
  { services_id: 10769, services_name: 'cPanel Autoscale Cloud (Internal)', services_cost: 23, ipBlock: INSIDE },
  { services_id: 10770, services_name: 'cPanel Autoscale Cloud (External)', services_cost: 17.6 },
];

/** Catalog rows by id, in id order (the order api_get_license_types answers in). */
export const LICENSE_TYPES: ReadonlyMap<number, LicenseTypeRow> = new Map(
  [...ROWS].sort((a, b) => a.services_id - b.services_id).map((r) => [r.services_id, r]),
);

/** The cPanel category: its duplicate check looks at every cPanel license on the IP (§5). */
export const CPANEL_TYPES: ReadonlySet<number> = new Set([5000, 5001, 5002, 5005, 5008, 5009, 5014, 10682, 10683, 10769, 10770]);

/** External cPanel types that must be ordered as their internal type for an IP inside the network (§5). */
export const EXTERNAL_TO_INTERNAL_CPANEL: ReadonlyMap<number, number> = new Map([
  [5000, 5008],
  [5001, 5014],
  [5002, 5009],
  [10683, 10682],
]);

/**
 * "InterServer's network" for the sandbox: 198.51.100.0/24 (TEST-NET-2, RFC 5737). A documentation
 * range is never routed, so tests can use "inside" addresses without them meaning anything on a
 * real network or colliding with loopback. The real ranges are not public.
 */
export const INTERNAL_NETWORK = { owner: INSIDE, prefix: '198.51.100.' } as const;

/** IPv4 dotted quad, octets 0-255 without leading zeros (PHP validIp($ip, false) without IPv6, §5). */
export function isValidIp(ip: string): boolean {
  const parts = ip.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** True when `ip` belongs to the network named `owner` (only the sandbox's one internal network). */
export function isInNetwork(ip: string, owner: string): boolean {
  return owner === INTERNAL_NETWORK.owner && isValidIp(ip) && ip.startsWith(INTERNAL_NETWORK.prefix);
}
