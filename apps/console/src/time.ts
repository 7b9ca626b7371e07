/** "12 s", "4 min", "3 h", "2 d": how long ago or how long left, for people. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d`;
}

export const ago = (iso: string, now = Date.now()) => `${duration(now - new Date(iso).getTime())} ago`;

export function timeLeft(iso: string, now = Date.now()): string {
  const left = new Date(iso).getTime() - now;
  return left <= 0 ? 'expired' : `${duration(left)} left`;
}

export const localTime = (iso: string) => new Date(iso).toLocaleString();
