// Is a device's firmware recent enough for remote provisioning? Read from the catalog's
// minimum table alone (no store), so the provisioning path and any other caller (e.g. the
// auto sign-in on provision) can ask it synchronously inside their own transaction.
import { matchModel, minimumOf, shippedCatalog, type Catalog, type ModelMatch } from './catalog.ts';
import { compareVersions } from './versions.ts';

export interface ReportedDevice {
  manufacturer?: string | null;
  model?: string | null;
  firmwareVersion?: string | null;
}

export interface FirmwareReadiness {
  /** ok: at or above the minimum; below_minimum: remote provisioning may fail; unknown: model, minimum or version unknown. */
  state: 'ok' | 'below_minimum' | 'unknown';
  /** The family's minimum firmware for remote provisioning, when the model is known. */
  minimum?: string;
  /** The catalog's family name ("Yealink T55/T56/T58"), when the model is known. */
  family?: string;
  familyId?: string;
  /** Why, in a sentence fragment ("firmware 58.15.0.100 is below the minimum 58.15.0.124 for Yealink T55/T56/T58"). */
  reason: string;
}

/** The firmware readiness of a device for remote provisioning, from what it reported. */
export function firmwareReadiness(device: ReportedDevice, catalog: Catalog = shippedCatalog): FirmwareReadiness {
  return readinessOfMatch(matchModel(catalog, device.manufacturer, device.model), device.firmwareVersion, catalog);
}

/**
 * The readiness of a version on a model already matched: a fleet has a few models in many
 * versions, so fleetReadiness matches each model once and asks this for each version.
 */
export function readinessOfMatch(match: ModelMatch, firmwareVersion: string | null | undefined, catalog: Catalog): FirmwareReadiness {
  if (!match.known) return { state: 'unknown', reason: match.why };
  const family = match.family;
  const minimum = minimumOf(catalog, family.id, 'firmware');
  if (!minimum) return { state: 'unknown', family: family.name, familyId: family.id, reason: `the catalog has no minimum firmware for ${family.name}` };
  const known = { minimum: minimum.version, family: family.name, familyId: family.id };
  const version = firmwareVersion?.trim() ?? '';
  if (version === '') return { state: 'unknown', ...known, reason: `the device reported no firmware version (the minimum for ${family.name} is ${minimum.version})` };
  const order = compareVersions(version, minimum.version);
  if (order === null) return { state: 'unknown', ...known, reason: `firmware "${version}" is not a version that can be compared (the minimum for ${family.name} is ${minimum.version})` };
  if (order < 0) return { state: 'below_minimum', ...known, reason: `firmware ${version} is below the minimum ${minimum.version} for ${family.name}` };
  return { state: 'ok', ...known, reason: `firmware ${version} meets the minimum ${minimum.version} for ${family.name}` };
}
