// What a simulated phone remembers between commands: its device token, as a real phone keeps
// it in flash until a factory reset. One JSON file per MAC, readable by the owner only
// (the token is a credential).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const defaultStateDir = path.join('data', 'simulator');

export interface SavedDevice {
  mac: string;
  server: string;
  deviceId: string;
  deviceToken: string;
  tenantName: string;
  provisionedAt: string;
}

/**
 * A file name for a MAC however it was typed: `00:04:f2:81:24:b3`, `0004.F281.24B3` and
 * `00-04-F2-81-24-B3` all name the same device. Not a validation (the service does that),
 * so anything that is not 12 hex digits is only made safe for a file name.
 */
export function macFileName(mac: string): string {
  const hex = mac.trim().replace(/[-:.]/g, '').toUpperCase();
  const name = /^[0-9A-F]{12}$/.test(hex) ? hex.match(/../g)!.join('-') : mac.trim().replace(/[^A-Za-z0-9_-]/g, '_');
  return `${name || '_'}.json`;
}

export class DeviceMemory {
  constructor(readonly dir: string) {}

  fileFor(mac: string): string {
    return path.join(this.dir, macFileName(mac));
  }

  load(mac: string): SavedDevice | null {
    let text: string;
    try {
      text = readFileSync(this.fileFor(mac), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return JSON.parse(text) as SavedDevice;
  }

  save(device: SavedDevice): string {
    mkdirSync(this.dir, { recursive: true });
    const file = this.fileFor(device.mac);
    // Remove first: writeFileSync's mode applies only when it creates the file.
    rmSync(file, { force: true });
    writeFileSync(file, `${JSON.stringify(device, null, 2)}\n`, { mode: 0o600 });
    return file;
  }

  forget(mac: string): void {
    rmSync(this.fileFor(mac), { force: true });
  }
}
