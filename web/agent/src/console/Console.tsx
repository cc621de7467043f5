// The manager console (`/agent/manage/<section>`): a team's setup without curl, for users
// whose roles hold `view-livechat-manager` (managers and admins). Sections that need more
// (the server's privileged settings: admins) are offered only to those who hold it; the
// server checks every call anyway.
import type { ComponentType } from 'preact';
import { href, linkClick } from '../lib/router';
import type { Me } from '../lib/types';
import { can } from '../session';
import { Agents } from './Agents';
import { CannedResponses } from './CannedResponses';
import { CustomFields } from './CustomFields';
import { Departments } from './Departments';
import { Email } from './Email';
import { Embed } from './Embed';
import { Managers } from './Managers';
import { Settings } from './Settings';
import { Tags } from './Tags';
import { Triggers } from './Triggers';
import { Webhooks } from './Webhooks';
import { Widget } from './Widget';

interface Entry {
  id: string;
  label: string;
  permission: string;
  view: ComponentType<{ me: Me }>;
}

const SECTIONS: Entry[] = [
  { id: 'agents', label: 'Agents', permission: 'view-livechat-manager', view: Agents },
  { id: 'managers', label: 'Managers', permission: 'view-livechat-manager', view: Managers },
  { id: 'departments', label: 'Departments', permission: 'view-livechat-departments', view: Departments },
  { id: 'canned-responses', label: 'Canned responses', permission: 'save-all-canned-responses', view: CannedResponses },
  { id: 'tags', label: 'Tags', permission: 'manage-livechat-tags', view: Tags },
  { id: 'settings', label: 'Settings', permission: 'edit-privileged-setting', view: Settings },
  { id: 'widget', label: 'Widget', permission: 'view-livechat-manager', view: Widget },
  { id: 'triggers', label: 'Triggers', permission: 'view-livechat-manager', view: Triggers },
  { id: 'custom-fields', label: 'Custom fields', permission: 'view-livechat-manager', view: CustomFields },
  { id: 'webhooks', label: 'Webhooks', permission: 'view-livechat-manager', view: Webhooks },
  { id: 'email', label: 'E-mail', permission: 'edit-privileged-setting', view: Email },
  { id: 'embed', label: 'Embed', permission: 'view-livechat-manager', view: Embed },
];

export function Console({ me, section }: { me: Me; section?: string }) {
  if (!can(me, 'view-livechat-manager')) {
    return (
      <main class="console" aria-label="Manager console">
        <p role="alert" class="denied">
          The manager console is for managers and admins.
        </p>
      </main>
    );
  }
  const mine = SECTIONS.filter((s) => can(me, s.permission));
  const current = mine.find((s) => s.id === section) ?? mine[0];
  const View = current?.view;
  return (
    <main class="console" aria-label="Manager console">
      <nav aria-label="Console sections" class="console-nav">
        {mine.map((s) => {
          const to = { area: 'manage' as const, section: s.id };
          return (
            <a
              key={s.id}
              href={href(to)}
              aria-current={s === current ? 'page' : undefined}
              onClick={(e) => linkClick(e, to)}
            >
              {s.label}
            </a>
          );
        })}
      </nav>
      <div class="console-body">{View && <View key={current.id} me={me} />}</div>
    </main>
  );
}
