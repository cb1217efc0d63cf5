// The fleet at a glance: devices per state and per location with progress bars, codes expiring
// within 24 h, stuck devices and their age, lockouts, and how long provisioning takes.
import { Card, CardHeader, makeStyles, ProgressBar, Text, tokens } from '@fluentui/react-components';
import { states, stateLabels, type Overview } from './api.ts';
import { duration, locationName } from './format.ts';
import { MedianChart } from './MedianChart.tsx';

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(260px, 1fr))', gap: '12px' },
  row: { display: 'grid', gridTemplateColumns: '11em 1fr 4em', alignItems: 'center', gap: '8px', marginBottom: '6px' },
  number: { textAlign: 'right', fontVariantNumeric: 'tabular-nums' },
  list: { margin: 0, paddingLeft: '1.2em', maxHeight: '12em', overflowY: 'auto' },
  wide: { gridColumn: '1 / -1' },
  muted: { color: tokens.colorNeutralForeground3 },
});

function Bar({ label, value, total }: { label: string; value: number; total: number }) {
  const styles = useStyles();
  return (
    <div className={styles.row}>
      <Text truncate wrap={false} title={label}>
        {label}
      </Text>
      <ProgressBar value={total === 0 ? 0 : value / total} thickness="large" aria-label={`${label}: ${value} of ${total}`} />
      <Text className={styles.number}>{value.toLocaleString()}</Text>
    </div>
  );
}

export function Pipeline({ overview }: { overview: Overview }) {
  const styles = useStyles();
  const { timeToSignedIn: time } = overview;
  return (
    <section aria-label="Pipeline" className={styles.grid}>
      <Card>
        <CardHeader header={<Text weight="semibold">Pipeline · {overview.total.toLocaleString()} devices</Text>} />
        {states.map((state) => (
          <Bar key={state} label={stateLabels[state]} value={overview.byState[state]} total={overview.total} />
        ))}
      </Card>
      <Card>
        <CardHeader header={<Text weight="semibold">Signed in per location</Text>} />
        <div style={{ maxHeight: '14em', overflowY: 'auto' }}>
          {overview.locations.map((entry) => (
            <Bar key={entry.location ?? ''} label={locationName(entry.location)} value={entry.byState.signed_in} total={entry.total} />
          ))}
        </div>
      </Card>
      <Card>
        <CardHeader header={<Text weight="semibold">Needs attention</Text>} />
        <Text>
          Codes expiring within 24 h: <b>{overview.expiring.count}</b>
        </Text>
        <ul className={styles.list}>
          {overview.expiring.byLocation.map((entry) => (
            <li key={entry.location ?? ''}>
              {locationName(entry.location)}: {entry.count}
            </li>
          ))}
        </ul>
        <Text>
          Stuck before sign-in: <b>{overview.stuck.count}</b>
        </Text>
        <ul className={styles.list}>
          {overview.stuck.oldest.map((device) => (
            <li key={device.mac}>
              {device.mac} · {locationName(device.location)} · {duration(device.ageMs)}
            </li>
          ))}
        </ul>
        <Text>
          Waiting in sign-in queues: <b>{overview.signInQueues.devices}</b>
          {overview.signInQueues.devices > 0 && overview.signInQueues.oldestSince
            ? ` at ${overview.signInQueues.locations} ${overview.signInQueues.locations === 1 ? 'location' : 'locations'}, the longest for ${duration(Date.parse(overview.generatedAt) - Date.parse(overview.signInQueues.oldestSince))}`
            : ''}
        </Text>
        <Text>
          Lockouts (24 h): <b>{overview.lockouts.macs.length}</b>
        </Text>
        <ul className={styles.list}>
          {overview.lockouts.macs.map((mac) => (
            <li key={mac}>{mac}</li>
          ))}
        </ul>
      </Card>
      <Card className={styles.wide}>
        <CardHeader
          header={<Text weight="semibold">Registration → signed in (median)</Text>}
          description={
            <Text className={styles.muted}>
              7 days: {duration(time.median7dMs)} ({time.devices7d} devices) · 30 days: {duration(time.median30dMs)} ({time.devices30d} devices)
            </Text>
          }
        />
        <MedianChart data={time} />
      </Card>
    </section>
  );
}
