// Rocket.Chat's installation snippet pointing at this server (its `Site_Url`), to copy into
// a website, and the widget as it looks now.
import { useRef, useState } from 'preact/hooks';
import { api } from '../lib/rest';
import { Preview } from './Preview';
import type { Theme } from './Preview';
import { LoadError, Section, useLoad } from './ui';

interface Embedding {
  url: string;
  theme: Theme;
}

async function load(): Promise<Embedding> {
  const [pub, look] = await Promise.all([
    api.get<{ settings: { _id: string; value: unknown }[] }>('settings.public', { _id: 'Site_Url' }),
    api.get<{ appearance: { _id: string; value: unknown }[] }>('livechat/appearance'),
  ]);
  const site = pub.settings.find((s) => s._id === 'Site_Url')?.value;
  const value = (id: string) => {
    const v = look.appearance.find((s) => s._id === id)?.value;
    return typeof v === 'string' ? v : '';
  };
  return {
    url: (typeof site === 'string' && site ? site : location.origin).replace(/\/+$/, ''),
    theme: { title: value('Livechat_title'), color: value('Livechat_title_color') },
  };
}

export function snippet(root: string): string {
  const url = JSON.stringify(`${root}/livechat`).slice(1, -1).replace(/'/g, "\\'");
  return `<!-- Start of Rocket.Chat Livechat Script -->
<script type="text/javascript">
(function(w, d, s, u) {
  w.RocketChat = function(c) { w.RocketChat._.push(c) }; w.RocketChat._ = []; w.RocketChat.url = u;
  var h = d.getElementsByTagName(s)[0], j = d.createElement(s);
  j.async = true; j.src = '${url}/rocketchat-livechat.min.js?_=201903270000';
  h.parentNode.insertBefore(j, h);
})(window, document, 'script', '${url}');
</script>
<!-- End of Rocket.Chat Livechat Script -->`;
}

export function Embed() {
  const e = useLoad(load);
  const [copied, setCopied] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  const code = e.data ? snippet(e.data.url) : '';
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied('Copied. Paste it before </body> in your site’s pages.');
    } catch {
      // No clipboard access (an insecure origin): select it for the user to copy.
      area.current?.select();
      setCopied('Selected: press Ctrl+C (⌘C) to copy.');
    }
  };
  return (
    <Section title="Embed" intro="Paste this snippet into your website, before </body>, to show the chat widget there.">
      <LoadError error={e.error} />
      {e.data && (
        <div class="with-preview">
          <div class="card">
            <label>
              Embed snippet
              <textarea ref={area} class="code" readOnly rows={11} value={code} />
            </label>
            <div class="buttons start">
              <button type="button" onClick={() => void copy()}>
                Copy snippet
              </button>
            </div>
            <p role="status" class="result ok">
              {copied}
            </p>
          </div>
          <Preview theme={e.data.theme} saved={e.data.theme} />
        </div>
      )}
    </Section>
  );
}
