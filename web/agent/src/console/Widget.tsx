// The widget's look and texts (`livechat/appearance`, managers): title and colour, the
// registration form, the offline form and where its messages go, beside a live preview.
import { api } from '../lib/rest';
import { Preview } from './Preview';
import { Area, Check, LoadError, Result, Section, Select, Text, useAction, useEdits, useLoad } from './ui';
import type { SettingValue } from './ui';

interface AppearanceSetting {
  _id: string;
  value: SettingValue;
}

async function loadAppearance(): Promise<Record<string, SettingValue>> {
  const r = await api.get<{ appearance: AppearanceSetting[] }>('livechat/appearance');
  return Object.fromEntries(r.appearance.map((s) => [s._id, s.value]));
}

export function Widget() {
  const saved = useLoad(loadAppearance);
  const { values: v, set } = useEdits(saved.data);
  const [outcome, busy, run] = useAction();
  const str = (id: string) => String(v[id] ?? '');
  const bool = (id: string) => v[id] === true;
  const text = (id: string, label: string, type?: string) => (
    <Text label={label} value={str(id)} onInput={set(id)} {...(type !== undefined && { type })} />
  );
  const area = (id: string, label: string) => <Area label={label} value={str(id)} onInput={set(id)} />;
  const check = (id: string, label: string) => <Check label={label} checked={bool(id)} onChange={set(id)} />;
  const submit = (e: Event) => {
    e.preventDefault();
    const before = saved.data;
    if (!before) return;
    const changed = Object.keys(v)
      .filter((k) => v[k] !== before[k])
      .map((k) => ({ _id: k, value: v[k] }));
    void run(async () => {
      if (changed.length === 0) return 'Nothing changed.';
      await api.post('livechat/appearance', changed);
      saved.reload();
      return 'Saved.';
    });
  };
  return (
    <Section title="Widget" intro="What visitors see. The preview follows your changes; visitors see them once saved.">
      <LoadError error={saved.error} />
      {saved.data && (
        <div class="with-preview">
          <form class="card" aria-label="Widget appearance" onSubmit={submit}>
            {text('Livechat_title', 'Title')}
            <ColourField label="Title colour" value={str('Livechat_title_color')} onInput={set('Livechat_title_color')} />
            <Select
              label="Position"
              value={str('Livechat_widget_position')}
              options={[
                ['right', 'Right'],
                ['left', 'Left'],
              ]}
              onChange={set('Livechat_widget_position')}
            />
            {check('Livechat_show_agent_info', 'Show the agent’s name')}
            {check('Livechat_show_agent_email', 'Show the agent’s e-mail')}
            {check('Omnichannel_allow_visitors_to_close_conversation', 'Visitors may close the chat')}
            <fieldset>
              <legend>Registration form</legend>
              {check('Livechat_registration_form', 'Ask visitors to register before chatting')}
              {check('Livechat_name_field_registration_form', 'Ask for the name')}
              {check('Livechat_email_field_registration_form', 'Ask for the e-mail')}
              {area('Livechat_registration_form_message', 'Registration form message')}
            </fieldset>
            <fieldset>
              <legend>Offline form</legend>
              {check('Livechat_display_offline_form', 'Show the offline form when no agent is available')}
              {text('Livechat_offline_title', 'Offline title')}
              <ColourField
                label="Offline title colour"
                value={str('Livechat_offline_title_color')}
                onInput={set('Livechat_offline_title_color')}
              />
              {area('Livechat_offline_message', 'Offline message')}
              {area('Livechat_offline_success_message', 'Message after sending')}
              {area('Livechat_offline_form_unavailable', 'Message when the form is off')}
              {text('Livechat_offline_email', 'Send offline messages to (e-mail)', 'email')}
            </fieldset>
            <fieldset>
              <legend>End of the chat</legend>
              {text('Livechat_conversation_finished_message', 'Message when the chat is closed')}
              {area('Livechat_conversation_finished_text', 'Text after the chat')}
            </fieldset>
            <div class="buttons">
              <button type="submit" disabled={busy}>
                Save widget
              </button>
            </div>
            <Result outcome={outcome} />
          </form>
          <Preview
            theme={{
              title: str('Livechat_title'),
              color: str('Livechat_title_color'),
              offlineTitle: str('Livechat_offline_title'),
            }}
            saved={{
              title: String(saved.data['Livechat_title'] ?? ''),
              color: String(saved.data['Livechat_title_color'] ?? ''),
              offlineTitle: String(saved.data['Livechat_offline_title'] ?? ''),
            }}
          />
        </div>
      )}
    </Section>
  );
}

/** A colour as a picker and as text (`#C1272D`), either one editable. */
function ColourField(props: { label: string; value: string; onInput: (v: string) => void }) {
  const hex = /^#[0-9a-f]{6}$/i.test(props.value) ? props.value : '#000000';
  return (
    <div class="colour">
      <Text label={props.label} value={props.value} onInput={props.onInput} />
      <input type="color" aria-label={`${props.label} picker`} value={hex} onInput={(e) => props.onInput(e.currentTarget.value)} />
    </div>
  );
}
