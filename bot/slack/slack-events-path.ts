// Where Slack posts slash commands, events and button clicks. A file of its own so that the
// server can route (and leave the raw body of) this path without loading Bolt, which is
// imported only when Slack is configured (bot/server.ts).
export const slackEventsPath = '/api/slack/events';
