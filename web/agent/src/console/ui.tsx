// Small pieces every console section uses: loading data, a save's outcome as a status
// line, labelled inputs, and settings read and written one by one.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, describe } from '../lib/rest';
import { session } from '../session';

export interface Loaded<T> {
  data: T | null;
  error: string;
  reload: () => void;
}

/** Loads once (and again on `reload`); the error as a sentence. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => {
        if (live) {
          setData(d);
          setError('');
        }
      },
      (e: unknown) => {
        if (live) setError(describe(e));
      },
    );
    return () => {
      live = false;
    };
  }, [n, ...deps]);
  return { data, error, reload: useCallback(() => setN((x) => x + 1), []) };
}

export type Outcome = { ok: boolean; text: string } | null;

/** Runs an action, keeping its outcome (a status line) and whether it is running. */
export function useAction(): [Outcome, boolean, (f: () => Promise<string>) => Promise<boolean>] {
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const run = async (f: () => Promise<string>) => {
    setBusy(true);
    setOutcome(null);
    try {
      setOutcome({ ok: true, text: await f() });
      return true;
    } catch (e) {
      setOutcome({ ok: false, text: describe(e) });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return [outcome, busy, run];
}

/** A save's outcome: a polite status when it worked, an alert when it did not. */
export function Result({ outcome }: { outcome: Outcome }) {
  if (!outcome) return <p role="status" class="result" />;
  return outcome.ok ? (
    <p role="status" class="result ok">
      {outcome.text}
    </p>
  ) : (
    <p role="alert" class="result error">
      {outcome.text}
    </p>
  );
}

export function LoadError({ error }: { error: string }) {
  return error ? (
    <p role="alert" class="error">
      {error}
    </p>
  ) : null;
}

export function Text(props: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  type?: string;
  required?: boolean;
  placeholder?: string;
  autoComplete?: string;
}) {
  return (
    <label>
      {props.label}
      <input
        type={props.type ?? 'text'}
        value={props.value}
        required={props.required}
        placeholder={props.placeholder}
        autoComplete={props.autoComplete ?? 'off'}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </label>
  );
}

/** A search box over a list (role searchbox, named by its label). */
export function Search(props: { label: string; value: string; onInput: (v: string) => void }) {
  return (
    <label class="search">
      {props.label}
      <input type="search" value={props.value} autoComplete="off" onInput={(e) => props.onInput(e.currentTarget.value)} />
    </label>
  );
}

export function Area(props: { label: string; value: string; onInput: (v: string) => void }) {
  return (
    <label>
      {props.label}
      <textarea value={props.value} onInput={(e) => props.onInput(e.currentTarget.value)} />
    </label>
  );
}

export function Check(props: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label class="check">
      <input type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      {props.label}
    </label>
  );
}

export function Select(props: {
  label: string;
  value: string;
  options: [string, string][];
  onChange: (v: string) => void;
}) {
  return (
    <label>
      {props.label}
      <select aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A group of checkboxes picking ids out of a list, named by its legend. */
export function Pick(props: {
  legend: string;
  items: { id: string; label: string }[];
  chosen: string[];
  onChange: (ids: string[]) => void;
  empty?: string;
}) {
  const toggle = (id: string, on: boolean) =>
    props.onChange(on ? [...props.chosen.filter((c) => c !== id), id] : props.chosen.filter((c) => c !== id));
  return (
    <fieldset class="pick">
      <legend>{props.legend}</legend>
      {props.items.length === 0 && <p class="muted">{props.empty ?? 'None yet.'}</p>}
      {props.items.map((i) => (
        <Check key={i.id} label={i.label} checked={props.chosen.includes(i.id)} onChange={(on) => toggle(i.id, on)} />
      ))}
    </fieldset>
  );
}

export function Section(props: { title: string; children: ComponentChildren; intro?: string }) {
  const id = `section-${props.title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <section class="console-section" aria-labelledby={id}>
      <h1 id={id}>{props.title}</h1>
      {props.intro && <p class="muted intro">{props.intro}</p>}
      {props.children}
    </section>
  );
}

/** Calls a DDP method on the signed-in connection (upstream's client saves some things so). */
export function method<T = unknown>(name: string, ...params: unknown[]): Promise<T> {
  const s = session.get();
  if (s.kind !== 'signed-in') return Promise.reject(new Error('Not signed in'));
  return s.ddp.call<T>(name, ...params);
}

export type SettingValue = string | number | boolean;

/**
 * A form over saved values: it keeps only what the user changed, laid over the saved values
 * as they are now. The saved values arriving (or coming back after a save) never overwrite
 * what was typed.
 */
export function useEdits(saved: Record<string, SettingValue> | null) {
  const [edits, setEdits] = useState<Record<string, SettingValue>>({});
  const values: Record<string, SettingValue> = { ...saved, ...edits };
  const set = (id: string) => (x: SettingValue) => setEdits((o) => ({ ...o, [id]: x }));
  return { values, set };
}

/** Reads settings (`GET settings/:_id`, admins) into one record. */
export async function readSettings(ids: readonly string[]): Promise<Record<string, SettingValue>> {
  const entries = await Promise.all(
    ids.map(async (id) => {
      const r = await api.get<{ value: SettingValue }>(`settings/${id}`);
      return [id, r.value] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Writes the settings whose values changed (`POST settings/:_id`). */
export async function writeSettings(
  before: Record<string, SettingValue>,
  after: Record<string, SettingValue>,
): Promise<number> {
  const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
  for (const id of changed) await api.post(`settings/${id}`, { value: after[id] });
  return changed.length;
}
