// The house rules of /work/shared/ARCHITECTURE.md, checked by dependency-cruiser:
// doors (bot/) → services/ → prisma/, platform SDKs only in their adapter, views platform-neutral.
// test/unit/architecture.test.ts cruises bot/ services/ cards/ prisma/ with these rules (and adds
// the `process.env` check, which needs the TypeScript AST) and fails listing every violation.
// The same rules run from the command line:
//   npm run arch   (npx depcruise --config .dependency-cruiser.cjs bot services cards prisma)

/** npm packages that belong to the Bot Framework SDK (Teams): botbuilder, botbuilder-*, botframework-*. */
const botFrameworkSdk = '^node_modules/(botbuilder|botbuilder-[^/]+|botframework-[^/]+)/';
/** npm packages of Slack's SDK: @slack/bolt, @slack/web-api, @slack/types… */
const slackSdk = '^node_modules/@slack/';
/** Chat platforms and the HTTP server: the doors' business, never the domain's. */
const doorPackages = '^node_modules/(botbuilder|botbuilder-[^/]+|botframework-[^/]+|restify|restify-[^/]+|@slack/[^/]+)/';

/** Modules that build platform-neutral views: they must not know any card format or botbuilder. */
const neutralViewModules = ['^bot/(commands|actions|views)/', '^bot/notifications/plan[^/]*\\.ts$', '^bot/notifications/current-cards\\.ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'bot-framework-only-in-bot-teams',
      comment: 'botbuilder and botframework-* are imported only inside bot/teams/, so that moving off the archived SDK is one folder.',
      severity: 'error',
      from: { pathNot: '^bot/teams/' },
      to: { path: botFrameworkSdk },
    },
    {
      name: 'botbuilder-values-from-here',
      comment: "A value from botbuilder's index loads all of botbuilder, most of which the bot never runs (84 modules, about 30 ms of start-up): values come from bot/teams/botbuilder.ts, which requires each from its own file. Types from 'botbuilder' load nothing and are fine.",
      severity: 'error',
      from: { pathNot: '^bot/teams/botbuilder\\.ts$' },
      to: { path: '^node_modules/botbuilder/lib/index\\.', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'restify-values-from-here',
      comment: "A value from restify's index loads every restify plugin, most of which the bot never runs (183 modules, about 35 ms of start-up): the server and the body parser come from bot/restify-server.ts, which requires each from its own file. Types from 'restify' load nothing and are fine.",
      severity: 'error',
      from: {},
      to: { path: '^node_modules/restify/lib/index\\.', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'slack-sdk-only-in-bot-slack',
      comment: '@slack/* (Bolt, the Web API client, Block Kit types) is imported only inside bot/slack/, as botbuilder only in bot/teams/.',
      severity: 'error',
      from: { pathNot: '^bot/slack/' },
      to: { path: slackSdk },
    },
    {
      name: 'chat-adapters-apart',
      comment: 'The Teams and Slack adapters share the neutral core, never each other: either can be removed without touching the other.',
      severity: 'error',
      from: { path: '^bot/(teams|slack)/' },
      to: { path: '^bot/(teams|slack)/', pathNot: '^bot/$1/' },
    },
    {
      name: 'services-not-to-doors',
      comment: 'services/ is the domain: it imports nothing of bot/, cards/, botbuilder, restify or @slack/*. Doors call services, never the other way round.',
      severity: 'error',
      from: { path: '^services/' },
      to: { path: ['^bot/', '^cards/', doorPackages] },
    },
    {
      name: 'prisma-not-up',
      comment: 'prisma/ is the store: it imports nothing of services/, bot/ or cards/ (services → store is the allowed direction).',
      severity: 'error',
      from: { path: '^prisma/' },
      to: { path: ['^services/', '^bot/', '^cards/'] },
    },
    {
      name: 'views-platform-neutral',
      comment: 'Commands, card actions, views and the notification planner return platform-neutral views: nothing of cards/ (Adaptive Cards), bot/teams/ or bot/slack/ (Block Kit). Each platform renders views in its own door.',
      severity: 'error',
      from: { path: neutralViewModules },
      to: { path: ['^cards/', '^bot/teams/', '^bot/slack/'] },
    },
    {
      name: 'outbox-engine-on-ports',
      comment: 'The outbox delivery engine is handed its planner, messenger and queue: it reaches no store itself.',
      severity: 'error',
      from: { path: '^services/notifications/(outbox-delivery|delivery-ports)\\.ts$' },
      to: { path: ['^prisma/', '^generated/', '^@prisma/'] },
    },
    {
      name: 'tab-door-own-folder',
      comment: 'The fleet tab (bot/tab/) is a door of its own: it checks its SSO tokens with jose (used nowhere else) and uses nothing of the Teams chat adapter (bot/teams/).',
      severity: 'error',
      from: { pathNot: '^bot/tab/' },
      to: { path: '^node_modules/jose/' },
    },
    {
      name: 'tab-door-not-chat-adapter',
      comment: 'The fleet tab talks HTTP and JSON to its page; botbuilder and the chat adapter stay in bot/teams/.',
      severity: 'error',
      from: { path: '^bot/tab/' },
      to: { path: '^bot/teams/' },
    },
    {
      name: 'sip-gateway-adapters-behind-the-port',
      comment: 'The SIP Gateway adapters (bot/sip-gateway/: simulated, PowerShell) are chosen once by the entry point (server.ts, config.ts reads their settings); everything else talks to the SipGateway port of services/sip/.',
      severity: 'error',
      from: { path: '^bot/', pathNot: ['^bot/server\\.ts$', '^bot/config\\.ts$', '^bot/sip-gateway/'] },
      to: { path: '^bot/sip-gateway/' },
    },
    {
      name: 'sip-gateway-adapters-not-doors',
      comment: 'A SIP Gateway adapter speaks to Microsoft (or pretends to): no chat platform, HTTP server, command or view in it.',
      severity: 'error',
      from: { path: '^bot/sip-gateway/' },
      to: { path: [doorPackages, '^bot/(commands|actions|views|teams|notifications|exports|jobs)/', '^cards/'] },
    },
    {
      name: 'no-circular',
      comment: 'Modules depend on each other in one direction only.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file or an installed package (an import the cruiser cannot resolve is one it cannot check).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Tests may use anything; the rules are about the product's modules.
    exclude: { path: '^(test|bench)/' },
    // Record imports of packages and of the generated Prisma client, but do not walk into them.
    doNotFollow: { path: '^(node_modules|generated)/' },
    // `import type` counts: a type from botbuilder in a view is still a dependency on botbuilder.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.json', '.d.ts'],
    },
  },
};
