// The fleet tab: connects to Teams (or says it is not inside Teams), follows the theme, and
// shows the pipeline, the device table, a device's timeline and the actions the caller's roles
// allow (the server checks them again). Polls every few seconds and right after an action.
import {
  Button,
  FluentProvider,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Spinner,
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  Text,
  Title3,
  tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, type Device, type DevicePage, type DeviceQuery, type FirmwareReadiness, type Me, type Overview, type TimelineEntry } from './api.ts';
import { FirmwareCard } from './FirmwareCard.tsx';
import { DeviceTable } from './DeviceTable.tsx';
import { when } from './format.ts';
import { Pipeline } from './Pipeline.tsx';
import { connectToHost, type HostState, type TeamsTheme } from './teams-host.ts';

export const pollMs = 5_000;
export const firmwarePollMs = 60_000;

const themes = { default: teamsLightTheme, dark: teamsDarkTheme, contrast: teamsHighContrastTheme } as const;

const useStyles = makeStyles({
  page: { minHeight: '100vh', padding: '16px', boxSizing: 'border-box', backgroundColor: tokens.colorNeutralBackground2, display: 'flex', flexDirection: 'column', gap: '16px' },
  toolbar: { display: 'flex', gap: '8px', flexWrap: 'wrap', alignItems: 'center' },
  timeline: { margin: 0, paddingLeft: '1.2em' },
});

const message = (error: unknown) => (error instanceof ApiError ? error.message : 'Something went wrong; the tab tries again in a few seconds.');

/** The Teams link that opens this app; the server writes the app id into the page. */
function appLink(): string {
  const id = document.querySelector('meta[name="teams-app-id"]')?.getAttribute('content') ?? '';
  return id ? `https://teams.microsoft.com/l/app/${encodeURIComponent(id)}` : 'https://teams.microsoft.com/';
}

const firstQuery: DeviceQuery = { q: '', state: '', location: '', sort: 'mac', direction: 'asc', cursor: null };

export function App() {
  const [host, setHost] = useState<HostState | null>(null);
  const [theme, setTheme] = useState<TeamsTheme>('default');
  useEffect(() => {
    connectToHost(setTheme).then((state) => {
      if (state.kind === 'inTeams') setTheme(state.theme);
      setHost(state);
    });
  }, []);
  return (
    <FluentProvider theme={themes[theme]} data-theme={theme}>
      {host === null ? <Spinner label="Connecting to Teams…" style={{ padding: 32 }} /> : host.kind === 'outsideTeams' ? <OutsideTeams /> : <Fleet />}
    </FluentProvider>
  );
}

function OutsideTeams() {
  const styles = useStyles();
  return (
    <main className={styles.page}>
      <Title3 as="h1">Fleet</Title3>
      <MessageBar intent="warning">
        <MessageBarBody>
          This page is the Fleet tab of the Provisioning app and works only inside Microsoft Teams (it signs you in through Teams).{' '}
          <Link href={appLink()} target="_blank" rel="noreferrer">
            Open the app in Teams
          </Link>
          .
        </MessageBarBody>
      </MessageBar>
    </main>
  );
}

