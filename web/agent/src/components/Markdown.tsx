// Renders a message from the server's `md` AST (`@rocket.chat/message-parser`'s output).
// Every piece of the visitor's text becomes a text node: there is no path from a message to
// markup. Links are rendered only for http(s) and mailto URLs and open in a new tab.
import type { ComponentChildren } from 'preact';
import type { MdBlock, MdInline, MdPlain } from '../lib/types';

const SAFE_URL = /^(https?:|mailto:)/i;

function safeHref(src: string): string | null {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(src) ? src : `https://${src}`;
  return SAFE_URL.test(url) ? url : null;
}

function plain(v: unknown): string {
  if (v && typeof v === 'object' && 'value' in v) {
    const inner = v.value;
    return typeof inner === 'string' ? inner : plain(inner);
  }
  return typeof v === 'string' ? v : '';
}

function inlines(list: unknown): ComponentChildren[] {
  const arr = Array.isArray(list) ? (list as MdInline[]) : list ? [list as MdInline] : [];
  return arr.map((n, i) => <Inline key={i} node={n} />);
}

function Inline({ node }: { node: MdInline }): ComponentChildren {
  switch (node.type) {
    case 'PLAIN_TEXT':
      return node.value as string;
    case 'BOLD':
      return <strong>{inlines(node.value)}</strong>;
    case 'ITALIC':
      return <em>{inlines(node.value)}</em>;
    case 'STRIKE':
      return <s>{inlines(node.value)}</s>;
    case 'INLINE_CODE':
      return <code>{plain(node.value)}</code>;
    case 'LINK': {
      const v = node.value as { src: MdPlain; label: MdInline[] | MdInline };
      const href = safeHref(v.src.value);
      const label = inlines(v.label);
      return href ? (
        <a href={href} target="_blank" rel="noopener noreferrer nofollow">
          {label}
        </a>
      ) : (
        <span>{label}</span>
      );
    }
    case 'MENTION_USER':
      return <span class="mention">@{plain(node.value)}</span>;
    case 'MENTION_CHANNEL':
      return <span class="mention">#{plain(node.value)}</span>;
    case 'EMOJI': {
      const e = node as { unicode?: string; shortCode?: string; value?: MdPlain };
      if (e.unicode) return <span class="emoji">{e.unicode}</span>;
      return <span class="emoji" title={`:${e.shortCode ?? plain(e.value)}:`}>{emojiFor(e.shortCode ?? plain(e.value))}</span>;
    }
    case 'IMAGE': {
      const v = node.value as { src: MdPlain; label: MdInline };
      const href = safeHref(v.src.value);
      return href ? (
        <a href={href} target="_blank" rel="noopener noreferrer nofollow">
          {inlines(v.label)}
        </a>
      ) : (
        inlines(v.label)
      );
    }
    case 'TIMESTAMP': {
      const v = node.value as { timestamp: string };
      const d = new Date(Number(v.timestamp) * 1000);
      return <time dateTime={d.toISOString()}>{d.toLocaleString()}</time>;
    }
    case 'INLINE_KATEX':
      return <code>{plain(node)}</code>;
    default:
      return plain(node);
  }
}

// The shortcodes people type most; others show as `:name:`, as upstream does without its sheet.
const EMOJI: Record<string, string> = {
  smile: '😄', smiley: '😃', grinning: '😀', laughing: '😆', joy: '😂', wink: '😉', blush: '😊',
  slight_smile: '🙂', heart: '❤️', thumbsup: '👍', '+1': '👍', thumbsdown: '👎', '-1': '👎', ok_hand: '👌',
  clap: '👏', wave: '👋', pray: '🙏', tada: '🎉', fire: '🔥', rocket: '🚀', eyes: '👀', thinking: '🤔',
  cry: '😢', sob: '😭', angry: '😠', confused: '😕', sweat_smile: '😅', sunglasses: '😎', star: '⭐',
  white_check_mark: '✅', x: '❌', warning: '⚠️', question: '❓', exclamation: '❗', coffee: '☕',
};

function emojiFor(code: string): string {
  return EMOJI[code] ?? `:${code}:`;
}

function Block({ node }: { node: MdBlock }): ComponentChildren {
  switch (node.type) {
    case 'PARAGRAPH':
      return <p>{inlines(node.value)}</p>;
    case 'HEADING': {
      const n = node as { level: number; value: MdInline[] };
      return <p class={`heading h${Math.min(Math.max(n.level, 1), 4)}`}>{inlines(n.value)}</p>;
    }
    case 'CODE': {
      const lines = (node.value as { value: MdPlain }[]).map((l) => l.value.value);
      return (
        <pre>
          <code>{lines.join('\n')}</code>
        </pre>
      );
    }
    case 'QUOTE':
      return (
        <blockquote>
          {(node.value as MdBlock[]).map((b, i) => (
            <Block key={i} node={b} />
          ))}
        </blockquote>
      );
    case 'UNORDERED_LIST':
      return (
        <ul>
          {(node.value as { value: MdInline[] }[]).map((item, i) => (
            <li key={i}>{inlines(item.value)}</li>
          ))}
        </ul>
      );
    case 'ORDERED_LIST':
      return (
        <ol>
          {(node.value as { value: MdInline[]; number?: number }[]).map((item, i) => (
            <li key={i} {...(item.number !== undefined && { value: item.number })}>
              {inlines(item.value)}
            </li>
          ))}
        </ol>
      );
    case 'TASKS':
      return (
        <ul class="tasks">
          {(node.value as { status: boolean; value: MdInline[] }[]).map((t, i) => (
            <li key={i}>
              <span aria-hidden="true">{t.status ? '☑ ' : '☐ '}</span>
              {inlines(t.value)}
            </li>
          ))}
        </ul>
      );
    case 'BIG_EMOJI':
      return <p class="big-emoji">{inlines(node.value)}</p>;
    case 'LINE_BREAK':
      return <br />;
    case 'KATEX':
      return (
        <pre>
          <code>{plain(node)}</code>
        </pre>
      );
    default:
      return <p>{plain(node)}</p>;
  }
}

/** The message body: its AST when it has one, else its text as text. */
export function Markdown({ md, text }: { md?: MdBlock[] | undefined; text: string }) {
  if (!md || md.length === 0) {
    return (
      <div class="md">
        <p>{text}</p>
      </div>
    );
  }
  return (
    <div class="md">
      {md.map((b, i) => (
        <Block key={i} node={b} />
      ))}
    </div>
  );
}
