import { hostname } from 'node:os';

/** This machine's (or container's) name as it can appear in a file name. */
export const HOST = hostname()
  .replace(/[^A-Za-z0-9-]/g, '-')
  .slice(0, 40);

/** Whether a process of this host is still running (EPERM: it is, under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
