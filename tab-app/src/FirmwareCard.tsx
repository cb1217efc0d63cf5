// Firmware readiness per model family (the chat's `firmware` figures): how many devices run below
// the minimum for remote provisioning, on a version the catalog cannot compare, or have an update
// available. Shown to those the permission table lets see firmware (viewFirmware).
import { Card, CardHeader, makeStyles, mergeClasses, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, tokens } from '@fluentui/react-components';
import type { FirmwareReadiness } from './api.ts';

const useStyles = makeStyles({
  number: { fontVariantNumeric: 'tabular-nums' },
  attention: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  muted: { color: tokens.colorNeutralForeground3 },
  wide: { gridColumn: '1 / -1' },
});

export function FirmwareCard({ readiness }: { readiness: FirmwareReadiness }) {
  const styles = useStyles();
  const count = (value: number, attention = false) => <TableCell className={value > 0 && attention ? mergeClasses(styles.number, styles.attention) : styles.number}>{value.toLocaleString()}</TableCell>;
  return (
    <Card className={styles.wide} aria-label="Firmware readiness">
      <CardHeader
        header={<Text weight="semibold">Firmware readiness</Text>}
        description={
          <Text className={styles.muted}>
            {readiness.belowMinimum.toLocaleString()} below the minimum · {readiness.unknownVersion.toLocaleString()} unknown versions · {readiness.updatesAvailable.toLocaleString()} updates available
          </Text>
        }
      />
      {readiness.families.length === 0 ? (
        <Text className={styles.muted}>No device has reported a model the catalog knows yet.</Text>
      ) : (
        <Table size="small" aria-label="Firmware readiness per model">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Model family</TableHeaderCell>
              <TableHeaderCell>Minimum</TableHeaderCell>
              <TableHeaderCell>Devices</TableHeaderCell>
              <TableHeaderCell>Below minimum</TableHeaderCell>
              <TableHeaderCell>Unknown version</TableHeaderCell>
              <TableHeaderCell>Updates available</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {readiness.families.map((family) => (
              <TableRow key={family.familyId}>
                <TableCell>{family.family}</TableCell>
                <TableCell>{family.minimum ?? '—'}</TableCell>
                {count(family.devices)}
                {count(family.belowMinimum, true)}
                {count(family.unknownVersion)}
                {count(family.updatesAvailable)}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {readiness.unknownModels.length > 0 ? (
        <Text className={styles.muted}>
          Not matched to the catalog (unknown model, or none reported yet): {readiness.unknownModels.map((entry) => `${entry.model} (${entry.devices.toLocaleString()})`).join(', ')}
        </Text>
      ) : null}
    </Card>
  );
}
