// The mail server (`SMTP_*` settings, admins) that sends transcripts and offline messages,
// and a test mail to oneself (`sendSMTPTestEmail`) with the SMTP server's answer.
import type { Me } from '../lib/types';
import { Check, LoadError, Result, Section, Select, Text, method, readSettings, useAction, useEdits, useLoad, writeSettings } from './ui';

const IDS = ['SMTP_Protocol', 'SMTP_Host', 'SMTP_Port', 'SMTP_IgnoreTLS', 'SMTP_Username', 'SMTP_Password', 'From_Email'];

export function Email({ me }: { me: Me }) {
  const saved = useLoad(() => readSettings(IDS));
  const { values: v, set } = useEdits(saved.data);
  const [outcome, busy, run] = useAction();
  const [tested, testing, runTest] = useAction();
  const str = (id: string) => String(v[id] ?? '');
  const submit = (e: Event) => {
    e.preventDefault();
    const before = saved.data;
    if (!before) return;
    void run(async () => {
      const n = await writeSettings(before, v);
      saved.reload();
      return n === 0 ? 'Nothing changed.' : 'Saved.';
    });
  };
  const test = () =>
    void runTest(async () => {
      const r = await method<{ params?: string[] }>('sendSMTPTestEmail');
      return `A test mail was sent to ${r.params?.[0] ?? 'your address'}.`;
    });
  const address = me.emails?.[0]?.address;
  return (
    <Section title="E-mail" intro="The mail server for transcripts, offline messages and mailings.">
      <LoadError error={saved.error} />
      {saved.data && (
        <form class="card" aria-label="Mail server" onSubmit={submit}>
          <div class="grid">
            <Select
              label="Protocol"
              value={str('SMTP_Protocol')}
              options={[
                ['smtp', 'SMTP (STARTTLS when offered)'],
                ['smtps', 'SMTPS (TLS from the start)'],
              ]}
              onChange={set('SMTP_Protocol')}
            />
            <Text label="Host" value={str('SMTP_Host')} onInput={set('SMTP_Host')} placeholder="smtp.example.com" />
            <Text label="Port" value={str('SMTP_Port')} onInput={set('SMTP_Port')} placeholder="587" />
            <Text label="Username" value={str('SMTP_Username')} onInput={set('SMTP_Username')} />
            <Text label="Password" type="password" value={str('SMTP_Password')} onInput={set('SMTP_Password')} autoComplete="new-password" />
            <Text label="From" value={str('From_Email')} onInput={set('From_Email')} placeholder="Support <support@example.com>" />
          </div>
          <Check label="Ignore TLS (plain SMTP only)" checked={v['SMTP_IgnoreTLS'] === true} onChange={set('SMTP_IgnoreTLS')} />
          <div class="buttons">
            <button type="button" disabled={testing || !address} onClick={test}>
              Send a test mail
            </button>
            <button type="submit" disabled={busy}>
              Save mail server
            </button>
          </div>
          <p class="muted">The test mail goes to {address ?? 'your address (you have none)'}, with the saved settings.</p>
          <Result outcome={outcome} />
          <Result outcome={tested} />
        </form>
      )}
    </Section>
  );
}
