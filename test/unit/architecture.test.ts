// The house rules (/work/shared/ARCHITECTURE.md) as a test: doors (bot/) → services/ → prisma/,
// botbuilder only in bot/teams/, platform-neutral views, no cycles, no `process.env` in the
// domain or the store. The import rules live in .dependency-cruiser.cjs and run here through
// dependency-cruiser's API; `process.env` is a property access, which an import graph cannot
// see, so that rule walks the TypeScript AST. Each failure lists every violation as
// `from → to (rule)`.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type IConfiguration, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs')) as IConfiguration;
const rules = (config.forbidden ?? []).map((rule) => rule.name ?? '(unnamed)');

/** The product's source folders; tests and benchmarks may import anything. */
const cruised = ['bot', 'services', 'cards', 'prisma'];

/** The explicit CLI scripts of prisma/, the only modules of services/ and prisma/ that read the environment. */
const processEnvAllowed = new Set(['prisma/generate.ts', 'prisma/new-migration.ts']);

function describeViolation(violation: IViolation): string {
  const cycle = violation.cycle?.map((step) => step.name) ?? [];
  const via = cycle.length > 0 ? `; cycle ${[violation.from, ...cycle].join(' → ')}` : '';
  return `${violation.from} → ${violation.to} (${violation.rule.name}${via})`;
}

function failureMessage(rule: string, lines: readonly string[]): string {
  return `${lines.length} violation(s) of ${rule}:\n  ${lines.join('\n  ')}\n`;
}

describe('architecture: import rules (.dependency-cruiser.cjs)', () => {
  let result: ICruiseResult;

  beforeAll(async () => {
    const tsConfigFile = path.join(root, 'tsconfig.json');
    const tsConfig = extractTSConfig(tsConfigFile);
    // baseDir: paths are resolved and reported relative to the project, whatever the working directory.
    const options = { ...config.options, baseDir: root, tsConfig: { fileName: tsConfigFile }, ruleSet: { forbidden: config.forbidden ?? [] }, validate: true };
    const output = await cruise(cruised, options, {}, { tsConfig });
    result = typeof output.output === 'string' ? (JSON.parse(output.output) as ICruiseResult) : output.output;
  });

  it('cruises the whole product and resolves its imports (so the rules cannot pass by seeing nothing)', () => {
    const modules = result.modules.map((module) => module.source);
    for (const folder of cruised) expect(modules.some((source) => source.startsWith(`${folder}/`)), `no module of ${folder}/ was cruised`).toBe(true);
    const edges = result.modules.flatMap((module) => module.dependencies.map((dependency) => `${module.source} → ${dependency.resolved}`));
    // Known edges of each kind the rules look at: a package, the store, a card module.
    expect(edges.some((edge) => /^bot\/teams\/\S+ → node_modules\/botbuilder\//.test(edge)), 'botbuilder imports from bot/teams/ were not resolved').toBe(true);
    expect(edges.some((edge) => /^bot\/slack\/\S+ → node_modules\/@slack\/bolt\//.test(edge)), '@slack/bolt imports from bot/slack/ were not resolved').toBe(true);
    expect(edges.some((edge) => /^services\/\S+ → prisma\/store\.ts$/.test(edge)), 'services → prisma/store.ts imports were not resolved').toBe(true);
    expect(edges.some((edge) => /^bot\/\S+ → cards\/\S+\.ts$/.test(edge)), 'bot → cards/ imports were not resolved').toBe(true);
  });

  it.each(rules)('rule %s holds', (rule) => {
    const lines = result.summary.violations.filter((violation) => violation.rule.name === rule).map(describeViolation);
    expect(lines, failureMessage(rule, lines)).toEqual([]);
  });
});

/** One use of the environment: `process.env`, `process['env']`, `const { env } = process`, `import { env } from 'node:process'`. */
export interface EnvironmentUse {
  line: number;
  column: number;
  text: string;
}

function isProcess(node: ts.Expression): boolean {
  const inner = ts.isParenthesizedExpression(node) ? node.expression : node;
  if (ts.isIdentifier(inner)) return inner.text === 'process';
  // globalThis.process / global.process
  return ts.isPropertyAccessExpression(inner) && inner.name.text === 'process' && ts.isIdentifier(inner.expression) && ['globalThis', 'global'].includes(inner.expression.text);
}

/** Every read of the process environment in one module's source, found on its syntax tree (comments and strings do not count). */
export function environmentUses(fileName: string, source: string): EnvironmentUse[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const uses: EnvironmentUse[] = [];
  const record = (node: ts.Node) => {
    const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
    uses.push({ line: line + 1, column: character + 1, text: node.getText(file) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'env' && isProcess(node.expression)) record(node);
    else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text === 'env' && isProcess(node.expression)) record(node);
    else if (ts.isVariableDeclaration(node) && node.initializer && isProcess(node.initializer) && ts.isObjectBindingPattern(node.name)) {
      for (const element of node.name.elements) if (((element.propertyName ?? element.name) as ts.Node).getText(file) === 'env') record(element);
    } else if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && ['process', 'node:process'].includes(node.moduleSpecifier.text)) {
      const bindings = node.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) if ((element.propertyName ?? element.name).text === 'env') record(element);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return uses;
}

function typeScriptModulesUnder(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
    .map((entry) => `${folder}/${entry.split(path.sep).join('/')}`)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .sort();
}

describe('architecture: no process.env in services/ and prisma/ (TypeScript AST)', () => {
  it('finds process.env in code, and only in code', () => {
    const found = (source: string) => environmentUses('example.ts', source).map((use) => use.text);
    expect(found('const url = process.env.DATABASE_URL;')).toEqual(['process.env']);
    expect(found("const url = process['env']['DATABASE_URL'];")).toEqual(["process['env']"]);
    expect(found('const url = globalThis.process.env.X;')).toEqual(['globalThis.process.env']);
    expect(found('const { env } = process;')).toEqual(['env']);
    expect(found("import { env as environment } from 'node:process';")).toEqual(['env as environment']);
    // What a grep would flag and the AST does not: comments, strings, other objects' `env`.
    expect(found('// reads process.env at boot\nconst help = "set process.env.X";\nconst x = config.env;\nprocess.exitCode = 1;')).toEqual([]);
  });

  it('services/ and prisma/ runtime modules never read process.env (only the CLI scripts prisma/generate.ts and prisma/new-migration.ts may)', () => {
    const modules = [...typeScriptModulesUnder('services'), ...typeScriptModulesUnder('prisma')].filter((file) => !processEnvAllowed.has(file));
    expect(modules.length).toBeGreaterThan(20);
    const lines = modules.flatMap((file) =>
      environmentUses(file, readFileSync(path.join(root, file), 'utf8')).map((use) => `${file}:${use.line}:${use.column} → ${use.text} (no-process-env)`),
    );
    expect(lines, failureMessage('no-process-env', lines)).toEqual([]);
  });

  it('the allowed CLI scripts exist (an exemption for a file that is gone is a stale rule)', () => {
    for (const file of processEnvAllowed) expect(environmentUses(file, readFileSync(path.join(root, file), 'utf8')).length, file).toBeGreaterThan(0);
  });
});
