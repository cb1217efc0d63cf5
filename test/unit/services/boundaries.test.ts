// Data flows one way (ARCHITECTURE.md): services never import the chat layer, the cards, a
// platform SDK or process.env. And the outbox delivery engine sees only its ports: no store.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function sourcesUnder(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(dir, file));
}

function importsOf(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1]!);
}

/** An import as a path from the project root (a package name stays as it is). */
function resolved(file: string, specifier: string): string {
  return specifier.startsWith('.') ? path.relative(root, path.resolve(path.dirname(path.join(root, file)), specifier)) : specifier;
}

describe('the services layer', () => {
  const files = sourcesUnder('services');

  it('imports nothing from bot/, cards/ or a chat platform SDK', () => {
    const offending = files.flatMap((file) =>
      importsOf(file)
        .map((specifier) => resolved(file, specifier))
        .filter((target) => /^(bot|cards)\//.test(target) || /^(botbuilder|@slack\/|restify)/.test(target))
        .map((target) => `${file} → ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('does not read process.env', () => {
    expect(files.filter((file) => /\bprocess\.env\b/.test(readFileSync(path.join(root, file), 'utf8')))).toEqual([]);
  });

  it('the outbox delivery engine and its ports import no store', () => {
    for (const file of ['services/notifications/outbox-delivery.ts', 'services/notifications/delivery-ports.ts']) {
      expect(importsOf(file).map((specifier) => resolved(file, specifier)).filter((target) => target.startsWith('prisma/') || target.startsWith('@prisma/'))).toEqual([]);
    }
  });
});
