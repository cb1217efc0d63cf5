// The device table: search (MAC, location, model, account), filter (state, location), sort by
// a column, and pages the server cuts (a cursor per page; the browser never holds the fleet).
import {
  Button,
  Checkbox,
  Input,
  makeStyles,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { states, stateLabels, type Device, type DevicePage, type DeviceQuery } from './api.ts';
import { locationName, when } from './format.ts';

const useStyles = makeStyles({
  filters: { display: 'flex', flexWrap: 'wrap', gap: '8px', alignItems: 'end', marginBottom: '8px' },
  pager: { display: 'flex', gap: '8px', alignItems: 'center', marginTop: '8px' },
  mac: { fontFamily: 'monospace', whiteSpace: 'nowrap' },
});

const columns: { key: string; label: string }[] = [
  { key: 'mac', label: 'MAC' },
  { key: 'location', label: 'Location' },
  { key: 'model', label: 'Model' },
  { key: 'state', label: 'State' },
  { key: 'stateChangedAt', label: 'Since' },
];

export interface DeviceTableProps {
  query: DeviceQuery;
  onQuery(change: Partial<DeviceQuery>): void;
  page: DevicePage | null;
  pageNumber: number;
  onNext(): void;
  onPrevious(): void;
  locations: string[];
  selected: ReadonlySet<string>;
  onSelect(device: Device, on: boolean): void;
  onOpen(device: Device): void;
  /** Rows can be selected (for issuing codes) only by those who may issue them. */
  selectable: boolean;
  canSignIn: boolean;
  onSignIn(device: Device): void;
}

export function DeviceTable(props: DeviceTableProps) {
  const styles = useStyles();
  const { query, page } = props;
  const sortDirection = (key: string) => (query.sort === key ? (query.direction === 'asc' ? 'ascending' : 'descending') : undefined);
  const sortBy = (key: string) => props.onQuery({ sort: key, direction: query.sort === key && query.direction === 'asc' ? 'desc' : 'asc' });
  return (
    <section aria-label="Devices">
      <div className={styles.filters}>
        <Input
          aria-label="Search devices"
          placeholder="Search MAC, location, model, account"
          value={query.q}
          onChange={(_event, data) => props.onQuery({ q: data.value })}
          style={{ minWidth: '22em' }}
        />
        <Select aria-label="State" value={query.state} onChange={(_event, data) => props.onQuery({ state: data.value })}>
          <option value="">Any state</option>
          {states.map((state) => (
            <option key={state} value={state}>
              {stateLabels[state]}
            </option>
          ))}
        </Select>
        <Select aria-label="Location" value={query.location} onChange={(_event, data) => props.onQuery({ location: data.value })}>
          <option value="">Any location</option>
          {props.locations.map((location) => (
            <option key={location} value={location}>
              {location}
            </option>
          ))}
        </Select>
      </div>
      <Table size="small" aria-label="Devices" sortable>
        <TableHeader>
          <TableRow>
            {props.selectable ? <TableHeaderCell style={{ width: '3em' }} /> : null}
            {columns.map((column) => (
              <TableHeaderCell key={column.key} sortDirection={sortDirection(column.key)} onClick={() => sortBy(column.key)}>
                {column.label}
              </TableHeaderCell>
            ))}
            <TableHeaderCell>Account</TableHeaderCell>
            <TableHeaderCell />
          </TableRow>
        </TableHeader>
        <TableBody>
          {(page?.devices ?? []).map((device) => (
            <TableRow key={device.id}>
              {props.selectable ? (
                <TableCell>
                  <Checkbox aria-label={`Select ${device.mac}`} checked={props.selected.has(device.mac)} onChange={(_event, data) => props.onSelect(device, data.checked === true)} />
                </TableCell>
              ) : null}
              <TableCell>
                <Button appearance="transparent" className={styles.mac} onClick={() => props.onOpen(device)} title="Show its timeline">
                  {device.mac}
                </Button>
              </TableCell>
              <TableCell>{locationName(device.location)}</TableCell>
              <TableCell>{device.model ?? ''}</TableCell>
              <TableCell>{stateLabels[device.state]}</TableCell>
              <TableCell>{when(device.stateChangedAt)}</TableCell>
              <TableCell>{device.signedInAccount ?? ''}</TableCell>
              <TableCell>
                {props.canSignIn && device.state === 'awaiting_sign_in' ? (
                  <Button size="small" onClick={() => props.onSignIn(device)}>
                    Sign in
                  </Button>
                ) : null}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {page && page.devices.length === 0 ? <Text>No device matches.</Text> : null}
      <div className={styles.pager}>
        <Button disabled={props.pageNumber === 1} onClick={props.onPrevious}>
          Previous
        </Button>
        <Text>Page {props.pageNumber}</Text>
        <Button disabled={!page?.next} onClick={props.onNext}>
          Next
        </Button>
      </div>
    </section>
  );
}
