// CPU time of this process (user + system), beside wall time: on a shared machine other
// processes stretch wall times, while the CPU this process spent stays close to the work done.
// For SQLite, whose engine runs inside this process, it covers the database's work too; for
// PostgreSQL it does not (the server is another process).
export function cpuStopwatch(): () => number {
  const started = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };
}
