// Meteor's `Random.id()`: 17 characters from its unmistakable alphabet. Messages carry a
// client id so that a send retried after a dropped connection is stored once.
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';

export function randomId(length = 17): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  let id = '';
  for (const b of bytes) id += ALPHABET[b % ALPHABET.length] ?? '';
  return id;
}
