// Names the agent gives to what it makes. Linux interface names have at most 15 characters, so
// per-ENI and per-network names are short hashes of the ids; namespaces are named by id.
import { createHash } from 'node:crypto';

const short = (text: string) => createHash('sha1').update(text).digest('hex').slice(0, 12);

/** the namespace of a network (a VPC id, or `classic-{region}`), or of a CEN (its id) */
export const networkNamespace = (prefix: string, network: string) => `${prefix}${network}`;
export const internetNamespace = (prefix: string) => `${prefix}internet`;
/** an ENI's end of its veth, on the network's bridge */
export const portName = (eniId: string) => `p${short(eniId)}`;
/** the network's end of its link to the internet namespace is `inet0`; this is the internet's end */
export const uplinkName = (network: string) => `x${short(network)}`;
/** a VPC's link in the namespace of its CEN (cen-links.ts) */
export const cenLinkName = (vpcId: string) => `c${short(vpcId)}`;
/** the ENI's name in nftables chains, maps and sets */
export const eniTag = (eniId: string) => `e${short(eniId)}`;

export const BRIDGE = 'br0';
export const INTERNET_IF = 'inet0';
/** the two ends of every network-to-internet link (the same pair on every link: neighbours are per device) */
export const TRANSIT_NETWORK = '169.254.0.1';
export const TRANSIT_INTERNET = '169.254.0.2';
/** the same for IPv6: static link-local addresses on the two ends (no global address on the link) */
export const TRANSIT6_NETWORK = 'fe80::1';
export const TRANSIT6_INTERNET = 'fe80::2';
export const METADATA_ADDRESS = '100.100.100.200';
export const API_ADDRESS = '100.100.100.100';
