// Preloaded into a bot process (NODE_OPTIONS=--import) by drills that need file permissions to
// hold: root ignores them, so a process started as root switches to DROP_TO_UID/DROP_TO_GID
// before the bot's code loads. The switch is the kernel's setuid: the bot then really is that user.
// Plain JavaScript because it runs before the TypeScript loader is registered.
const uid = Number(process.env.DROP_TO_UID);
const gid = Number(process.env.DROP_TO_GID);
if (process.getuid?.() === 0 && Number.isInteger(uid) && Number.isInteger(gid)) {
  process.setgroups([gid]);
  process.setgid(gid);
  process.setuid(uid);
}
