// Business hours: when agents may be available. Outside the hours the server makes them
// unavailable (and the widget shows its offline form); they come back when the hours open.
// The switch is the `Livechat_enable_business_hours` setting (admins); the days, times and
// timezone are the default business hour (`GET livechat/business-hour`), saved with
// `livechat:saveBusinessHour` in the shape upstream's client sends.
import { useState } from 'preact/hooks';
import { api } from '../lib/rest';
import type { Me } from '../lib/types';
import { can } from '../session';
import { Check, LoadError, Result, Section, Select, method, useAction, useLoad } from './ui';

const SETTING = 'Livechat_enable_business_hours';
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

interface WorkHour {
  day: string;
  open: boolean;
  start: { time: string };
  finish: { time: string };
}

interface BusinessHour {
  _id: string;
  name: string;
  active: boolean;
  type: string;
  timezone: { name: string; utc: string };
  workHours: WorkHour[];
}

interface Day {
  day: string;
  open: boolean;
  start: string;
  finish: string;
}

interface Loaded {
  bh: BusinessHour;
  enabled: boolean;
}

async function load(): Promise<Loaded> {
  const [bh, pub] = await Promise.all([
    api.get<{ businessHour: BusinessHour }>('livechat/business-hour', { type: 'default' }),
    api.get<{ settings: { _id: string; value: unknown }[] }>('settings.public', { _id: SETTING }),
  ]);
  return { bh: bh.businessHour, enabled: pub.settings.find((s) => s._id === SETTING)?.value === true };
}

export function BusinessHours({ me }: { me: Me }) {
  const saved = useLoad(load);
  return (
    <Section
      title="Business hours"
      intro="Outside these hours agents cannot be available and the widget shows its offline form."
    >
      <LoadError error={saved.error} />
      {saved.data && <HoursForm loaded={saved.data} admin={can(me, 'edit-privileged-setting')} onSaved={saved.reload} />}
    </Section>
  );
}

function zones(current: string): [string, string][] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const list = all.includes(current) ? all : [current, ...all];
  return list.map((z) => [z, z.replace(/_/g, ' ')]);
}

/** Mounted once the saved hours are there, so its fields start from them. */
function HoursForm(props: { loaded: Loaded; admin: boolean; onSaved: () => void }) {
  const { bh } = props.loaded;
  const [enabled, setEnabled] = useState(props.loaded.enabled);
  const [timezone, setTimezone] = useState(bh.timezone.name);
  const [days, setDays] = useState<Day[]>(() =>
    DAYS.map((day) => {
      const h = bh.workHours.find((w) => w.day === day);
      return { day, open: h?.open ?? false, start: h?.start.time ?? '08:00', finish: h?.finish.time ?? '20:00' };
    }),
  );
  const [outcome, busy, run] = useAction();
  const change = (i: number, patch: Partial<Day>) => setDays((ds) => ds.map((d, j) => (j === i ? { ...d, ...patch } : d)));
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      // What upstream's EditBusinessHours sends for the default business hour.
      await method('livechat:saveBusinessHour', {
        _id: bh._id,
        name: bh.name,
        type: bh.type,
        active: bh.active,
        timezoneName: timezone,
        timezone,
        daysOpen: days.filter((d) => d.open).map((d) => d.day),
        daysTime: days.map((d) => ({ day: d.day, start: { time: d.start }, finish: { time: d.finish }, open: d.open })),
        departmentsToApplyBusinessHour: '',
        workHours: days.map((d) => ({ day: d.day, start: d.start, finish: d.finish, open: d.open })),
      });
      if (props.admin && enabled !== props.loaded.enabled) await api.post(`settings/${SETTING}`, { value: enabled });
      props.onSaved();
      return 'Saved.';
    });
  };
  return (
    <form class="card" aria-label="Business hours" onSubmit={submit}>
      {props.admin ? (
        <Check label="Business hours on (agents are available only during them)" checked={enabled} onChange={setEnabled} />
      ) : (
        <p class="muted">Business hours are {enabled ? 'on' : 'off'}; an admin switches them.</p>
      )}
      <Select label="Timezone" value={timezone} options={zones(timezone)} onChange={setTimezone} />
      <div class="days">
        {days.map((d, i) => (
          <fieldset key={d.day} class="day">
            <legend>{d.day}</legend>
            <Check label="Open" checked={d.open} onChange={(open) => change(i, { open })} />
            <label>
              Opens
              <input type="time" value={d.start} required disabled={!d.open} onInput={(e) => change(i, { start: e.currentTarget.value })} />
            </label>
            <label>
              Closes
              <input type="time" value={d.finish} required disabled={!d.open} onInput={(e) => change(i, { finish: e.currentTarget.value })} />
            </label>
          </fieldset>
        ))}
      </div>
      <div class="buttons">
        <button type="submit" disabled={busy}>
          Save business hours
        </button>
      </div>
      <Result outcome={outcome} />
    </form>
  );
}
