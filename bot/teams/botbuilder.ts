// The parts of botbuilder the bot runs, each required from the file that defines it rather
// than from the package's index. The index also loads what this bot never uses (the legacy
// BotFrameworkAdapter, skills, SharePoint, the file transcript store and its fs-extra, and
// the inspection and speak middleware): 84 modules, about 30 ms of a start-up. Types
// still come from 'botbuilder' itself (they load nothing), and a value imported from the index
// elsewhere is refused by the architecture rules (botbuilder-values-from-here).
// The files are botbuilder 4.23.3's, pinned in package.json; a move in a later version fails
// every test at load, not silently.
export { CloudAdapter } from 'botbuilder/lib/cloudAdapter.js';
export { TeamsActivityHandler } from 'botbuilder/lib/teamsActivityHandler.js';
export { TeamsInfo } from 'botbuilder/lib/teamsInfo.js';
export { ActivityTypes, CallerIdConstants, ConfigurationBotFrameworkAuthentication, TurnContext } from 'botbuilder-core';
