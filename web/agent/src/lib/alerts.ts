// What makes a new chat hard to miss: a chime, a desktop notification when the browser
// allows it, and the tab title counting waiting and unread chats as `(N) `.

const TITLE = 'Ferrochat agent';
let audio: HTMLAudioElement | null = null;
/** How many chimes and notifications were raised (tests read it from `window`). */
export const alertLog: { sounds: number; notifications: string[] } = { sounds: 0, notifications: [] };
(window as unknown as { ferrochatAlerts: typeof alertLog }).ferrochatAlerts = alertLog;

export function chime(): void {
  alertLog.sounds++;
  try {
    audio ??= new Audio('/sounds/chime.mp3');
    audio.currentTime = 0;
    void audio.play().catch(() => undefined);
  } catch {
    // no audio device: the title and the notification still tell
  }
}

export function askNotificationPermission(): void {
  if ('Notification' in window && Notification.permission === 'default') {
    void Notification.requestPermission().catch(() => undefined);
  }
}

export function notify(title: string, body: string, onClick?: () => void): void {
  alertLog.notifications.push(`${title}: ${body}`);
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  try {
    const n = new Notification(title, { body, tag: `${title}:${body}`, icon: '/avatar/@F' });
    n.onclick = () => {
      window.focus();
      onClick?.();
      n.close();
    };
  } catch {
    // some browsers allow notifications only from a service worker
  }
}

export function setTitleCount(n: number): void {
  document.title = n > 0 ? `(${n}) ${TITLE}` : TITLE;
}