function Fleet() {
  const styles = useStyles();
  const [me, setMe] = useState<Me | null>(null);
  const [overview, setOverview] = useState<Overview | null>(null);
  const [locations, setLocations] = useState<string[]>([]);
  const [query, setQuery] = useState<DeviceQuery>(firstQuery);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<DevicePage | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [opened, setOpened] = useState<{ device: Device; timeline: TimelineEntry[] } | null>(null);
  const [notice, setNotice] = useState<{ intent: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [firmware, setFirmware] = useState<FirmwareReadiness | null>(null);
  const queryRef = useRef(query);
  queryRef.current = query;

  const refresh = useCallback(async () => {
    const asked = queryRef.current;
    try {
      const [nextOverview, nextPage, nextLocations] = await Promise.all([api.pipeline(), api.devices(asked), api.locations()]);
      setOverview(nextOverview);
      setLocations(nextLocations.locations);
      // A slow answer for an older query must not replace the current one.
      if (queryRef.current === asked) setPage(nextPage);
    } catch (error) {
      setNotice({ intent: 'error', text: message(error) });
    }
  }, [query]);

  useEffect(() => {
    api.me().then(setMe, (error: unknown) => setNotice({ intent: 'error', text: message(error) }));
  }, []);
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), pollMs);
    return () => clearInterval(timer);
  }, [refresh]);
  // Firmware readiness reads every device with a model and changes only as devices report or
  // update: once a minute is enough, and only for those allowed to see it.
  const seesFirmware = me?.allowed.firmware ?? false;
  useEffect(() => {
    if (!seesFirmware) return;
    const load = () => api.firmware().then(setFirmware, (error: unknown) => setNotice({ intent: 'error', text: message(error) }));
    void load();
    const timer = setInterval(() => void load(), firmwarePollMs);
    return () => clearInterval(timer);
  }, [seesFirmware]);

  const changeQuery = (change: Partial<DeviceQuery>) => {
    setQuery((current) => ({ ...current, ...change, cursor: null }));
    setCursors([null]);
    setSelected(new Set());
  };

  async function act(run: () => Promise<string>) {
    setBusy(true);
    try {
      setNotice({ intent: 'success', text: await run() });
      setSelected(new Set());
    } catch (error) {
      setNotice({ intent: 'error', text: message(error) });
    } finally {
      setBusy(false);
      await refresh();
    }
  }

  const issued = (report: { issued: unknown[]; skipped: { mac: string; reason: string }[] }) =>
    `${report.issued.length} ${report.issued.length === 1 ? 'code' : 'codes'} issued; the technicians get the hand-off card.` +
    (report.skipped.length > 0 ? ` Skipped: ${report.skipped.map((entry) => `${entry.mac} (${entry.reason})`).join(', ')}.` : '');

  async function exportCsv() {
    const { blob, fileName } = await api.exportCsv();
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return `Exported ${fileName}.`;
  }

  if (!me || !overview) {
    return (
      <main className={styles.page}>
        {notice ? (
          <MessageBar intent={notice.intent}>
            <MessageBarBody>{notice.text}</MessageBarBody>
          </MessageBar>
        ) : (
          <Spinner label="Loading the fleet…" />
        )}
      </main>
    );
  }
  const allowed = me.allowed;
  return (
    <main className={styles.page}>
      <Title3 as="h1">Fleet</Title3>
      {notice ? (
        <MessageBar intent={notice.intent} role="status">
          <MessageBarBody>{notice.text}</MessageBarBody>
        </MessageBar>
      ) : null}
      <Pipeline overview={overview} />
      {firmware ? <FirmwareCard readiness={firmware} /> : null}
      {allowed.issueCodes || allowed.exportDevices ? (
        <div className={styles.toolbar} role="toolbar" aria-label="Actions">
          {allowed.issueCodes ? (
            <>
              <Button appearance="primary" disabled={busy || selected.size === 0} onClick={() => act(async () => issued(await api.issueCodes({ macs: [...selected] })))}>
                Issue codes for selected ({selected.size})
              </Button>
              <Button disabled={busy || query.location === ''} onClick={() => act(async () => issued(await api.issueCodes({ location: query.location })))}>
                {query.location === '' ? 'Issue codes for a location (filter one)' : `Issue codes for ${query.location}`}
              </Button>
            </>
          ) : null}
          {allowed.exportDevices ? (
            <Button disabled={busy} onClick={() => act(exportCsv)}>
              Export CSV
            </Button>
          ) : null}
        </div>
      ) : null}
      <DeviceTable
        query={query}
        onQuery={changeQuery}
        page={page}
        pageNumber={cursors.length}
        onNext={() => {
          if (!page?.next) return;
          setCursors([...cursors, page.next]);
          setQuery({ ...query, cursor: page.next });
        }}
        onPrevious={() => {
          const previous = cursors.slice(0, -1);
          setCursors(previous);
          setQuery({ ...query, cursor: previous.at(-1) ?? null });
        }}
        locations={locations}
        selected={selected}
        onSelect={(device, on) => {
          const next = new Set(selected);
          if (on) next.add(device.mac);
          else next.delete(device.mac);
          setSelected(next);
        }}
        onOpen={(device) => api.timeline(device.id).then(setOpened, (error: unknown) => setNotice({ intent: 'error', text: message(error) }))}
        selectable={allowed.issueCodes}
        canSignIn={allowed.signIn}
        onSignIn={(device) => act(async () => `Sign-in requested for ${(await api.signIn(device.id, null)).device.mac}; the device shows a login code.`)}
      />
      {opened ? (
        <section aria-label={`Timeline of ${opened.device.mac}`}>
          <Text weight="semibold">Timeline of {opened.device.mac}</Text>{' '}
          <Button size="small" appearance="subtle" onClick={() => setOpened(null)}>
            Close
          </Button>
          <ul className={styles.timeline}>
            {opened.timeline.map((entry, index) => (
              <li key={index}>
                {when(entry.at)} · {entry.action}
                {entry.toState ? ` → ${entry.toState}` : ''} · {entry.actorName ?? entry.actor}
                {entry.reason ? ` · ${entry.reason}` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  );
}
