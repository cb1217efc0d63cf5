// The HardwareId of a SIP Gateway bulk sign-in: a phone's MAC in any form the device registry
// accepts (stored as 1A-2B-3C-D4-E5-F6), or an ATA's analog port: the MAC, a colon and three
// digits from 001 (1A-2B-3C-D4-E5-F6:001). Catching a bad one here spares the gateway's
// "Input hardware-ID is of wrong format".
import { parseMac } from '../devices/mac-address.ts';

export type HardwareIdParseResult = { ok: true; hardwareId: string } | { ok: false; reason: string };

const PORT = /^(.+):(\d+)$/;

export function parseHardwareId(raw: string): HardwareIdParseResult {
  const text = raw.trim();
  const mac = parseMac(text);
  if (mac.ok) return { ok: true, hardwareId: mac.mac };
  // A port follows the last colon; a colon-separated MAC ends in two hex digits, so "…:F6" is no port.
  const port = PORT.exec(text);
  if (port && (port[2] ?? '').length >= 3) {
    const [, macPart = '', digits = ''] = port;
    const portMac = parseMac(macPart);
    if (!portMac.ok) return { ok: false, reason: `the MAC before the port ${portMac.reason}` };
    if (digits.length !== 3) return { ok: false, reason: `the ATA port "${digits}" has ${digits.length} digits; write it with 3, e.g. ${portMac.mac}:001` };
    if (digits === '000') return { ok: false, reason: `ATA ports count from 001; write ${portMac.mac}:001 for the first analog port` };
    return { ok: true, hardwareId: `${portMac.mac}:${digits}` };
  }
  return { ok: false, reason: `${mac.reason} (an ATA port is written MAC:001)` };
}
