// The CRM webhook (`livechat/integrations.settings`, `omnichannel/integrations`): where
// livechat events are posted, the secret sent with them, which events, and a test call.
import { api } from '../lib/rest';
import { Check, LoadError, Result, Section, Text, useAction, useEdits, useLoad } from './ui';
import type { SettingValue } from './ui';

/** Setting → the field `omnichannel/integrations` takes, and its label here. */
const EVENTS: [string, string, string][] = [
  ['Livechat_webhook_on_start', 'LivechatWebhookOnStart', 'A chat starts'],
  ['Livechat_webhook_on_close', 'LivechatWebhookOnClose', 'A chat is closed'],
  ['Livechat_webhook_on_chat_taken', 'LivechatWebhookOnChatTaken', 'An agent takes a chat'],
  ['Livechat_webhook_on_chat_queued', 'LivechatWebhookOnChatQueued', 'A chat waits in the queue'],
  ['Livechat_webhook_on_forward', 'LivechatWebhookOnForward', 'A chat is forwarded'],
  ['Livechat_webhook_on_offline_msg', 'LivechatWebhookOnOfflineMsg', 'An offline message'],
  ['Livechat_webhook_on_visitor_message', 'LivechatWebhookOnVisitorMessage', 'A visitor’s message'],
  ['Livechat_webhook_on_agent_message', 'LivechatWebhookOnAgentMessage', 'An agent’s message'],
];

async function load(): Promise<Record<string, SettingValue>> {
  const r = await api.get<{ settings: { _id: string; value: SettingValue }[] }>('livechat/integrations.settings');
  return Object.fromEntries(r.settings.map((s) => [s._id, s.value]));
}

export function Webhooks() {
  const saved = useLoad(load);
  const { values: v, set } = useEdits(saved.data);
  const [outcome, busy, run] = useAction();
  const [tested, testing, runTest] = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const body: Record<string, SettingValue> = {
        LivechatWebhookUrl: String(v['Livechat_webhookUrl'] ?? '').trim(),
        LivechatSecretToken: String(v['Livechat_secret_token'] ?? ''),
        LivechatHttpTimeout: Number(v['Livechat_http_timeout'] ?? 5000),
      };
      for (const [id, field] of EVENTS) body[field] = v[id] === true;
      await api.post('omnichannel/integrations', body);
      saved.reload();
      return 'Saved.';
    });
  };
  const test = () =>
    void runTest(async () => {
      await api.post('livechat/webhook.test');
      return 'The webhook answered 200 OK.';
    });
  return (
    <Section title="Webhooks" intro="Livechat events posted to your CRM, in Rocket.Chat's format.">
      <LoadError error={saved.error} />
      {saved.data && (
        <form class="card" aria-label="Webhook" onSubmit={submit}>
          <Text
            label="Webhook URL"
            type="url"
            value={String(v['Livechat_webhookUrl'] ?? '')}
            onInput={set('Livechat_webhookUrl')}
            placeholder="https://crm.example.com/hooks/livechat"
          />
          <Text
            label="Secret token (sent as X-RocketChat-Livechat-Token)"
            value={String(v['Livechat_secret_token'] ?? '')}
            onInput={set('Livechat_secret_token')}
          />
          <Text
            label="Timeout (milliseconds)"
            type="number"
            value={String(v['Livechat_http_timeout'] ?? '')}
            onInput={set('Livechat_http_timeout')}
          />
          <fieldset class="pick">
            <legend>Events</legend>
            {EVENTS.map(([id, , label]) => (
              <Check key={id} label={label} checked={v[id] === true} onChange={set(id)} />
            ))}
          </fieldset>
          <div class="buttons">
            <button type="button" disabled={testing} onClick={test}>
              Send a test
            </button>
            <button type="submit" disabled={busy}>
              Save webhook
            </button>
          </div>
          <Result outcome={outcome} />
          <Result outcome={tested} />
        </form>
      )}
    </Section>
  );
}
