// The livechat settings a site owner changes (the server's privileged settings: admins):
// livechat on or off, routing, chats per agent, the closing comment, allowed domains.
import { Check, LoadError, Result, Section, Select, Text, readSettings, useAction, useEdits, useLoad, writeSettings } from './ui';

const IDS = [
  'Livechat_enabled',
  'Livechat_Routing_Method',
  'Livechat_maximum_chats_per_agent',
  'Livechat_request_comment_when_closing_conversation',
  'Livechat_AllowedDomainsList',
  'Livechat_accept_chats_with_no_agents',
] as const;

const ROUTING: [string, string][] = [
  ['Auto_Selection', 'Auto selection (the next available agent)'],
  ['Manual_Selection', 'Manual selection (agents take chats from the queue)'],
  ['Load_Balancing', 'Load balancing (the agent with the fewest chats)'],
  ['Load_Rotation', 'Load rotation (the agent who was given a chat longest ago)'],
];

export function Settings() {
  const saved = useLoad(() => readSettings(IDS));
  const { values, set } = useEdits(saved.data);
  const [outcome, busy, run] = useAction();
  const str = (id: string) => String(values[id] ?? '');
  const bool = (id: string) => values[id] === true;
  const submit = (e: Event) => {
    e.preventDefault();
    const before = saved.data;
    if (!before) return;
    void run(async () => {
      const n = await writeSettings(before, {
        ...values,
        Livechat_maximum_chats_per_agent: Number(values['Livechat_maximum_chats_per_agent'] ?? 0),
      });
      saved.reload();
      return n === 0 ? 'Nothing changed.' : 'Saved.';
    });
  };
  return (
    <Section title="Settings" intro="How chats reach agents. The widget's look and texts are under Widget.">
      <LoadError error={saved.error} />
      {saved.data && (
        <form class="card" aria-label="Livechat settings" onSubmit={submit}>
          <Check label="Livechat enabled (the widget is shown)" checked={bool('Livechat_enabled')} onChange={set('Livechat_enabled')} />
          <Select
            label="Routing method"
            value={str('Livechat_Routing_Method')}
            options={ROUTING}
            onChange={set('Livechat_Routing_Method')}
          />
          <Text
            label="Most simultaneous chats per agent (0: no limit)"
            type="number"
            value={str('Livechat_maximum_chats_per_agent')}
            onInput={set('Livechat_maximum_chats_per_agent')}
          />
          <Check
            label="Accept chats when no agent is online (they wait in the queue)"
            checked={bool('Livechat_accept_chats_with_no_agents')}
            onChange={set('Livechat_accept_chats_with_no_agents')}
          />
          <Check
            label="Ask agents for a comment when they close a chat"
            checked={bool('Livechat_request_comment_when_closing_conversation')}
            onChange={set('Livechat_request_comment_when_closing_conversation')}
          />
          <Text
            label="Allowed domains (comma-separated; empty: any site may embed the widget)"
            value={str('Livechat_AllowedDomainsList')}
            onInput={set('Livechat_AllowedDomainsList')}
            placeholder="example.com, shop.example.com"
          />
          <div class="buttons">
            <button type="submit" disabled={busy}>
              Save settings
            </button>
          </div>
          <Result outcome={outcome} />
        </form>
      )}
    </Section>
  );
}
