// Median time from registration to signed in, per day over 30 days, with the 7- and 30-day
// medians as lines. Drawn as SVG with Fluent's colour tokens (CSS variables), so it follows
// the Teams theme (light, dark, high contrast) with no redraw and costs no chart library.
import { tokens } from '@fluentui/react-components';
import { duration } from './format.ts';
import type { Overview } from './api.ts';

const width = 1000;
const height = 180;
const pad = { left: 8, right: 8, top: 12, bottom: 20 };

export function MedianChart({ data }: { data: Overview['timeToSignedIn'] }) {
  if (data.devices30d === 0) return <p>No device signed in over the last 30 days.</p>;
  const values = data.daily.map((day) => day.medianMs ?? 0);
  const max = Math.max(1, ...values, data.median7dMs ?? 0, data.median30dMs ?? 0);
  const plotWidth = width - pad.left - pad.right;
  const plotHeight = height - pad.top - pad.bottom;
  const barWidth = plotWidth / Math.max(1, data.daily.length);
  const y = (ms: number) => pad.top + plotHeight - (ms / max) * plotHeight;
  const line = (ms: number | null, colour: string, label: string) =>
    ms === null ? null : (
      <g>
        <line x1={pad.left} x2={width - pad.right} y1={y(ms)} y2={y(ms)} stroke={colour} strokeWidth={2} strokeDasharray="6 4" />
        <text x={width - pad.right} y={y(ms) - 4} textAnchor="end" fontSize={13} fill={colour}>
          {label} {duration(ms)}
        </text>
      </g>
    );
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={`Median registration to signed in: 7 days ${duration(data.median7dMs)}, 30 days ${duration(data.median30dMs)}`}>
      {data.daily.map((day, index) =>
        day.medianMs === null ? null : (
          <rect key={day.day} x={pad.left + index * barWidth + 1} y={y(day.medianMs)} width={Math.max(1, barWidth - 2)} height={pad.top + plotHeight - y(day.medianMs)} fill={tokens.colorBrandBackground}>
            <title>{`${day.day}: ${duration(day.medianMs)} (${day.devices} devices)`}</title>
          </rect>
        ),
      )}
      <line x1={pad.left} x2={width - pad.right} y1={pad.top + plotHeight} y2={pad.top + plotHeight} stroke={tokens.colorNeutralStroke1} />
      <text x={pad.left} y={height - 4} fontSize={13} fill={tokens.colorNeutralForeground3}>
        {data.daily[0]?.day}
      </text>
      <text x={width - pad.right} y={height - 4} fontSize={13} textAnchor="end" fill={tokens.colorNeutralForeground3}>
        {data.daily.at(-1)?.day}
      </text>
      {line(data.median30dMs, tokens.colorPaletteMarigoldForeground1, '30 d')}
      {line(data.median7dMs, tokens.colorPaletteGreenForeground1, '7 d')}
    </svg>
  );
}
