import { BlockList, isIP } from 'node:net';

/** Validates an IP or CIDR; returns an error message or null. */
export function cidrError(entry: string): string | null {
  const [addr, bits, extra] = entry.split('/');
  if (extra !== undefined || !addr) return `"${entry}" is not an IP or CIDR`;
  const family = isIP(addr);
  if (!family) return `"${entry}" is not an IP or CIDR`;
  if (bits !== undefined) {
    const n = Number(bits);
    if (!/^\d+$/.test(bits) || n > (family === 4 ? 32 : 128)) return `"${entry}" has an invalid prefix length`;
  }
  return null;
}

export function buildBlockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    const [addr, bits] = e.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

/** An empty allow-list allows every address. IPv4-mapped IPv6 (::ffff:1.2.3.4) is checked as IPv4. */
export function ipAllowed(entries: readonly string[], ip: string): boolean {
  if (!entries.length) return true;
  const clean = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(clean);
  if (!family) return false;
  return buildBlockList(entries).check(clean, family === 6 ? 'ipv6' : 'ipv4');
}
